"""Compare what two versions of runtwitch import from the same files, exactly.

    PYTHONPATH=<old checkout>/src python scripts/compare_imports.py dump old.pkl
    PYTHONPATH=<new checkout>/src python scripts/compare_imports.py dump new.pkl
    python scripts/compare_imports.py compare old.pkl new.pkl

``dump`` imports every FIT, GPX and TCX file of ``../shared/corpus`` and every
file of ``../shared/corpus-formats`` (with each FIT engine for FIT files) and
pickles, per file, the records, laps and sessions frames, the metadata and the
import report, or the error raised. ``compare`` checks that both dumps hold
the same files with equal frames (``pandas.testing.assert_frame_equal``,
dtypes included), equal metadata and reports, or the same error. It is how a
faster import path is checked to give the same output; it needs the old code,
so it is a script to run, not a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import pickle
import sys
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

SHARED = Path(__file__).resolve().parents[2] / "shared"


def _files(shared: Path) -> list[Path]:
    corpus = [p for p in sorted((shared / "corpus").rglob("*")) if p.is_file() and p.name != "MANIFEST.csv"]
    formats = [p for p in sorted((shared / "corpus-formats").rglob("*"))
               if p.is_file() and p.name != "MANIFEST.csv"]
    return corpus + formats


def _outcome(path: Path, engine: str | None) -> Any:
    import runtwitch

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            act = (runtwitch.read_activity(path) if engine is None
                   else runtwitch.read_fit(path, engine=engine))  # type: ignore[arg-type]
        except Exception as exc:  # the error is the outcome compared
            return ("error", type(exc).__name__, str(exc))
    meta = dataclasses.asdict(act.meta)
    report = dataclasses.asdict(act.report)
    return ("ok", act.records, act.laps, act.sessions, meta, report,
            sorted(f"{w.category.__name__}: {w.message}" for w in caught))


def dump(out: Path, shared: Path) -> None:
    results: dict[str, Any] = {}
    for path in _files(shared):
        name = str(path.relative_to(shared))
        results[name] = _outcome(path, None)
        if path.suffix.lower() == ".fit":
            for engine in ("fitdecode", "fitparse"):
                results[f"{name} [{engine}]"] = _outcome(path, engine)
    out.write_bytes(pickle.dumps(results))
    print(f"{len(results)} imports written to {out}")


def compare(old_path: Path, new_path: Path) -> int:
    old, new = pickle.loads(old_path.read_bytes()), pickle.loads(new_path.read_bytes())
    bad = 0
    if set(old) != set(new):
        print("different files:", sorted(set(old) ^ set(new)))
        bad += 1
    for name in sorted(set(old) & set(new)):
        a, b = old[name], new[name]
        try:
            assert a[0] == b[0], f"{a[0]} != {b[0]}"
            if a[0] == "error":
                assert a == b, f"{a} != {b}"
                continue
            for fa, fb in zip(a[1:4], b[1:4], strict=True):
                pd.testing.assert_frame_equal(fa, fb, check_dtype=True, check_exact=True)
                assert list(fa.columns) == list(fb.columns)
            assert repr(a[4]) == repr(b[4]), "meta"
            assert repr(a[5]) == repr(b[5]), f"report\n{a[5]}\n{b[5]}"
            assert a[6] == b[6], f"warnings\n{a[6]}\n{b[6]}"
        except AssertionError as exc:
            bad += 1
            print(f"DIFFERENT {name}: {str(exc)[:2000]}")
    print(f"{len(set(old) & set(new))} imports compared, {bad} different")
    return 1 if bad else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--shared", type=Path, default=SHARED)
    c = sub.add_parser("compare")
    c.add_argument("old", type=Path)
    c.add_argument("new", type=Path)
    args = ap.parse_args()
    if args.cmd == "dump":
        dump(args.out, args.shared)
        return 0
    return compare(args.old, args.new)


if __name__ == "__main__":
    sys.exit(main())
