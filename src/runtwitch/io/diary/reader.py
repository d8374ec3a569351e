"""The twitch diary: a strict-but-forgiving reader of the documented CSV format.

The format itself (:data:`DIARY_COLUMNS`, one table defining every column's
type, valid range and meaning, and the cell parsers) lives in
``runtwitch.io.diary.format``; this module reads a file with it, validates
rows, resolves time zones and builds the episode and context frames. Every
problem is reported with the row number a spreadsheet user sees (the header is
row 1), the column, the value and what was expected.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from runtwitch.errors import DataQualityWarning, DiaryError, LimitExceededError, UnreadableFileError, warn
from runtwitch.io.diary.format import (  # the format; re-exported for users of this module
    COLUMNS_BY_NAME,
    DIARY_COLUMNS,
    FORMULA_PREFIXES,
    HEADER_ALIASES,
    KIND_DTYPES,
    ROW_COLUMNS_ON_EPISODES,
    SYMPTOM_LABELS,
    SYMPTOMS,
    DiaryColumn,
    TermsRead,
    escape_formula,
    markdown_table,
    normalise_header,
    parse_cell,
    read_terms,
    symptoms_markdown,
)
from runtwitch.io.source import Errors, Source, check_errors, load, source_name
from runtwitch.model.timezone import resolve_tz
from runtwitch.paths import expand_path

__all__ = [
    "DIARY_COLUMNS", "FORMULA_PREFIXES", "MAX_CELL_CHARS", "MAX_DIARY_BYTES", "MAX_WEIGHT_GAIN_KG",
    "ROW_COLUMNS_ON_EPISODES", "SUGGEST_CUTOFF", "SYMPTOMS", "SYMPTOM_LABELS",
    "Diary", "DiaryColumn", "DiaryError", "DiaryReport", "Problem", "TermsRead", "closest_columns",
    "escape_formula",
    "markdown_table", "normalise_header", "read_diary", "read_terms", "symptoms_markdown", "write_diary_csv",
]

#: Largest diary accepted [bytes]; a decade of daily rows is well under 5 MB.
MAX_DIARY_BYTES = 50 * 1024 * 1024
#: Longest cell kept [characters]; longer cells are cut and reported.
MAX_CELL_CHARS = 2000
#: Body mass may rise during a run by at most this much before the value is
#: treated as a typo [kg] (a smaller gain can still raise the over-drinking flag).
MAX_WEIGHT_GAIN_KG = 5.0


@dataclass(frozen=True)
class Problem:
    """One bad cell or row: where it is, what it holds and what was expected."""

    row: int
    column: str
    value: str
    expected: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column!r}: {self.value!r} – expected {self.expected}"


@dataclass
class DiaryReport:
    """What the diary reader found.

    Attributes
    ----------
    rows
        Data rows read (blank lines not counted).
    blank_rows
        Entirely blank rows skipped.
    problems
        Bad cells/rows; in the default mode each bad cell was blanked, rows kept.
    duplicate_episodes
        Spreadsheet rows of episodes that repeat an earlier one (same date,
        time, muscles and kind); they are left out of ``episodes``.
    unknown_columns
        Columns runtwitch does not know; kept in ``context`` as text.
    renamed_columns
        Aliases accepted, as ``{header in file: column}``.
    warnings
        Other remarks (encoding, delimiter, time zone).
    """

    rows: int = 0
    blank_rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    duplicate_episodes: list[int] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    renamed_columns: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready values."""
        return {
            "rows": self.rows,
            "blank_rows": self.blank_rows,
            "problems": [p.__dict__ for p in self.problems],
            "duplicate_episodes": list(self.duplicate_episodes),
            "unknown_columns": list(self.unknown_columns),
            "renamed_columns": dict(self.renamed_columns),
            "warnings": list(self.warnings),
        }


