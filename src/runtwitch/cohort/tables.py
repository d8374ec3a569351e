"""One athlete's analysis as the cohort tables: what leaves the athlete's folder, and nothing more.

:func:`export` turns an :class:`~runtwitch.Analysis` into one Arrow table per
dataset table (:data:`runtwitch.cohort.columns.TABLES`), with the columns and
types those tables define. Paths become relative to the athlete's folder,
messages lose the folder's path, free text is dropped unless
``include_notes`` and positions are left out unless ``include_positions``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

import runtwitch
from runtwitch.cohort.columns import (
    CAUSES,
    DAYS,
    EPISODES,
    IMPORTS,
    PATTERNS,
    POSITIONS,
    RUNS,
    TABLES,
    Table,
)
from runtwitch.cohort.privacy import relative_name, scrub
from runtwitch.model.activity import code_digest


def arrow_table(table: Table, frame: pd.DataFrame, include_notes: bool = False) -> Any:
    """The frame as an Arrow table of the table's schema (absent columns are null)."""
    import pyarrow as pa

    schema = table.schema(include_notes=include_notes)
    arrays = []
    for field in schema:
        values = frame[field.name] if field.name in frame else pd.Series([None] * len(frame), dtype=object)
        arrays.append(_array(values, field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _array(values: pd.Series, typ: Any) -> Any:
    import pyarrow as pa

    if pa.types.is_timestamp(typ):
        s = pd.to_datetime(values, utc=typ.tz is not None) if values.dtype == object else values
        if typ.tz is None and isinstance(s.dtype, pd.DatetimeTZDtype):
            s = s.dt.tz_localize(None)  # local wall-clock time, as the runs' start_local
        s = s.astype("datetime64[ns, UTC]" if typ.tz is not None else "datetime64[ns]")
        return pa.array(s, type=typ, from_pandas=True)
    if pa.types.is_list(typ):
        return pa.array([_list(v) for v in values], type=typ)
    if pa.types.is_string(typ):
        return pa.array([None if _missing(v) else str(v) for v in values], type=typ)
    return pa.array([None if _missing(v) else v for v in values.astype(object)], type=typ)


def _missing(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT


def _list(v: Any) -> list[Any] | None:
    if isinstance(v, (list, tuple, np.ndarray)):
        return [None if _missing(x) else x for x in v]
    return None


def export(
    a: runtwitch.Analysis,
    roots: Sequence[str],
    *,
    diary: str | None = None,
    profile: str | None = None,
    include_notes: bool = False,
    include_positions: bool = False,
) -> dict[str, Any]:
    """The cohort tables of one athlete's analysis, by table name (Arrow tables).

    Parameters
    ----------
    a
        The athlete's :func:`runtwitch.analyze` result.
    roots
        The athlete's folders and files (absolute): paths are shown relative
        to them and removed from messages.
    diary, profile
        The paths of the diary and ``athlete.toml`` that were read, if any.
    include_notes
        Keep the diary's free text (:data:`~runtwitch.cohort.columns.FREE_TEXT`).
    include_positions
        Add the ``positions`` table.
    """

    def name(path: str) -> str:
        return relative_name(path, roots)

    def clean(text: str) -> str:
        return scrub(text, roots)

    ex = a.explanation
    frames = {
        RUNS.name: a.runs.reset_index().assign(source=lambda r: [name(p) for p in r["source"]]),
        DAYS.name: a.days.reset_index(),
        EPISODES.name: ex.episodes,
        CAUSES.name: ex.causes,
        PATTERNS.name: ex.pattern_counts,
        IMPORTS.name: _imports(a, name, clean, include_notes, diary, profile),
    }
    if include_positions:
        frames[POSITIONS.name] = _positions(a)
    return {t.name: arrow_table(t, frames[t.name], include_notes) for t in TABLES if t.name in frames}


def _imports(
    a: runtwitch.Analysis,
    name: Callable[[str], str],
    clean: Callable[[str], str],
    include_notes: bool,
    diary: str | None,
    profile: str | None,
) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for r in a.imports:
        act = r.activity
        rep = act.report if act is not None else None
        rows.append(
            {
                "path": name(r.path),
                "input": "activity",
                "status": r.status,
                "error_type": r.error_type,
                "error": None if r.error is None else clean(r.error),
                "format": act.meta.format if act is not None else None,
                "sport": act.meta.sport if act is not None else None,
                "rows": rep.rows if rep is not None else None,
                "source_records": rep.source_records if rep is not None else None,
                "dropped": json.dumps(rep.dropped, sort_keys=True) if rep is not None else None,
                "repaired": json.dumps(rep.repaired, sort_keys=True) if rep is not None else None,
                "warnings": [clean(w) for w in rep.warnings] if rep is not None else [],
                "problems": [],
            }
        )
    if a.diary is not None:
        rep_d = a.diary.report
        problems = [
            str(p) if include_notes else f"row {p.row}, column {p.column!r}: expected {p.expected}"
            for p in rep_d.problems
        ]
        rows.append(
            {
                "path": name(diary) if diary is not None else "diary",
                "input": "diary",
                "status": "partial" if problems else "ok",
                "format": "diary",
                "rows": rep_d.rows,
                "warnings": [clean(w) for w in rep_d.warnings],
                "problems": problems,
            }
        )
    if profile is not None:
        rows.append({"path": name(profile), "input": "athlete", "status": "ok", "format": "toml",
                     "warnings": [], "problems": []})
    return pd.DataFrame(rows, columns=IMPORTS.column_names(include_notes=True))


def _positions(a: runtwitch.Analysis) -> pd.DataFrame:
    ids = {src: aid for aid, src in a.runs["source"].items()} if len(a.runs) else {}
    rows = []
    name = f"first-last-fix-{code_digest(__name__)}"  # kept beside the import cache: no records read again
    for act in a.activities:
        if act.meta.source not in ids:
            continue
        ends = act.derived(name, _first_and_last_fix)
        if ends:
            rows.append({"activity_id": ids[act.meta.source], **ends})
    return pd.DataFrame(rows, columns=POSITIONS.column_names())


def _first_and_last_fix(act: runtwitch.Activity) -> dict[str, float]:
    """The first and last position fix of an activity's records (empty without one)."""
    rec = act.records
    if "lat_deg" not in rec or "lon_deg" not in rec:
        return {}
    fixes = rec[["lat_deg", "lon_deg"]].dropna()
    if not len(fixes):
        return {}
    lat, lon = fixes["lat_deg"], fixes["lon_deg"]
    return {"start_lat_deg": float(lat.iloc[0]), "start_lon_deg": float(lon.iloc[0]),
            "end_lat_deg": float(lat.iloc[-1]), "end_lon_deg": float(lon.iloc[-1])}
