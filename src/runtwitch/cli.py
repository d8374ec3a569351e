"""Command line: ``runtwitch inspect``, ``diary``, ``analyze``, ``cache`` and ``cohort`` (docs/cli.md)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from runtwitch import __version__
from runtwitch.analysis import analyze
from runtwitch.cohort.cli import add_parser as add_cohort_parser
from runtwitch.errors import RuntwitchError, UnknownFormatError
from runtwitch.io.batch import read_one, scan_paths
from runtwitch.io.cachedir import cache_entries, cache_folder, prune_cache
from runtwitch.io.diary import read_diary
from runtwitch.io.registry import find_importer
from runtwitch.model.activity import Activity, iso_utc
from runtwitch.model.timezone import resolve_tz
from runtwitch.paths import expand_path, first_missing
from runtwitch.render import summary_text, to_json, write_report
from runtwitch.render.view import number
from runtwitch.render.words import counted


def inspect_file(path: str) -> dict[str, Any]:
    """Import one file and describe the result as JSON-ready values (never raises)."""
    out: dict[str, Any] = {
        "path": path,
        "format": None,
        "status": "error",
        "error": None,
        "kind": None,
        "sport": None,
        "source_records": None,
        "rows": None,
        "dropped": {},
        "repaired": {},
        "source_first_time": None,
        "source_last_time": None,
        "start": None,
        "end": None,
        "utc_offset_s": None,
        "timezone": None,
        "timezone_source": None,
        "time_basis": None,
        "columns": [],
        "sessions": [],
        "damage": None,
        "warnings": [],
    }
    with contextlib.suppress(RuntwitchError):  # read_one reports the same error
        out["format"] = find_importer(path).name
    act, error_type, error = read_one(path)
    if act is not None:
        out.update(_describe(act))
    else:
        out["error"] = {"type": error_type, "message": error}
    return out


def _describe(act: Activity) -> dict[str, Any]:
    rep = act.report.to_dict()
    return {
        "format": act.meta.format,
        "status": rep["status"],
        "kind": act.meta.kind,
        "sport": act.meta.sport,
        "source_records": rep["source_records"],
        "rows": rep["rows"],
        "dropped": rep["dropped"],
        "repaired": rep["repaired"],
        "source_first_time": rep["source_first_time"],
        "source_last_time": rep["source_last_time"],
        "start": iso_utc(act.start),
        "end": iso_utc(act.end),
        "utc_offset_s": act.meta.utc_offset_s,
        "timezone": act.meta.timezone,
        "timezone_source": act.meta.timezone_source,
        "time_basis": act.meta.time_basis,
        "columns": act.held("records").names,
        "sessions": [
            {
                "sport": s["sport"] if not pd.isna(s["sport"]) else None,
                "start": iso_utc(s["start"]),
                "elapsed_s": number(s["elapsed_s"]),
                "timer_s": number(s["timer_s"]),
                "moving_s": number(s["moving_s"]),
                "distance_m": number(s["distance_m"]),
            }
            for _, s in act.sessions.iterrows()
        ],
        "damage": rep["damage"],
        "warnings": rep["warnings"],
    }


def _fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    m, s = divmod(round(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}"


def _dash(v: object) -> str:
    return "–" if v is None else str(v)


def _print_table(results: list[dict[str, Any]]) -> None:
    wide = max([6, *(len(r["format"] or "?") for r in results)])  # plugin formats have longer names
    header = (
        f"{'status':<8} {'format':<{wide}} {'sport':<18} {'start (UTC)':<20} {'elapsed':>8} "
        f"{'records':>7} {'rows':>7}  file"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        elapsed = sum(s["elapsed_s"] or 0 for s in r["sessions"]) if r["sessions"] else None
        start = (r["start"] or "")[:19].replace("T", " ")
        sport = "course (a route)" if r["kind"] == "course" else (r["sport"] or "")
        print(
            f"{r['status']:<8} {r['format'] or '?':<{wide}} {sport[:18]:<18} {start:<20} "
            f"{_fmt_duration(elapsed):>8} {_dash(r['source_records']):>7} {_dash(r['rows']):>7}  {r['path']}"
        )
        if r["error"]:
            print(f"         error: {r['error']['type']}: {r['error']['message']}")
        if r["dropped"]:
            print("         dropped: " + ", ".join(f"{k} {v}" for k, v in r["dropped"].items()))
        if r["repaired"]:
            print("         repaired: " + ", ".join(f"{k} {v}" for k, v in r["repaired"].items()))
        if r["damage"]:
            print(
                f"         damage: {r['damage']['kind']} at byte {r['damage']['offset']}: "
                f"{r['damage']['reason']}"
            )
    n_err = sum(r["status"] == "error" for r in results)
    n_part = sum(r["status"] == "partial" for r in results)
    print(f"\n{counted(len(results), 'file')}: {len(results) - n_err - n_part} ok, {n_part} partial, "
          f"{n_err} failed")


def diary_report(path: str, tz: str | None) -> dict[str, Any]:
    """Read a diary and describe it as JSON-ready values (never raises)."""
    out: dict[str, Any] = {
        "path": path,
        "format": "diary",
        "status": "error",
        "error": None,
        "episodes": None,
        "rows": None,
        "report": None,
    }
    try:
        diary = read_diary(path, tz=tz)
    except RuntwitchError as exc:
        out["error"] = {"type": type(exc).__name__, "message": str(exc)}
        return out
    out.update(
        status="partial" if diary.report.problems else "ok",
        rows=diary.report.rows,
        episodes=len(diary.episodes),
        report=diary.report.to_dict(),
    )
    return out


#: Files named in the line about files that are not activity files (the rest are counted).
SHOWN_OTHER_FILES = 5


def _others_line(others: list[str]) -> str:
    """One line saying which files in the folders were not read as activities."""
    names = ", ".join(os.path.basename(p) for p in others[:SHOWN_OTHER_FILES])
    more = f" and {len(others) - SHOWN_OTHER_FILES} more" if len(others) > SHOWN_OTHER_FILES else ""
    what = ("other file in the folders is not an activity file (by suffix or content) and was"
            if len(others) == 1 else
            "other files in the folders are not activity files (by suffix or content) and were")
    return f"{len(others)} {what} not read: {names}{more} (docs/formats.md lists the formats)"


def _is_diary(path: str) -> bool:
    if not path.lower().endswith(".csv"):
        return False
    try:
        find_importer(path)
    except UnknownFormatError:
        return True
    return False


def _print_diary(r: dict[str, Any]) -> None:
    print(f"diary {r['path']}: {r['status']}")
    if r["error"]:
        print(f"  error: {r['error']['type']}: {r['error']['message']}")
        return
    rep = r["report"]
    print(f"  {counted(r['rows'], 'row')}, {counted(r['episodes'], 'episode')}, "
          f"{counted(rep['blank_rows'], 'blank row')} skipped")
    for key in ("renamed_columns", "unknown_columns", "duplicate_episodes"):
        if rep[key]:
            print(f"  {key.replace('_', ' ')}: {rep[key]}")
    for w in rep["warnings"]:
        print(f"  warning: {w}")
    for p in rep["problems"]:
        print(f"  row {p['row']}, column {p['column']!r}: {p['value']!r} – expected {p['expected']}")


#: Exit codes: 0 done (problems in the data are reported, not fatal), 1 nothing to analyse or
#: some file failed (``inspect``), 2 a mistake in the command: a missing path, a bad time zone,
#: a diary or profile that cannot be read at all, an output that cannot be written.
EXIT_OK, EXIT_NOTHING, EXIT_USAGE = 0, 1, 2


def _fail(command: str, message: object) -> int:
    """Print one line on stderr, as ``runtwitch COMMAND: message``, and return :data:`EXIT_USAGE`."""
    first = str(message).splitlines()[0]  # a DiaryError lists its problems below: the first line says it
    print(f"runtwitch {command}: {first}", file=sys.stderr)
    return EXIT_USAGE


def _cmd_diary(args: argparse.Namespace) -> int:
    if (gone := first_missing([args.file])) is not None:
        return _fail("diary", f"{gone}: no such file or folder")
    try:
        resolve_tz(args.tz)
    except RuntwitchError as exc:
        return _fail("diary", exc)
    r = diary_report(expand_path(args.file), args.tz)
    if args.json:
        json.dump(r, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        _print_diary(r)
    return 1 if r["status"] == "error" else 0


def _cmd_inspect(args: argparse.Namespace) -> int:
    if (gone := first_missing(args.files)) is not None:
        return _fail("inspect", f"{gone}: no such file or folder")
    found = scan_paths(args.files)
    paths = found.activities
    if not paths:
        print(f"runtwitch inspect: no activity files in {', '.join(args.files)}"
              + (f"; {_others_line(found.others)}" if found.others else ""), file=sys.stderr)
        return EXIT_NOTHING
    diaries = [diary_report(p, None) for p in paths if _is_diary(p)]
    results = [inspect_file(p) for p in paths if not _is_diary(p)]
    if diaries and not args.json:
        for d in diaries:
            _print_diary(d)
        print()
    if args.json:
        json.dump(results + diaries, sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")
    elif results:
        _print_table(results)
    if found.others:  # on stderr with --json, so that stdout stays one JSON document
        print(_others_line(found.others), file=sys.stderr if args.json else sys.stdout)
    return 1 if any(r["status"] == "error" for r in results + diaries) else 0


def _unwritable(path: str) -> str | None:
    """Why an output file cannot be written there, checked before the analysis runs (None: it can)."""
    target = Path(expand_path(path))
    folder = target.parent
    if target.is_dir():
        return f"cannot write {path}: it is a folder (give a file name, e.g. {target / 'report.html'})"
    if not folder.is_dir():
        return f"cannot write {path}: the folder {folder} does not exist"
    if not os.access(folder, os.W_OK):
        return f"cannot write {path}: the folder {folder} is not writable"
    return None


def _cmd_analyze(args: argparse.Namespace) -> int:
    for out in (args.report, None if args.json == "-" else args.json):
        if out and (why := _unwritable(out)) is not None:
            return _fail("analyze", why)
    try:
        result = analyze(
            args.paths,
            diary=args.diary,
            athlete=args.athlete,
            tz=args.tz,
            progress=False if args.quiet else None,
            n_jobs=args.jobs,
            cache=not args.no_cache,
            weather=args.weather,
            weather_table=args.weather_table,
            today=args.today,
        )
    except RuntwitchError as exc:  # a missing path, a bad time zone, an unreadable diary or profile
        return _fail("analyze", exc)
    if not result.activities:
        print(summary_text(result, details=False))
        print(f"\nruntwitch analyze: no activities found in {', '.join(args.paths)} (runtwitch reads FIT, "
              "GPX, TCX and the formats in docs/formats.md; folders are searched recursively)",
              file=sys.stderr)
        return EXIT_NOTHING
    if args.json == "-":
        json.dump(to_json(result), sys.stdout, indent=2, allow_nan=False, default=str)
        sys.stdout.write("\n")
        return EXIT_OK
    print(summary_text(result, details=args.details))
    try:
        if args.report:
            write_report(result, expand_path(args.report))
            print(f"\nWrote {args.report}")
        if args.json:
            with open(expand_path(args.json), "w", encoding="utf-8") as fh:
                json.dump(to_json(result), fh, indent=2, allow_nan=False, default=str)
            print(f"\nWrote {args.json}")
    except OSError as exc:
        return _fail("analyze", f"cannot write {exc.filename or 'the output'}: {exc.strerror or exc}")
    return EXIT_OK


def _day(text: str) -> date:
    """``--today``: a date as YYYY-MM-DD (argparse turns the ValueError into a usage error)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date as YYYY-MM-DD, e.g. 2026-09-01") from None