@dataclass
class Diary:
    """A parsed diary.

    Attributes
    ----------
    episodes
        One row per twitch episode (rows whose ``muscles`` cell is filled).
        Columns: ``episode_id``, ``row``, ``date`` (local calendar date),
        ``time`` (local ``HH:MM`` or <NA>), ``onset_local`` (tz-aware, in the
        diary time zone, when the time is known), ``onset_utc``, ``muscles``
        (list of str), ``kind`` and the other episode columns, plus the
        columns of :data:`ROW_COLUMNS_ON_EPISODES` as written on the episode's
        own row (``urine_color``, ``dizziness``, ``symptoms``, ``medications``,
        ``recovery``, ``notes``, ``sleep_h``, ``caffeine_mg``, ``alcohol_units``,
        ``stress``).
    context
        One row per diary row (every row is a day/run entry): ``row``, ``date``
        and every non-episode column, plus unknown columns as text.
    tz
        The IANA time zone the local times were read in, or None.
    report
        Problems, duplicates, unknown columns.
    """

    episodes: pd.DataFrame
    context: pd.DataFrame
    tz: str | None
    report: DiaryReport


#: Byte-order marks of the UTF-16 encodings a spreadsheet may save a CSV in.
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _decode(data: bytes, report: DiaryReport, name: str) -> str:
    if data.startswith(_UTF16_BOMS):  # "Unicode text" from Excel: UTF-16 with a byte-order mark
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise DiaryError(name, [], f"a UTF-16 file with an invalid byte at offset {exc.start}") from exc
        report.warnings.append("the file is UTF-16; read as such")
        return text
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        report.warnings.append(
            f"the file is not UTF-8 (invalid byte at offset {exc.start}); read as Windows-1252 – "
            "check accented characters"
        )
        return data.decode("cp1252", errors="replace")


def _sniff_delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return (
        ";" if first.count(";") > first.count(",") else ("\t" if "\t" in first and "," not in first else ",")
    )


def _today(tz: ZoneInfo | None) -> date:
    return datetime.now(tz if tz is not None else UTC).date()


def _rows_from_source(
    source: Source | pd.DataFrame, report: DiaryReport
) -> tuple[list[str], list[list[str]], str]:
    if isinstance(source, pd.DataFrame):
        header = [str(c) for c in source.columns]
        body = [["" if pd.isna(v) else str(v) for v in row] for row in source.itertuples(index=False)]
        return header, body, "<frame>"
    name = source_name(source)
    if isinstance(source, (str, os.PathLike)) and os.path.isdir(expand_path(source)):
        raise UnreadableFileError(name, "is a directory, expected a diary CSV file")
    data = load(source, max_bytes=MAX_DIARY_BYTES).data
    if len(data) > MAX_DIARY_BYTES:
        raise LimitExceededError(name, f"diary larger than {MAX_DIARY_BYTES} bytes")
    text = _decode(data, report, name)
    if "\x00" in text:
        raise DiaryError(name, [], f"binary content (a NUL byte at offset {data.index(0)}): "
                         "expected a CSV text file")
    delim = _sniff_delimiter(text)
    if delim == ";":
        report.warnings.append("';'-delimited file: decimal commas accepted")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    table: list[list[str]] = []
    try:
        table.extend(reader)
    except csv.Error as exc:
        # The csv module's own cell limit (131,072 characters) stays as it is:
        # raising it would change every other csv reader of the process.
        why = str(exc)
        if "field larger than field limit" in why:
            why = (f"a cell longer than {csv.field_size_limit():,} characters "
                   f"(a diary cell holds at most {MAX_CELL_CHARS:,})")
        raise DiaryError(name, [], f"not a readable CSV at line {reader.line_num}: {why}") from exc
    if not table:
        raise DiaryError(name, [], "the diary is empty: expected a header row with at least 'date'")
    return table[0], table[1:], name


