"""``runtwitch cohort ROOT --out DIR [--scheduler ADDRESS | --workers N]``."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import Any

from runtwitch.errors import RuntwitchError
from runtwitch.io.diary import escape_formula


def add_parser(sub: Any) -> None:
    """Add the ``cohort`` sub-command to the ``runtwitch`` parser's sub-parsers."""
    c = sub.add_parser(
        "cohort",
        help="analyse many athletes on Dask into one Parquet dataset, with pooled patterns",
        description="Analyse every athlete of ROOT (one sub-folder per athlete, or a CSV manifest "
        "athlete_id,path,role) as one Dask task each; write a Parquet dataset partitioned by "
        "pseudonym, the pooled patterns and summary.html into --out. A failed athlete is reported, "
        "never fatal; unchanged athletes are not analysed again. Exit code 1 if any athlete failed. "
        "See docs/cohort.md.",
    )
    c.add_argument("root", metavar="ROOT", help="folder of athlete folders, or a CSV manifest")
    c.add_argument(
        "--out", required=True, metavar="DIR", help="output folder (new, empty or a previous output)"
    )
    where = c.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler", metavar="ADDRESS", help="address of a Dask scheduler, e.g. tcp://host:8786"
    )
    where.add_argument(
        "--workers", type=int, metavar="N", help="worker processes of the local cluster (default: all cores)"
    )
    c.add_argument(
        "--salt-file",
        metavar="FILE",
        help="file holding the secret behind the pseudonyms (default: DIR.salt beside --out, created once)",
    )
    c.add_argument(
        "--ids-out",
        metavar="FILE.csv",
        help="write the key athlete id -> pseudonym to this file (keep it away from the dataset)",
    )
    c.add_argument(
        "--include-positions", action="store_true", help="add where each activity started and ended"
    )
    c.add_argument(
        "--include-notes", action="store_true", help="keep the diary's free text (notes, medicines)"
    )
    c.add_argument("--no-cache", action="store_true", help="do not use the import cache on the workers")
    c.add_argument("--force", action="store_true", help="analyse every athlete, even when unchanged")
    c.add_argument("--quiet", action="store_true", help="no progress bar")
    c.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the ``cohort`` sub-command."""
    from runtwitch.cohort.privacy import load_or_create_salt
    from runtwitch.cohort.run import INSTALL_HINT, cohort

    out = Path(args.out).expanduser().resolve()
    if args.ids_out and Path(args.ids_out).expanduser().resolve().is_relative_to(out):
        print("runtwitch cohort: --ids-out must be outside --out (it is the key to the names)",
              file=sys.stderr)
        return 2
    try:
        salt_file = Path(args.salt_file).expanduser() if args.salt_file else None
        salt = load_or_create_salt(salt_file) if salt_file is not None else None
        result = cohort(
            args.root,
            out=out,
            client=args.scheduler,
            workers=args.workers,
            salt=salt,
            include_positions=args.include_positions,
            include_notes=args.include_notes,
            cache=not args.no_cache,
            force=args.force,
            progress=False if args.quiet else None,
        )
    except ModuleNotFoundError as exc:
        print(f"runtwitch cohort: {INSTALL_HINT} ({exc})", file=sys.stderr)
        return 2
    except (RuntwitchError, ValueError, OSError) as exc:
        print(f"runtwitch cohort: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    a = result.athletes
    counts = a["status"].value_counts()
    print(f"{len(a)} athletes: " + ", ".join(f"{n} {s}" for s, n in counts.items()))
    for r in a[a["status"] == "error"].to_dict("records"):
        print(f"  ! {r['athlete']}: {r['error_type']}: {r['error']}")
    shown = result.pooled[result.pooled["shown"]]
    for p in shown.to_dict("records"):
        print(
            f"  {p['label']}: pooled relative risk {p['relative_risk']:.2f} "
            f"({p['ci_low']:.2f}-{p['ci_high']:.2f}), {p['athletes']} athletes, I² {p['i2_pct']:.0f} % "
            "(an association, not a cause)"
        )
    print(f"Wrote the dataset and {result.summary}")
    salt_at = result.salt_file or salt_file
    print(f"The salt behind the pseudonyms is in {salt_at}: keep it, and keep it private.")
    if args.ids_out:
        with open(args.ids_out, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["athlete_id", "pseudonym"])
            w.writerows([escape_formula(i), p] for i, p in sorted(result.pseudonyms.items()))
        print(f"Wrote the key athlete id -> pseudonym to {args.ids_out}")
    return 1 if (a["status"] == "error").any() else 0
