"""Analyse a season of runs and a twitch diary, and write an HTML report.

    python examples/analyze_season.py                      # the sample season in sample_data/
    python examples/analyze_season.py ~/garmin-export --diary ~/diary.csv --athlete ~/athlete.toml

Equivalent to ``runtwitch analyze PATH... --diary ... --report report.html``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import runtwitch
from runtwitch.render import summary_text, write_report

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
    result = runtwitch.analyze(args.paths, diary=diary, athlete=athlete, tz=args.tz)
    print(summary_text(result))
    write_report(result, args.report)
    print(f"\nWrote {args.report}")


if __name__ == "__main__":
    main()