def read_diary(
    source: Source | pd.DataFrame,
    *,
    tz: str | None = None,
    errors: Errors = "salvage",
    today: date | None = None,
    strict: bool | None = None,
) -> Diary:
    """Read a twitch diary (CSV, UTF-8, header row) into episodes and context.

    Parameters
    ----------
    source
        Path, binary file object, or a DataFrame with the diary's columns
        (cells as typed in the spreadsheet).
    tz
        IANA time zone of the diary's local dates and times (e.g. the
        ``timezone`` of ``athlete.toml``). Without it, ``onset_utc`` stays empty;
        the computer's own time zone is never used.
    errors
        What to do with bad cells and rows: ``"raise"``: raise
        :class:`DiaryError` listing every problem; ``"warn"``: blank the bad
        cells, report them and emit a :class:`DataQualityWarning` with their
        number; ``"salvage"`` (default): blank the bad cells and report them in
        ``Diary.report.problems``. A file that is not a readable CSV raises in
        every mode.
    today
        The date after which diary dates are "in the future" (default: today
        in ``tz``).
    strict
        Deprecated: ``strict=True`` is ``errors="raise"``.

    Returns
    -------
    Diary
        ``episodes``, ``context`` and the ``report``.

    Raises
    ------
    ValueError
        ``errors`` is not one of the modes.
    UnknownTimeZoneError
        ``tz`` is not an IANA time zone name.
    DiaryError
        The file is not a readable CSV diary, or it has problems and
        ``errors="raise"``.
    """
    if strict is not None:
        warn("read_diary(strict=...) is deprecated: use errors='raise' instead of strict=True",
             DeprecationWarning)
        errors = "raise" if strict else errors
    errors = check_errors(errors)
    zone = resolve_tz(tz)
    report = DiaryReport()
    header, body, name = _rows_from_source(source, report)
    keys = [normalise_header(h) for h in header]
    columns: list[str | None] = []
    for raw_header, key in zip(header, keys, strict=True):
        col = HEADER_ALIASES.get(key)
        if col is None:
            if key:
                report.unknown_columns.append(raw_header.strip())
            columns.append(key or None)
        else:
            if key != col:
                report.renamed_columns[raw_header.strip()] = col
            columns.append(col)
    if "date" not in columns:
        unknown = _unknown_columns_text(report.unknown_columns)
        raise DiaryError(
            name,
            [Problem(1, "date", ",".join(header)[:80], "a header row with a 'date' column")],
            "the diary has no 'date' column" + (f"; not recognised: {unknown}" if unknown else ""),
        )
    if report.unknown_columns:
        report.warnings.append("columns not recognised, kept as text: "
                               + _unknown_columns_text(report.unknown_columns)
                               + " (the diary's columns are listed in docs/diary.md)")

    limit = today or _today(zone)
    records: list[dict[str, Any]] = []
    for i, cells in enumerate(body, start=2):
        if not any(c.strip() for c in cells):
            report.blank_rows += 1
            continue
        report.rows += 1
        rec: dict[str, Any] = {"row": i}
        if len(cells) > len(columns):
            extra = [c for c in cells[len(columns) :] if c.strip()]
            if extra:
                report.problems.append(
                    Problem(
                        i,
                        "(beyond last column)",
                        ";".join(extra)[:80],
                        f"at most {len(columns)} cells, as in the header",
                    )
                )
        for col_name, raw_value in zip(columns, cells, strict=False):
            if col_name is None:
                continue
            raw = raw_value.strip()
            if len(raw) > MAX_CELL_CHARS:
                report.problems.append(
                    Problem(i, col_name, raw[:40] + "...", f"at most {MAX_CELL_CHARS} characters (cell cut)")
                )
                raw = raw[:MAX_CELL_CHARS]
            spec = COLUMNS_BY_NAME.get(col_name)
            if not raw:
                continue
            if spec is None:
                rec[col_name] = raw
                continue
            if spec.vocabulary is not None:  # words from a vocabulary: keep the known ones
                got = read_terms(spec, raw)
                report.warnings += [f"row {i}, column '{col_name}': {n}" for n in got.notes]
                if got.expected is not None:
                    report.problems.append(Problem(i, col_name, "; ".join(got.unknown)[:80], got.expected))
                if got.terms:
                    rec[col_name] = got.terms
                continue
            value, expected = parse_cell(spec, raw)
            if col_name == "muscles":
                rec["_muscles_raw"] = raw[:80]
            if expected is not None:
                report.problems.append(Problem(i, col_name, raw[:80], expected))
                continue
            rec[col_name] = value
        _check_row(rec, limit, report)
        records.append(rec)
    extra_cols = [c for c in columns if c and c not in COLUMNS_BY_NAME]
    episodes, context = _frames(records, extra_cols, zone, report)
    report.problems.sort(key=lambda p: p.row)
    if report.problems and errors == "raise":
        raise DiaryError(name, report.problems)
    if report.problems and errors == "warn":
        warn(f"{name}: {len(report.problems)} problem(s) in the diary; the bad cells were left blank "
             "(see Diary.report.problems)", DataQualityWarning)
    return Diary(episodes, context, tz, report)


