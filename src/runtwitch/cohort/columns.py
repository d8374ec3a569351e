"""The tables of the cohort dataset: one definition for the Arrow schema, the export and the docs.

Every column comes from the definitions the single-runner tables already
have: the run and day tables from :data:`runtwitch.features.columns.RUN_COLUMNS`
and :data:`~runtwitch.features.columns.DAILY_COLUMNS`, the episode columns a
runner types from the diary format (:data:`runtwitch.io.diary.DIARY_COLUMNS`).
Only columns that exist nowhere else as a table (the episode links, causes,
patterns and import reports) are defined here. :func:`markdown` writes the
schema section of ``docs/cohort.md`` from these tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from runtwitch.features.columns import DAILY_COLUMNS, RUN_COLUMNS, FeatureColumn
from runtwitch.io.diary import DIARY_COLUMNS

#: Bumped when the layout or the columns of the dataset change (part of every fingerprint).
COHORT_FORMAT = 1
#: The partition column of every table: the athlete's pseudonym.
PARTITION = "athlete"
#: Diary columns where a runner writes whatever they like (names, places, doctors):
#: left out of the dataset unless ``include_notes=True``.
FREE_TEXT = ("notes", "medications", "recovery")
#: Diary column kinds as cohort dtypes.
_DIARY_DTYPES = {
    "date": "datetime",
    "time": "string",
    "text": "string",
    "list": "list[string]",
    "bool": "boolean",
    "number": "float64",
    "integer": "int64",
    "choice": "string",
}
_DIARY = {c.name: c for c in DIARY_COLUMNS}


def _from_feature(c: FeatureColumn) -> FeatureColumn:
    """A feature column with an exact dtype: ``object`` becomes a string, or a list for diary lists."""
    if c.dtype != "object":
        return c
    diary = _DIARY.get(c.name.removeprefix("diary_")) if c.name.startswith("diary_") else None
    return replace(c, dtype="list[string]" if diary is not None and diary.kind == "list" else "string")


def _from_diary(name: str) -> FeatureColumn:
    """A diary column as a cohort column (unit from the ``[unit]`` in its description)."""
    d = _DIARY[name]
    unit = re.findall(r"\[([^\]]+)\]", d.description)
    return FeatureColumn(d.name, _DIARY_DTYPES[d.kind], unit[-1] if unit else "", f"Diary: {d.description}")


S, F, INT, L = "string", "float64", "int64", "list[string]"
C = FeatureColumn


@dataclass(frozen=True)
class Table:
    """One table of the dataset: a folder of per-athlete Parquet partitions."""

    name: str
    description: str
    columns: tuple[FeatureColumn, ...]
    #: Exported only with ``include_positions=True``.
    positions: bool = False

    def column_names(self, *, include_notes: bool = False) -> list[str]:
        """The columns written, in order (free text only with ``include_notes``)."""
        return [c.name for c in self.columns if include_notes or not is_free_text(c.name)]

    def schema(self, *, include_notes: bool = False) -> Any:
        """The ``pyarrow.Schema`` of one partition file (the athlete column is the folder)."""
        import pyarrow as pa

        names = set(self.column_names(include_notes=include_notes))
        return pa.schema([(c.name, arrow_type(c)) for c in self.columns if c.name in names])


def is_free_text(name: str) -> bool:
    """True for a column holding a runner's free text (see :data:`FREE_TEXT`)."""
    return name.removeprefix("diary_") in FREE_TEXT


def arrow_type(c: FeatureColumn) -> Any:
    """The Arrow type of a cohort column's dtype (local times are stored as wall-clock time)."""
    import pyarrow as pa

    if c.dtype == "datetime":
        return pa.timestamp("ns", tz="UTC" if c.unit == "UTC" else None)
    types = {
        "float64": pa.float64(),
        "int64": pa.int64(),
        "bool": pa.bool_(),
        "boolean": pa.bool_(),
        "string": pa.string(),
        "list[string]": pa.list_(pa.string()),
        "list[float64]": pa.list_(pa.float64()),
    }
    return types[c.dtype]


_EPISODE_ID = C("episode_id", S, "", "Episode id (E + the diary row).")
_ACTIVITY_ID = C(
    "activity_id", S, "", "The run: file name of the activity (made unique) in the athlete's folder."
)

