"""Synthetic cohorts (from scripts/make_sample_data.py) and checks of a stored cohort against analyze()."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

import runtwitch

ROOT = Path(__file__).resolve().parents[2]


def generator() -> ModuleType:
    """``scripts/make_sample_data.py``, imported once (it is a script, not a package module)."""
    name = "make_sample_data"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "make_sample_data.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while the script loads
        spec.loader.exec_module(module)
    return sys.modules[name]


def write_cohort(root: Path, athletes: int, *, weeks: int = 3) -> list[Path]:
    """A synthetic cohort: one folder per runner, named like a person, under ``root``."""
    folders: list[Path] = generator().write_cohort(root, athletes, weeks=weeks)
    return folders


def _plain(v: Any) -> Any:
    """A cell as a plain value: missing -> None, arrays -> lists, local times -> wall-clock time."""
    if isinstance(v, (list, tuple, np.ndarray)):
        return [_plain(x) for x in v]
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, pd.Timestamp) and v.tz is not None and str(v.tz) != "UTC":
        return v.tz_localize(None)
    if isinstance(v, np.generic):
        return v.item()
    return v


def assert_same_rows(stored: pd.DataFrame, expected: pd.DataFrame, what: str) -> None:
    """Every stored column (but the partition) holds what the analysis has, row by row."""
    columns = [c for c in stored.columns if c != "athlete"]
    missing = [c for c in columns if c not in expected]
    assert not missing, f"{what}: stored columns not in the analysis: {missing}"
    assert len(stored) == len(expected), f"{what}: {len(stored)} rows stored, {len(expected)} analysed"
    for c in columns:
        got = [_plain(v) for v in stored[c].tolist()]
        want = [_plain(v) for v in expected[c].tolist()]
        assert got == want, f"{what}.{c}"


def assert_matches_analysis(out: Path, athlete: str, folder: Path) -> None:
    """The athlete's stored tables equal a single-process runtwitch.analyze() of the folder."""
    files = sorted(p for p in folder.iterdir() if p.suffix in (".fit", ".gpx", ".tcx"))
    a = runtwitch.analyze(
        files, diary=folder / "diary.csv", athlete=folder / "athlete.toml", n_jobs=1, progress=False
    )
    ex = a.explanation
    runs = a.runs.reset_index()
    runs["source"] = [Path(p).name for p in runs["source"]]
    expected = {
        "runs": runs,
        "days": a.days.reset_index(),
        "episodes": ex.episodes,
        "causes": ex.causes,
        "patterns": ex.pattern_counts,
    }
    for table, frame in expected.items():
        stored = pd.read_parquet(out / table, filters=[("athlete", "==", athlete)])
        assert_same_rows(stored, frame.reset_index(drop=True), table)