#: How close a header must be to a known column name to be suggested (difflib ratio, 0-1).
SUGGEST_CUTOFF = 0.6


def closest_columns(header: str, *, n: int = 2, cutoff: float = SUGGEST_CUTOFF) -> list[str]:
    """The accepted header names closest to an unknown ``header``, best first, one per column.

    Each is a column name or one of its aliases (``HEADER_ALIASES``); an alias
    is written ``"alias (= column)"``.
    """
    key = normalise_header(header)
    out: dict[str, str] = {}
    for alias in difflib.get_close_matches(key, list(HEADER_ALIASES), n=4 * n, cutoff=cutoff):
        col = HEADER_ALIASES[alias]
        out.setdefault(col, col if alias == col else f"{alias} (= {col})")
    return list(out.values())[:n]


def _unknown_columns_text(unknown: list[str]) -> str:
    """``'Muskel' (closest known: muscle (= muscles)), 'foo' (no close name)``."""
    parts = []
    for h in unknown:
        near = closest_columns(h)
        parts.append(f"{h!r} (closest known: {', '.join(near)})" if near else f"{h!r} (no close name)")
    return ", ".join(parts)


def _check_row(rec: dict[str, Any], limit: date, report: DiaryReport) -> None:
    """Cross-field checks; a bad cell is blanked and reported."""
    row = rec["row"]
    if "date" not in rec:
        if not any(p.row == row and p.column == "date" for p in report.problems):
            report.problems.append(Problem(row, "date", "", "a date: every row needs one"))
    elif rec["date"] > limit:
        report.problems.append(Problem(row, "date", rec["date"].isoformat(), f"a date not after {limit}"))
        del rec["date"]
    wb, wa = rec.get("weight_before_kg"), rec.get("weight_after_kg")
    if wb is not None and wa is not None and wa > wb + MAX_WEIGHT_GAIN_KG:
        report.problems.append(
            Problem(
                row,
                "weight_after_kg",
                f"{wa:g}",
                f"at most {MAX_WEIGHT_GAIN_KG:g} kg above weight_before_kg ({wb:g})",
            )
        )
        del rec["weight_after_kg"]
    if "muscles" not in rec:
        filled = [c for c in ("kind", "duration_min", "severity", "weakness", "sleep_disrupted") if c in rec]
        if filled:
            report.warnings.append(
                f"row {row}: {', '.join(filled)} filled but 'muscles' empty; not an episode"
            )
    elif not rec["muscles"]:
        # The cell was filled, so the runner meant an episode: keep it, muscles unknown.
        report.problems.append(Problem(row, "muscles", rec.pop("_muscles_raw", ""),
                                       "muscle names separated by ';' (episode kept, muscles unknown)"))
        rec["_episode"] = True
    if "muscles" in rec and "date" not in rec:
        report.warnings.append(f"row {row}: an episode without a usable date: it is kept but not placed "
                               "in time (not linked to a run)")
    rec.pop("_muscles_raw", None)