RUNS = Table(
    "runs",
    "One row per activity: the per-run features of `runtwitch.run_features` (see docs/features.md). "
    "`source` is the file's path relative to the athlete's folder.",
    tuple(_from_feature(c) for c in RUN_COLUMNS),
)
DAYS = Table(
    "days",
    "One row per calendar day: the per-day features of `runtwitch.daily_features` (see docs/features.md).",
    tuple(_from_feature(c) for c in DAILY_COLUMNS),
)
EPISODES = Table(
    "episodes",
    "One row per twitch episode of the diary, linked to its run, with the top cause and the red flags.",
    (
        _EPISODE_ID,
        C("row", INT, "", "Row of the episode in the diary (the header is row 1)."),
        _from_diary("date"),
        _from_diary("time"),
        C("onset_local", "datetime", "local", "Onset as local wall-clock time (diary date and time)."),
        C("onset_utc", "datetime", "UTC", "Onset in UTC (needs the athlete's time zone)."),
        *(_from_diary(d.name) for d in DIARY_COLUMNS if d.episode and d.name != "time"),
        _from_diary("notes"),
        _ACTIVITY_ID,
        C("run_end_utc", "datetime", "UTC", "End of the linked run."),
        C("hours_after_run", F, "h", "Onset minus the end of the linked run (NaN without a time)."),
        C("link_rule", S, "", "How the run was found (see docs/diary.md)."),
        C("top_cause", S, "", "The highest-ranked cause with a score above 0 (see docs/rules.md), or null."),
        C("flags", L, "", "Red flags raised for the episode (ids, see docs/rules.md)."),
    ),
)
CAUSES = Table(
    "causes",
    "One row per episode and cause. The rule's title, remedies and evidence grade are the same for "
    "every row of a cause and are not repeated: see docs/rules.md or `runtwitch.rules.RULES`.",
    (
        _EPISODE_ID,
        C("cause", S, "", "Cause id (see docs/rules.md)."),
        C("score", F, "", "0-1; null when not assessed (missing data)."),
        C("rank", INT, "", "1 for the most likely cause of the episode; null when not assessed."),
        C("status", S, "", "assessed or not assessed."),
        C("evidence", L, "", "Sentences: what in the data points to the cause."),
        C("points", "list[float64]", "", "The score each evidence sentence added."),
        C("missing", L, "", "What to log to assess the cause better."),
    ),
)
_FACTOR = C("factor", S, "", "Factor id (see docs/rules.md, personal patterns).")
#: A 2x2 table of runs and the runs followed by an episode, with and without a factor.
_COUNTS = (
    C("runs_with", INT, "", "Runs with the factor."),
    C("episodes_with", INT, "", "Of those, runs followed by an episode."),
    C("runs_without", INT, "", "Runs without the factor."),
    C("episodes_without", INT, "", "Of those, runs followed by an episode."),
)
_CI = (
    C("ci_low", F, "", "Lower end of its 95 % interval."),
    C("ci_high", F, "", "Upper end of its 95 % interval."),
)
PATTERNS = Table(
    "patterns",
    "The athlete's own 2x2 counts per run factor (`runtwitch.rules.patterns.pattern_counts`: every "
    "factor seen on at least one run with it and one without it, without the single-runner minimums). "
    "The input of the pooled patterns.",
    (
        _FACTOR,
        C("label", S, "", "The factor in words."),
        *_COUNTS,
    ),
)
IMPORTS = Table(
    "imports",
    "One row per input file: activity files, the diary and athlete.toml, with what was read, dropped "
    "and repaired. Paths are relative to the athlete's folder; messages never hold the folder's path.",
    (
        C("path", S, "", "The file, relative to the athlete's folder."),
        C("input", S, "", "activity, diary or athlete."),
        C("status", S, "", "ok, partial (damaged or with diary problems), error or skipped (a course)."),
        C("error_type", S, "", "The runtwitch error class when the file failed (see docs/errors.md)."),
        C("error", S, "", "The error message."),
        C("format", S, "", "The importer that read the file."),
        C("sport", S, "", "The activity's sport."),
        C("rows", INT, "", "Rows kept (records of an activity, data rows of the diary)."),
        C("source_records", INT, "", "Records found in the file."),
        C("dropped", S, "", "JSON object {reason: count} of dropped records (see docs/schema.md)."),
        C("repaired", S, "", "JSON object {reason: count} of repaired values."),
        C("warnings", L, "", "Warnings of the import (file names relative)."),
        C("problems", L, "", "Diary problems: row, column and what was expected (the cell's text only "
          "with include_notes)."),
    ),
)
POSITIONS = Table(
    "positions",
    "Only with `include_positions=True`: where each activity started and ended (first and last valid "
    "position). Tracks are never exported.",
    (
        _ACTIVITY_ID,
        C("start_lat_deg", F, "°", "Latitude of the first valid position."),
        C("start_lon_deg", F, "°", "Longitude of the first valid position."),
        C("end_lat_deg", F, "°", "Latitude of the last valid position."),
        C("end_lon_deg", F, "°", "Longitude of the last valid position."),
    ),
    positions=True,
)
#: Every table of the dataset, in the order they are written and documented.
TABLES: tuple[Table, ...] = (RUNS, DAYS, EPISODES, CAUSES, PATTERNS, IMPORTS, POSITIONS)

