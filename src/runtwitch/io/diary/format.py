"""The diary format: its columns (one table) and how a typed cell becomes a value.

:data:`DIARY_COLUMNS` defines every column: its type, its valid range, its
meaning and the header names also accepted. It drives the parsing of cells
(:func:`parse_cell`: yes/no words, decimal commas, dates and times as people
type them), the validation in ``runtwitch.io.diary`` and the column table of
``docs/diary.md`` (:func:`markdown_table`). :func:`escape_formula` keeps text
cells from being read as formulas when a diary is written back as CSV.

The ``symptoms`` column takes words from a documented vocabulary
(:data:`SYMPTOMS`, shipped as ``runtwitch/io/diary/symptoms.toml``; its table in
``docs/diary.md`` is :func:`symptoms_markdown`): synonyms, other languages
and typos are read as the term they name, and unknown words are reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from runtwitch.model.vocabulary import Reading, Vocabulary, load_toml

_SYMPTOM_TABLE = load_toml("runtwitch.io.diary", "symptoms.toml")
#: The vocabulary of the ``symptoms`` column: term -> the words accepted for it.
SYMPTOMS = Vocabulary({k: v["words"] for k, v in _SYMPTOM_TABLE.items()}, name="symptoms")
#: How runtwitch names each symptom term.
SYMPTOM_LABELS: dict[str, str] = {k: v["label"] for k, v in _SYMPTOM_TABLE.items()}


@dataclass(frozen=True)
class DiaryColumn:
    """One diary column: name, type, valid range, meaning and accepted aliases."""

    name: str
    kind: str  # date, time, text, list, terms, bool, number, integer, choice
    description: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    episode: bool = False  # describes the twitch episode rather than the run
    vocabulary: Vocabulary | None = field(default=None, compare=False, repr=False)  # kind "terms"


DIARY_COLUMNS: tuple[DiaryColumn, ...] = (
    DiaryColumn(
        "date", "date", "Local calendar date, YYYY-MM-DD. The only required column.", aliases=("day",)
    ),
    DiaryColumn(
        "time",
        "time",
        "Local time of the twitch onset, HH:MM.",
        aliases=("onset", "onset_time"),
        episode=True,
    ),
    DiaryColumn(
        "muscles",
        "list",
        "Where it twitched, ';'-separated (left calf; right quadriceps). A filled cell makes the row an episode.",
        aliases=("muscle", "where", "location"),
        episode=True,
    ),
    DiaryColumn(
        "kind",
        "choice",
        "twitch (default), cramp or spasm.",
        choices=("twitch", "cramp", "spasm"),
        aliases=("type",),
        episode=True,
    ),
    DiaryColumn(
        "duration_min",
        "number",
        "How long the episode lasted [min].",
        0,
        24 * 60,
        aliases=("duration", "minutes"),
        episode=True,
    ),
    DiaryColumn("severity", "number", "Severity, 0-10.", 0, 10, episode=True),
    DiaryColumn("weakness", "bool", "yes/no: the muscle felt weak.", episode=True),
    DiaryColumn(
        "sleep_disrupted",
        "bool",
        "yes/no: twitching kept the runner awake or woke them.",
        aliases=("sleep_disruption",),
        episode=True,
    ),
    DiaryColumn(
        "run",
        "text",
        "Which of the day's activities the row refers to: its local start HH:MM or file name (default: the day's longest run).",
    ),
    DiaryColumn(
        "fluid_before_l",
        "number",
        "Fluid drunk in the 2 h before the run [L].",
        0,
        10,
        aliases=("fluid_before",),
    ),
    DiaryColumn(
        "fluid_during_l", "number", "Fluid drunk during the run [L].", 0, 15, aliases=("fluid_during",)
    ),
    DiaryColumn(
        "fluid_after_l",
        "number",
        "Fluid drunk in the 2 h after the run [L].",
        0,
        10,
        aliases=("fluid_after",),
    ),
    DiaryColumn("electrolytes", "bool", "yes/no: electrolyte drink, tablets or salty food around the run."),
    DiaryColumn(
        "sodium_mg", "number", "Sodium taken around the run, if known [mg].", 0, 20000, aliases=("sodium",)
    ),
    DiaryColumn(
        "carbs_before_g",
        "number",
        "Carbohydrate in the 2 h before the run [g].",
        0,
        1000,
        aliases=("carbs_before",),
    ),
    DiaryColumn(
        "carbs_during_g", "number", "Carbohydrate during the run [g].", 0, 1000, aliases=("carbs_during",)
    ),
    DiaryColumn("meal_hours_before", "number", "Hours between the last full meal and the run [h].", 0, 72),
    DiaryColumn("spicy_meal", "bool", "yes/no: a spicy meal before the run."),
    DiaryColumn(
        "cooldown_min",
        "number",
        "Minutes of easy jogging/walking after the run; overrides what the file shows [min].",
        0,
        180,
        aliases=("cooldown",),
    ),
    DiaryColumn("stretched", "bool", "yes/no: stretched after the run."),
    DiaryColumn(
        "weight_before_kg",
        "number",
        "Body mass right before the run [kg].",
        25,
        250,
        aliases=("weight_before",),
    ),
    DiaryColumn(
        "weight_after_kg", "number", "Body mass right after the run [kg].", 25, 250, aliases=("weight_after",)
    ),
    DiaryColumn(
        "urine_color",
        "integer",
        "1-8 on the usual urine colour chart (1 pale, 8 dark).",
        1,
        8,
        aliases=("urine_colour", "urine"),
    ),
    DiaryColumn("thirst", "bool", "yes/no: felt thirsty."),
    DiaryColumn("dizziness", "bool", "yes/no: felt dizzy."),
    DiaryColumn(
        "symptoms",
        "terms",
        "';'-separated symptoms during or after the run, from the vocabulary below (dark urine; headache; chest pain). Some of them call for medical care the same day.",
        aliases=("symptom",),
        vocabulary=SYMPTOMS,
    ),
    DiaryColumn("fatigue", "bool", "yes/no: felt unusually tired."),
    DiaryColumn(
        "air_temp_c",
        "number",
        "Air temperature during the run, if noted [°C].",
        -40,
        55,
        aliases=("temperature_c", "temp_c", "air_temp"),
    ),
    DiaryColumn(
        "humidity_pct",
        "number",
        "Relative humidity during the run, if noted [%].",
        0,
        100,
        aliases=("humidity",),
    ),
    DiaryColumn("rpe", "number", "Session effort, 0-10 (CR-10 scale).", 0, 10, aliases=("effort",)),
    DiaryColumn(
        "sleep_h", "number", "Hours slept the night before [h].", 0, 24, aliases=("sleep", "sleep_hours")
    ),
    DiaryColumn(
        "caffeine_mg",
        "number",
        "Caffeine that day [mg]: an espresso about 60-100, a cup of filter coffee about 100-150, a cola about 35.",
        0,
        2000,
        aliases=("caffeine",),
    ),
    DiaryColumn(
        "alcohol_units",
        "number",
        "Alcohol the evening before, UK units of 8 g: a pint of beer about 2-3, a glass of wine about 2.",
        0,
        50,
        aliases=("alcohol",),
    ),
    DiaryColumn("stress", "integer", "Stress that day, 0 (none) to 10 (extreme).", 0, 10),
    DiaryColumn(
        "medications",
        "list",
        "';'-separated names of medicines taken that day.",
        aliases=("medication", "meds", "medicines"),
    ),
    DiaryColumn(
        "recovery",
        "list",
        "';'-separated things done afterwards (foam rolling; massage; cupping; trigger point).",
        aliases=("recovery_measures",),
    ),
    DiaryColumn("notes", "text", "Free text.", aliases=("note", "comment", "comments")),
)
COLUMNS_BY_NAME = {c.name: c for c in DIARY_COLUMNS}
#: Columns of the run or day that are also kept on the episode frame, as written
#: on the episode's own row: what a runner wrote next to the twitch counts for that
#: episode whatever run it links to (the safety gates and red flags read them; the
#: day's triggers, sleep, caffeine, alcohol and stress, are weighed from them when
#: no run is linked).
ROW_COLUMNS_ON_EPISODES: tuple[str, ...] = (
    "urine_color",
    "dizziness",
    "symptoms",
    "medications",
    "recovery",
    "notes",
    "sleep_h",
    "caffeine_mg",
    "alcohol_units",
    "stress",
)
#: Every accepted header name (the column name and its aliases) -> the column name.
HEADER_ALIASES = {a: c.name for c in DIARY_COLUMNS for a in (c.name, *c.aliases)}

_YES = {"yes", "y", "true", "t", "1", "x", "ja", "oui", "si", "sí"}
_NO = {"no", "n", "false", "f", "0", "nein", "non"}
#: pandas dtype of each column kind (nullable, so "not logged" survives).
KIND_DTYPES = {
    "date": "datetime64[ns]",
    "time": "string",
    "text": "string",
    "list": "object",
    "terms": "object",
    "bool": "boolean",
    "number": "Float64",
    "integer": "Int64",
    "choice": "string",
}
#: Characters that make a spreadsheet treat a cell as a formula when exported.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def normalise_header(name: str) -> str:
    """Header cell -> column key: lower case, spaces and dashes to underscores."""
    return re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff").lower())


_NUM = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def _number(raw: str) -> float | None:
    """A number as typed: decimal point or decimal comma, spaces as thousands separators."""
    s = raw.replace("\u00a0", "").replace(" ", "")
    if not _NUM.match(s):
        return None
    if "," in s:
        s = s.replace(",", ".")
    try:
        return float(s)
    except ValueError:
        return None


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%Y.%m.%d")
_TIME = re.compile(r"^(\d{1,2})[:h.](\d{2})(?::(\d{2}))?$")


def parse_cell(col: DiaryColumn, raw: str) -> tuple[Any, str | None]:
    """Return (value, None) or (None, what was expected)."""
    if col.kind == "date":
        for fmt in _DATE_FORMATS:
            try:
                return datetime.strptime(raw, fmt).date(), None
            except ValueError:
                continue
        return None, "a date as YYYY-MM-DD"
    if col.kind == "time":
        m = _TIME.match(raw)
        if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
            return f"{int(m.group(1)):02d}:{m.group(2)}", None
        return None, "a local time as HH:MM (00:00-23:59)"
    if col.kind == "bool":
        low = raw.lower()
        if low in _YES:
            return True, None
        if low in _NO:
            return False, None
        return None, "yes/no (also y/n, true/false, 1/0)"
    if col.kind in ("number", "integer"):
        v = _number(raw)
        rng = f"{col.low:g} to {col.high:g}" if col.low is not None and col.high is not None else ""
        if v is None:
            return None, f"a number ({rng})" if rng else "a number"
        if col.kind == "integer" and v != int(v):
            return None, f"a whole number ({rng})"
        if (col.low is not None and v < col.low) or (col.high is not None and v > col.high):
            hint = ""
            if col.name.startswith("fluid_") and v >= 50:
                hint = "; this looks like millilitres – write litres"
            return None, f"a number from {rng}{hint}"
        return (int(v) if col.kind == "integer" else v), None
    if col.kind == "choice":
        low = raw.lower()
        if low in col.choices:
            return low, None
        return None, "one of " + ", ".join(col.choices)
    if col.kind == "list":
        return _items(raw), None
    if col.kind == "terms":
        got = read_terms(col, raw)
        return got.terms, got.expected
    return raw, None


def _items(raw: str) -> list[str]:
    return [x.strip().lower() for x in re.split(r"[;|]", raw) if x.strip()]


@dataclass(frozen=True)
class TermsRead:
    """What a ``terms`` cell said: the terms, the items not recognised, notes on typos read."""

    column: str
    terms: list[str]
    unknown: list[str]
    notes: list[str]

    @property
    def expected(self) -> str | None:
        """The problem to report when some items were not recognised, else None."""
        if not self.unknown:
            return None
        shown = ", ".join(f"'{u}'" for u in self.unknown)
        return (
            f"{self.column} words from the vocabulary in docs/diary.md; not recognised: {shown} "
            "(left out; the other words of the cell were kept)"
        )


def read_terms(col: DiaryColumn, raw: str) -> TermsRead:
    """Read a ``terms`` cell with the column's vocabulary.

    Each ``;``-separated item names one or more terms; an item that names none
    is unknown, one that says it did not happen ("no headache") is left out,
    and a typo read as a term gives a note ("read 'diziness' as dizziness").
    """
    if col.vocabulary is None:
        raise ValueError(f"column {col.name!r} has no vocabulary")
    terms: list[str] = []
    unknown: list[str] = []
    notes: list[str] = []
    for item in _items(raw):
        readings: list[Reading] = col.vocabulary.scan(item)[0]
        if not readings:
            unknown.append(item)
        for r in readings:
            if r.note:
                notes.append(r.note)
            if r.term is not None and not r.negated and r.term not in terms:
                terms.append(r.term)
    return TermsRead(col.name, terms, unknown, notes)


def escape_formula(value: object) -> object:
    """Make a text cell safe to write into a CSV that a spreadsheet will open.

    Cells starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return are
    prefixed with a single quote so that no spreadsheet evaluates them
    (CSV/formula injection). Numbers and other values are returned unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def markdown_table() -> str:
    """The column table of ``docs/diary.md``, generated from :data:`DIARY_COLUMNS`."""
    lines = ["| column | type | valid | meaning | also accepted |", "|---|---|---|---|---|"]
    for c in DIARY_COLUMNS:
        valid = (
            f"{c.low:g}–{c.high:g}"
            if c.low is not None and c.high is not None
            else ", ".join(c.choices)
            if c.choices
            else ""
        )
        if c.vocabulary is not None:
            valid = "see [the vocabulary](#symptoms)"
        aliases = ", ".join(f"`{a}`" for a in c.aliases)
        lines.append(f"| `{c.name}` | {c.kind} | {valid} | {c.description} | {aliases} |")
    return "\n".join(lines) + "\n"


def symptoms_markdown() -> str:
    """The symptom vocabulary table of ``docs/diary.md``, generated from :data:`SYMPTOMS`."""
    lines = ["| term | meaning | words accepted (any case, accents optional) |", "|---|---|---|"]
    for term, t in _SYMPTOM_TABLE.items():
        words = ", ".join(t["words"])
        lines.append(f"| `{term}` | {t['label']} | {words} |")
    return "\n".join(lines) + "\n"