def _localize(
    dates: pd.Series, times: pd.Series, zone: ZoneInfo | None, rows: pd.Series, report: DiaryReport
) -> tuple[pd.Series, pd.Series]:
    local_naive = pd.to_datetime(
        dates.dt.strftime("%Y-%m-%d") + " " + times.fillna(""), format="%Y-%m-%d %H:%M", errors="coerce"
    )
    if zone is None:
        empty = pd.Series(pd.NaT, index=dates.index, dtype="datetime64[ns, UTC]")
        return empty, empty
    local = local_naive.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    bad = local.isna() & local_naive.notna()
    for r, t in zip(rows[bad], local_naive[bad], strict=True):
        report.problems.append(
            Problem(int(r), "time", f"{t:%H:%M}", f"a local time that exists once in {zone.key} (DST change)")
        )
    return local, local.dt.tz_convert("UTC")


def _frames(
    records: list[dict[str, Any]], extra_cols: list[str], zone: ZoneInfo | None, report: DiaryReport
) -> tuple[pd.DataFrame, pd.DataFrame]:
    df = pd.DataFrame.from_records(records) if records else pd.DataFrame({"row": pd.Series(dtype="int64")})
    # A filled but unreadable muscles cell still makes the row an episode (reported in _check_row).
    marked = (df.pop("_episode").fillna(False).astype(bool) if "_episode" in df
              else pd.Series(False, index=df.index))
    for c in DIARY_COLUMNS:
        if c.name not in df:
            df[c.name] = pd.Series([None] * len(df), dtype=object)
    df["row"] = df["row"].astype("int64")
    df["date"] = pd.to_datetime(df["date"], errors="coerce")
    for c in DIARY_COLUMNS:
        if c.kind in ("date", "list", "terms"):
            continue
        df[c.name] = df[c.name].astype(KIND_DTYPES[c.kind])  # type: ignore[call-overload]  # dtype names from KIND_DTYPES
    for c in DIARY_COLUMNS:
        if c.kind in ("list", "terms"):
            df[c.name] = [v if isinstance(v, list) else [] for v in df[c.name]]

    is_episode = (df["muscles"].map(len) > 0) | marked
    ep = df[is_episode].copy()
    ep["kind"] = ep["kind"].fillna("twitch")
    # plain-Python key: string + float arithmetic differs between pandas string backends
    key = pd.Series(
        [
            f"{d}|{t if isinstance(t, str) else ''}|{';'.join(m)}|{k}"
            for d, t, m, k in zip(ep["date"], ep["time"], ep["muscles"], ep["kind"], strict=True)
        ],
        index=ep.index,
        dtype=object,
    )
    dup = key.duplicated()
    first_row = ep.groupby(key)["row"].transform("first")
    report.duplicate_episodes = [int(r) for r in ep.loc[dup, "row"]]
    for r, first in zip(ep.loc[dup, "row"], first_row[dup], strict=True):
        report.problems.append(
            Problem(
                int(r),
                "muscles",
                ";".join(ep.loc[ep["row"] == r, "muscles"].iloc[0]),
                f"a new episode (repeats row {first}; left out)",
            )
        )
    ep = ep[~dup]
    local, utc = _localize(ep["date"], ep["time"], zone, ep["row"], report)
    ep["onset_local"] = local
    ep["onset_utc"] = utc
    ep.insert(0, "episode_id", [f"E{r}" for r in ep["row"]])
    ep_cols = [
        "episode_id",
        "row",
        "date",
        "time",
        "onset_local",
        "onset_utc",
        *[c.name for c in DIARY_COLUMNS if c.episode and c.name != "time"],
        *ROW_COLUMNS_ON_EPISODES,
    ]
    episodes = ep[ep_cols].reset_index(drop=True)

    ctx_cols = ["row", "date", *[c.name for c in DIARY_COLUMNS if not c.episode and c.name != "date"]]
    context = df[ctx_cols].copy()
    context["has_episode"] = is_episode
    for name in extra_cols:
        context[name] = (
            df[name].astype("string") if name in df else pd.Series(pd.NA, index=df.index, dtype="string")
        )
    return episodes, context.reset_index(drop=True)


def write_diary_csv(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write a diary-like frame to CSV with formula-like text cells escaped."""
    safe: Callable[[object], object] = escape_formula
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype == object or str(out[c].dtype) == "string":
            out[c] = out[c].map(lambda v: safe(";".join(v) if isinstance(v, list) else v))
    out.to_csv(path, index=False)