#: The per-athlete status table (``athletes.parquet``, one file for the run).
ATHLETES = Table(
    "athletes",
    "One row per athlete of the source: how the analysis went and what it found.",
    (
        C(PARTITION, S, "", "The athlete's pseudonym (salted hash of the folder name or manifest id)."),
        C("status", S, "", "ok, partial (some files failed or diary problems), unchanged (inputs unchanged "
          "since the stored result) or error (not analysed)."),
        C("error_type", S, "", "Why the athlete was not analysed (a runtwitch error class, NoActivityFiles, "
          "InternalError, KilledWorker)."),
        C("error", S, "", "The message, without the athlete's folder path."),
        C("files", INT, "", "Activity files found."),
        C("imported", INT, "", "Activities imported (ok or partial)."),
        C("failed", INT, "", "Activity files that failed."),
        C("runs", INT, "", "Runs (running activities)."),
        C("episodes", INT, "", "Episodes in the diary."),
        C("red_flags", INT, "", "Episodes with at least one red flag."),
        C("diary_problems", INT, "", "Problems reported by the diary reader."),
        C("warnings", L, "", "Remarks about the inputs (e.g. no time zone)."),
        C("seconds", F, "s", "Time the analysis took (of the run that produced the stored result)."),
        C("analysed_utc", "datetime", "UTC", "When the stored result was produced."),
    ),
)

#: The pooled patterns (``pooled_patterns.parquet``), see :func:`runtwitch.cohort.pooled_patterns`.
POOLED = Table(
    "pooled_patterns",
    "One row per run factor: the athletes' risk ratios pooled by a DerSimonian-Laird random-effects "
    "meta-analysis. Associations, not causes; the estimate is filled only above the minimums.",
    (
        _FACTOR,
        C("label", S, "", "What the factor means."),
        C("athletes", INT, "", "Athletes contributing (with an episode on at least one side)."),
        *(replace(c, description=c.description + " Summed over them.") for c in _COUNTS),
        C("relative_risk", F, "", "Pooled risk ratio (random effects)."),
        *_CI,
        C("tau2", F, "", "Between-athlete variance of the log risk ratios (DerSimonian-Laird)."),
        C("i2_pct", F, "%", "I²: share of the spread between athletes beyond chance."),
        C("q", F, "", "Cochran's Q."),
        C("shown", "bool", "", "True when above the minimums (athletes, episodes)."),
    ),
)


def table(name: str) -> Table:
    """The table of that name (the dataset tables, ``athletes`` and ``pooled_patterns``)."""
    return {t.name: t for t in (*TABLES, ATHLETES, POOLED)}[name]


def markdown() -> str:
    """The schema section of ``docs/cohort.md``, generated from the tables."""
    out = []
    for t in (*TABLES, ATHLETES, POOLED):
        single = t in (ATHLETES, POOLED)
        where = f"`{t.name}.parquet`" if single else f"`{t.name}/{PARTITION}=<pseudonym>/part-0.parquet`"
        out += [f"### `{t.name}`", "", f"{where}. {t.description}", ""]
        out += ["| column | type | unit | meaning | exported |", "|---|---|---|---|---|"]
        for c in t.columns:
            when = "with include_positions" if t.positions else (
                "with include_notes" if is_free_text(c.name) else "always")
            desc = c.description.replace("|", "\\|")
            out.append(f"| `{c.name}` | {c.dtype} | {c.unit or '–'} | {desc} | {when} |")
        out.append("")
    return "\n".join(out)