def _jobs(text: str) -> int:
    """``--jobs``: a whole number of worker processes, at least 1."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of worker processes (1 or more)")
    return n


def _megabytes(n: float) -> str:
    return f"{n / 1e6:.1f} MB"


def _cache_line(frame: pd.DataFrame, kind: str, label: str) -> str:
    part = frame[frame["kind"] == kind]
    return f"{len(part)} {label} ({_megabytes(part['bytes'].sum())})"


def _cmd_cache(args: argparse.Namespace) -> int:
    folder = cache_folder(args.cache_dir)
    if folder.exists() and not folder.is_dir():
        return _fail("cache", f"{folder}: not a folder")
    if args.action == "info":
        entries = cache_entries(folder)
        if entries.empty:
            print(f"{folder}: empty (no import cache yet)")
            return EXIT_OK
        current = entries[entries["kind"] == "current"]
        print(f"{folder}: {_megabytes(entries['bytes'].sum())}")
        print(f"  {_cache_line(entries, 'current', 'entries read by this version')}, holding "
              f"{current['derived_values'].sum()} kept derived values "
              f"({_megabytes(current['derived_bytes'].sum())})")
        print(f"  {_cache_line(entries, 'stale', 'entries of other versions, never read again')}")
        print(f"  {_cache_line(entries, 'temporary', 'unfinished writes')}")
        if len(index := entries[entries["kind"] == "index"]):
            print(f"  an index of the files already read ({_megabytes(index['bytes'].sum())}; "
                  f"deleting it makes the next import read and hash every file again)")
        if (other := int((entries["kind"] == "other").sum())):
            print(f"  {other} other items (not cache entries; never removed)")
        if (entries["kind"].isin(["stale", "temporary"])).any():
            print("`runtwitch cache prune` removes the entries of other versions and old unfinished writes.")
        return EXIT_OK
    pruned = prune_cache(folder, derived=args.derived, dry_run=args.dry_run)
    failed = pruned[pruned["error"].notna()]
    done = pruned[pruned["error"].isna()]
    verb = "would remove" if args.dry_run else "removed"
    parts = [f"{int((done['kind'] == 'stale').sum())} entries of other versions",
             f"{int((done['kind'] == 'temporary').sum())} unfinished writes"]
    if args.derived:
        parts.append(f"the kept derived values of {int((done['kind'] == 'current').sum())} entries")
    print(f"{folder}: {verb} {', '.join(parts)}; {_megabytes(done['bytes'].sum())}")
    if len(failed):
        first = failed.iloc[0]
        print(f"runtwitch cache: {len(failed)} could not be removed, e.g. {first['name']}: {first['error']}",
              file=sys.stderr)
        return EXIT_NOTHING
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """Return the ``runtwitch`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="runtwitch",
        description="Post-run muscle twitches, explained from your own activity files and diary.",
    )
    parser.add_argument("--version", action="version", version=f"runtwitch {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser(
        "inspect",
        help="import activity files and report what was read, dropped and repaired",
        description="Import each file (folders are searched recursively) and report the result. "
        "One bad file never stops the others. Exit code 1 if any file failed.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="activity files or folders")
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.set_defaults(func=_cmd_inspect)
    d = sub.add_parser(
        "diary",
        help="read a twitch diary and report every problem (row, column, value, expected)",
        description="Read a twitch diary CSV (see docs/diary.md) and print its report. "
        "Exit code 1 only if the diary cannot be read at all.",
    )
    d.add_argument("file", metavar="DIARY.csv")
    d.add_argument("--tz", help="IANA time zone of the diary's local times, e.g. Europe/Paris")
    d.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    d.set_defaults(func=_cmd_diary)
    a = sub.add_parser(
        "analyze",
        help="import activities and a diary, and explain each twitch episode",
        description="Import activity files (folders are searched recursively; a bad file is reported, "
        "never fatal), link the diary's episodes to runs, build features and rank likely causes "
        "with evidence, remedies and red flags. runtwitch does not diagnose.",
    )
    a.add_argument("paths", nargs="+", metavar="PATH", help="activity files or folders")
    a.add_argument("--diary", metavar="DIARY.csv", help="the twitch diary (see docs/diary.md)")
    a.add_argument("--athlete", metavar="athlete.toml", help="the athlete profile (see docs/features.md)")
    a.add_argument("--tz", help="IANA time zone of the diary, overriding athlete.toml")
    a.add_argument("--json", metavar="OUT.json", help="write the analysis as JSON ('-' for stdout)")
    a.add_argument("--quiet", action="store_true", help="no progress bar")
    a.add_argument(
        "--jobs", type=_jobs, default=None, help="worker processes for importing (default: all cores)"
    )
    a.add_argument(
        "--details",
        action="store_true",
        help="after the summary, each episode in full: evidence, every remedy, what was not assessed",
    )
    a.add_argument(
        "--today",
        type=_day,
        metavar="YYYY-MM-DD",
        help="the date taken as today (diary dates after it are reported as in the future); "
        "default: today's date. A demo clock: replays an analysis as of that day",
    )
    a.add_argument(
        "--no-cache",
        action="store_true",
        help="do not use the import cache (default folder: $RUNTWITCH_CACHE_DIR or ~/.cache/runtwitch)",
    )
    a.add_argument(
        "--weather",
        action="store_true",
        help="fetch each run's air temperature and humidity from the weather archive (needs the network; "
        "cached; without this flag nothing is fetched)",
    )
    a.add_argument(
        "--weather-table",
        metavar="WEATHER.csv",
        help="your own weather table: time, air_temp_c, humidity_pct, optionally a place (docs/features.md)",
    )
    a.add_argument(
        "--report",
        metavar="REPORT.html",
        help="write a self-contained HTML report (one file, images embedded, opens offline)",
    )
    a.set_defaults(func=_cmd_analyze)
    c = sub.add_parser(
        "cache",
        help="what the import cache holds, and pruning entries of older versions",
        description="The import cache keeps every imported file (see docs/batch.md). After an upgrade, "
        "entries written by older versions are never read again: 'prune' removes them, and old "
        "unfinished writes. Entries of this version and anything that is not a cache entry are kept.",
    )
    actions = c.add_subparsers(dest="action", required=True)
    info = actions.add_parser("info", help="sizes by kind: this version's entries, older ones, "
                              "unfinished writes")
    prune = actions.add_parser("prune", help="remove the entries of other versions and old unfinished writes")
    prune.add_argument("--derived", action="store_true",
                       help="also remove the values kept per activity (computed again when needed)")
    prune.add_argument("--dry-run", action="store_true", help="say what would be removed, remove nothing")
    for action in (info, prune):
        action.add_argument("--cache-dir", metavar="DIR",
                            help="the cache folder (default: $RUNTWITCH_CACHE_DIR or ~/.cache/runtwitch)")
        action.set_defaults(func=_cmd_cache)
    add_cohort_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``runtwitch`` console script."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except BrokenPipeError:  # the reader went away (``runtwitch analyze ... | head``): not an error
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115  # swallow the interpreter's final flush
        return EXIT_OK
    return code


if __name__ == "__main__":  # pragma: no cover  # python -m runtwitch.cli
    sys.exit(main())
