"""Analyse a season of runs and a twitch diary, and write an HTML report.

    .venv/bin/python examples/analyze_season.py              # the sample season in sample_data/
    .venv/bin/python examples/analyze_season.py ~/garmin-export --diary ~/diary.csv --athlete ~/athlete.toml

Run it with the Python runtwitch is installed in (the Quickstart's ``.venv``).
Equivalent to ``runtwitch analyze PATH... --diary ... --report report.html --details``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

try:
    import runtwitch
    from runtwitch.render import summary_text, write_report
except ModuleNotFoundError as missing:  # run with a Python that does not have runtwitch installed
    sys.exit(f"{missing.name} is not installed in this Python ({sys.executable}): run the script with "
             "the Python of the README's Quickstart, .venv/bin/python examples/analyze_season.py")

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="*", default=[str(SAMPLE)], help="activity files or folders")
    ap.add_argument("--diary", default=None, help="diary CSV (default: the sample diary)")
    ap.add_argument("--athlete", default=None, help="athlete.toml (default: the sample runner)")
    ap.add_argument("--tz", default=None, help="IANA time zone, if no athlete.toml")
    ap.add_argument("--report", default="report.html", help="HTML report to write")
    args = ap.parse_args()
    sample = args.paths == [str(SAMPLE)]
    diary = args.diary or (str(SAMPLE / "diary.csv") if sample else None)
    athlete = args.athlete or (str(SAMPLE / "athlete.toml") if sample else None)
    try:
        result = runtwitch.analyze(args.paths, diary=diary, athlete=athlete, tz=args.tz)
    except runtwitch.RuntwitchError as exc:  # a missing path, a bad time zone, an unreadable diary
        sys.exit(f"analyze_season.py: {str(exc).splitlines()[0]}")
    print(summary_text(result))
    write_report(result, args.report)
    print(f"\nWrote {args.report}")


if __name__ == "__main__":
    main()
