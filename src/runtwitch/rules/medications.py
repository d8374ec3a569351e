"""Medicines linked to muscle cramps or twitches: classes as data, read by any name.

The classes, their evidence and the names people write for their medicines
(generic names, brands, German, French, Spanish, Italian, Portuguese and Dutch
spellings) are data: ``runtwitch/rules/medicines.toml``, loaded into
:data:`MEDICATION_CLASSES`. A logged medicine is read by
:func:`read_medications`: exact names first, then typos (``hydrochlorthiazide``
reads as hydrochlorothiazide, and the reading says so); common medicines
outside the classes (ibuprofen, paracetamol, ...) are recognised and never
read as a class medicine; anything else is listed as unknown, never guessed.

Each class carries its evidence: a population study's effect (Garrison et al.
2012, 4.2 million people) and a weight derived from it, or what a label or a
regulator says. A recent start or dose change weighs more than a medicine taken
unchanged for long (:func:`medication_history`, :func:`recency`), because the
study measured cramp treatment in the year after a start.

Add classes without editing runtwitch: :func:`register_medication_class`, or a
TOML file in the format of ``medicines.toml`` read by
:func:`load_medication_classes`. runtwitch never suggests stopping or changing
a medicine.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import pandas as pd

from runtwitch.model.vocabulary import Vocabulary, load_toml, normalise

#: Languages whose spellings the medicine table carries (besides English).
LANGUAGES: tuple[str, ...] = ("de", "fr", "es", "it", "pt", "nl")
#: A start or dose change first logged at most this many days before an episode
#: is recent [days]: Garrison et al. 2012 compared cramp treatment in the year
#: after a start with the year before, so their effect applies to that year.
RECENT_START_DAYS = 365
#: Weight kept by a medicine that is not a recent start (taken unchanged for
#: longer, or since before the diary began) [fraction]. runtwitch's choice: the
#: study measured only the year after a start, and says nothing for later years.
LONG_STANDING_FACTOR = 0.5

EvidenceKind = Literal["study", "product information", "regulator", "reported"]
Timing = Literal["start", "long_term"]
Status = Literal["new", "dose changed", "long-standing", "start unknown"]


@dataclass(frozen=True)
class MedicationClass:
    """A class of medicines, the names that identify it, and the evidence for it.

    Attributes
    ----------
    key, label, note
        Identifier, name for people, and why it matters (a few words).
    names
        Every name that identifies the class: generic names, brands, other
        spellings and words for the class itself.
    evidence
        ``study`` (a population study measured the effect), ``product
        information``, ``regulator``, or ``reported`` (named, no study found).
    effect, ci
        For ``study``: the effect measured (adjusted sequence ratio) and its
        95 % confidence interval.
    weight
        0-1; None computes it from ``ci`` for a study (:attr:`evidence_weight`).
    weight_note, finding, source, cite
        Why the weight, the evidence in one plain sentence, the full source,
        and a short citation.
    timing
        ``start``: the effect follows a start or dose change; ``long_term``:
        it follows ``long_term_days`` of use.
    medicines
        Generic name -> the names read as that medicine (brands, spellings).
        Names of :attr:`names` that belong to no generic are read as themselves.
    """

    key: str
    label: str
    note: str
    names: tuple[str, ...]
    evidence: EvidenceKind = "reported"
    effect: float | None = None
    ci: tuple[float, float] | None = None
    weight: float | None = None
    weight_note: str = ""
    finding: str = ""
    source: str = ""
    cite: str = ""
    timing: Timing = "start"
    long_term_days: int = 90
    medicines: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    @property
    def evidence_weight(self) -> float:
        """The class weight, 0-1.

        Stated, or for a study ``1 - 1 / ci_low``: the share of cramp-treatment
        starts after a start of the medicine that the study supports at 95 %
        confidence (0 when the interval includes 1).
        """
        if self.weight is not None:
            return float(self.weight)
        if self.evidence == "study" and self.ci is not None:
            return round(max(0.0, 1.0 - 1.0 / self.ci[0]), 2)
        return 0.0


@dataclass(frozen=True)
class Combination:
    """A product containing medicines of one or more classes (``Dyazide``)."""

    name: str
    contains: tuple[str, ...]


def _words(t: Mapping[str, Any]) -> list[str]:
    return [*t.get("also", ()), *(w for lang in LANGUAGES for w in t.get(lang, ())), *t.get("brands", ())]


def _class(t: Mapping[str, Any]) -> MedicationClass:
    if t.get("evidence") == "study" and "weight" in t:
        raise ValueError(f"medicine class {t['key']!r}: a study's weight is computed from its ci, not stated")
    medicines = {m["name"]: tuple(_words(m)) for m in t.get("medicine", ())}
    names = tuple(
        dict.fromkeys(
            [*(n for m, ws in medicines.items() for n in (m, *ws)), *t.get("words", ()), *t.get("names", ())]
        )
    )
    ci = t.get("ci")
    return MedicationClass(
        key=t["key"],
        label=t["label"],
        note=t.get("note", ""),
        names=names,
        evidence=t.get("evidence", "reported"),
        effect=t.get("effect"),
        ci=(float(ci[0]), float(ci[1])) if ci else None,
        weight=t.get("weight"),
        weight_note=t.get("weight_note", ""),
        finding=t.get("finding", ""),
        source=t.get("source", ""),
        cite=t.get("cite", ""),
        timing=t.get("timing", "start"),
        long_term_days=int(t.get("long_term_days", 90)),
        medicines=medicines,
    )


_TABLE = load_toml("runtwitch.rules", "medicines.toml")
#: The medicine classes (from ``medicines.toml``, plus any registered).
MEDICATION_CLASSES: list[MedicationClass] = [_class(t) for t in _TABLE["class"]]
#: Products that contain medicines of the classes.
COMBINATIONS: tuple[Combination, ...] = tuple(
    Combination(c["name"], tuple(c["contains"])) for c in _TABLE.get("combination", ())
)
#: Medicines known by name that belong to no class: name -> (group, names).
OTHER_MEDICINES: dict[str, tuple[str, tuple[str, ...]]] = {
    m[0]: (g["group"], tuple(m[1:])) for g in _TABLE.get("other", ()) for m in g["medicines"]
}
#: What people write when they took nothing ("none", "keine", "aucun").
NOTHING_WORDS: tuple[str, ...] = tuple(_TABLE["nothing"]["words"])
_NOTHING = "(nothing)"
_CLASS_WORD = "(class)"  # the medicine term of words naming a class itself ("statin", "blue inhaler")


def register_medication_class(cls: MedicationClass) -> None:
    """Add (or replace, by ``key``) a medication class."""
    MEDICATION_CLASSES[:] = [c for c in MEDICATION_CLASSES if c.key != cls.key] + [cls]


def load_medication_classes(path: str | os.PathLike[str], *, register: bool = True) -> list[MedicationClass]:
    """Read medicine classes from a TOML file in the format of ``medicines.toml``.

    Parameters
    ----------
    path
        A file with ``[[class]]`` tables (and their ``[[class.medicine]]``).
    register
        Also register them (:func:`register_medication_class`).

    Returns
    -------
    list of MedicationClass
    """
    with open(path, "rb") as f:
        table = tomllib.load(f)
    classes = [_class(t) for t in table.get("class", ())]
    if register:
        for c in classes:
            register_medication_class(c)
    return classes


# --- reading names --------------------------------------------------------------


@dataclass(frozen=True)
class MedicineRead:
    """How one logged medicine was read.

    Attributes
    ----------
    text
        The name as written (one part of a diary entry).
    medicine
        The medicine it was read as (a generic name, a combination product or
        a known medicine outside the classes); None when not recognised.
    classes
        The classes of that medicine (empty outside the classes).
    group
        For a known medicine outside the classes: its group ("painkiller or
        anti-inflammatory"); ``nothing`` for "none".
    note
        What was read from a typo ("read 'hydrochlorthiazide' as
        hydrochlorothiazide"), or why a name was not guessed.
    dose
        The dose written with it ("20 mg"), if any.
    """

    text: str
    medicine: str | None
    classes: tuple[MedicationClass, ...] = ()
    group: str | None = None
    note: str | None = None
    dose: str | None = None


@dataclass(frozen=True, eq=False)  # hashed by identity: one per set of classes
class _Lexicon:
    vocabulary: Vocabulary
    classes: Mapping[str, tuple[MedicationClass, ...]]  # medicine -> classes
    groups: Mapping[str, str]  # other medicine -> group


def _lexicon() -> _Lexicon:
    return _build_lexicon(_Classes(tuple(MEDICATION_CLASSES)))


class _Classes:
    """The medicine classes in force, as the key of their lexicon: equal and hashed by the identity
    of each class. Hashing the classes themselves (dataclasses of many fields) cost more than
    reading a diary's medicines; a key holds its classes, so no identity in it is reused while
    the lexicon is kept."""

    __slots__ = ("classes", "ids")

    def __init__(self, classes: tuple[MedicationClass, ...]) -> None:
        self.classes = classes
        self.ids = tuple(map(id, classes))

    def __hash__(self) -> int:
        return hash(self.ids)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Classes) and self.ids == other.ids


@lru_cache(maxsize=4)
def _build_lexicon(key: _Classes) -> _Lexicon:
    classes = key.classes
    words: dict[str, list[str]] = {}
    of: dict[str, list[MedicationClass]] = {}
    for c in classes:
        grouped = {n for m, ws in c.medicines.items() for n in (m, *ws)}
        for m, ws in c.medicines.items():
            words.setdefault(m, []).extend(ws)
            of.setdefault(m, []).append(c)
        loose = [n for n in c.names if n not in grouped]
        if loose:
            term = f"{c.key} {_CLASS_WORD}"
            words.setdefault(term, []).extend(loose)
            of.setdefault(term, []).append(c)
    for combo in COMBINATIONS:
        inside = [c for m in combo.contains for c in of.get(m, ())]
        words.setdefault(combo.name, [])
        of[combo.name] = list(dict.fromkeys(inside))
    groups = {}
    for name, (group, ws) in OTHER_MEDICINES.items():
        words.setdefault(name, []).extend(ws)
        groups[name] = group
    words[_NOTHING] = list(NOTHING_WORDS)
    groups[_NOTHING] = "nothing"
    return _Lexicon(
        Vocabulary(words, name="medicines"),
        {m: tuple(dict.fromkeys(cs)) for m, cs in of.items()},
        groups,
    )


_PARTS = re.compile(
    r"\s*(?:[,+/&]|\s(?:and|und|et|y|e|en|with|mit|avec|con|com|met|plus)\s)\s*", re.IGNORECASE
)
_DOSE = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(mg|mcg|µg|ug|g|ml|iu|ie|ui|puffs?|hub|tablets?|tabs?)\b", re.IGNORECASE
)


def read_medications(logged: Iterable[str]) -> list[MedicineRead]:
    """Read diary medicine entries (one ``;``-separated item each).

    An entry may name several medicines ("amiloride/hctz", "atorvastatin and
    aspirin") and carry a dose ("atorvastatin 20 mg"). Each part that names
    no known medicine is returned with ``medicine=None``.
    """
    out: list[MedicineRead] = []
    lex = _lexicon()
    for entry in logged:
        out.extend(_read_entry(entry, lex))
    return out


@lru_cache(maxsize=4096)
def _read_entry(entry: str, lex: _Lexicon) -> tuple[MedicineRead, ...]:
    found: list[MedicineRead] = []
    for part in (p for p in _PARTS.split(entry) if normalise(p)):
        dose_match = _DOSE.search(part)
        dose = (
            f"{dose_match.group(1).replace(',', '.')} {dose_match.group(2).lower()}" if dose_match else None
        )
        readings, _ = lex.vocabulary.scan(part)
        readings = [r for r in readings if not r.negated]
        if not readings:
            note = lex.vocabulary.read(part).note
            found.append(MedicineRead(part.strip(), None, note=note, dose=dose))
            continue
        for r in readings:
            assert r.term is not None  # scan returns recognised phrases only
            found.append(
                MedicineRead(
                    part.strip(),
                    r.term,
                    lex.classes.get(r.term, ()),
                    lex.groups.get(r.term),
                    r.note,
                    dose,
                )
            )
    return tuple(found)


def match_medications(logged: Iterable[str]) -> list[tuple[str, MedicationClass]]:
    """(logged name, class) for every logged medicine that belongs to a known class."""
    found: list[tuple[str, MedicationClass]] = []
    for r in read_medications(logged):
        for c in r.classes:
            if (r.text, c) not in found:
                found.append((r.text, c))
    return found


def unknown_medications(logged: Iterable[str]) -> list[MedicineRead]:
    """The logged names that are no medicine runtwitch knows (never guessed)."""
    return [r for r in read_medications(logged) if r.medicine is None]


# --- history: when was a medicine started? ----------------------------------------


def medication_history(
    rows: pd.DataFrame, *, date_column: str = "date", medications_column: str = "medications"
) -> pd.DataFrame:
    """When each medicine was first logged, and when its dose changed.

    Parameters
    ----------
    rows
        Diary rows with a date and a list of medicine entries (the diary's
        ``context``, or any frame with those two columns). Rows whose list is
        empty did not log medicines and are skipped; "none" logs that nothing
        was taken.
    date_column, medications_column
        The column names.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``medicine`` (the name it was read as): ``classes`` (tuple
        of class keys), ``first_logged``, ``last_logged``, ``days_logged``,
        ``start_known`` (an earlier row logged medicines without it, so the
        start is in the diary), ``dose`` (the last dose written) and
        ``dose_changes`` (dates the written dose changed). One pass over the
        rows sorted by date.
    """
    cols = ["classes", "first_logged", "last_logged", "days_logged", "start_known", "dose", "dose_changes"]
    if len(rows) == 0 or medications_column not in rows:
        return pd.DataFrame(columns=cols, index=pd.Index([], name="medicine"))
    logged = rows[[date_column, medications_column]].copy()
    logged = logged[logged[medications_column].map(lambda v: isinstance(v, list) and len(v) > 0)]
    logged[date_column] = pd.to_datetime(logged[date_column])
    logged = logged.dropna(subset=[date_column]).sort_values(date_column, kind="stable")
    state: dict[str, dict[str, Any]] = {}
    first_day: pd.Timestamp | None = None
    for day, meds in zip(logged[date_column], logged[medications_column], strict=True):
        first_day = day if first_day is None else first_day
        for r in read_medications(meds):
            if r.medicine is None or r.group == "nothing":
                continue
            s = state.get(r.medicine)
            if s is None:
                state[r.medicine] = s = {
                    "classes": tuple(c.key for c in r.classes),
                    "first_logged": day,
                    "days": set(),
                    "start_known": day > first_day,
                    "dose": r.dose,
                    "dose_changes": [],
                }
            elif (
                r.dose is not None and s["dose"] is not None and r.dose != s["dose"] and day not in s["days"]
            ):
                s["dose_changes"].append(day)
            if r.dose is not None:
                s["dose"] = r.dose
            s["last_logged"] = day
            s["days"].add(day)
    out = pd.DataFrame(
        [
            {
                "medicine": m,
                "classes": s["classes"],
                "first_logged": s["first_logged"],
                "last_logged": s["last_logged"],
                "days_logged": len(s["days"]),
                "start_known": s["start_known"],
                "dose": s["dose"],
                "dose_changes": s["dose_changes"],
            }
            for m, s in state.items()
        ],
        columns=["medicine", *cols],
    )
    return out.set_index("medicine")


def recency(
    history: pd.DataFrame | None,
    medicine: str,
    day: pd.Timestamp,
    *,
    recent_days: float = RECENT_START_DAYS,
) -> tuple[Status, pd.Timestamp | None]:
    """How recent a medicine was started, at ``day``, and the date that says so.

    ``new``: first logged within ``recent_days`` before ``day``, after an
    earlier diary entry of medicines without it; ``dose changed``: its written
    dose changed within that window; ``long-standing``: first logged more than
    ``recent_days`` before; ``start unknown``: logged since the diary's first
    entry of medicines, less than ``recent_days`` ago (it may be older).
    """
    if history is None or medicine not in history.index:
        return "start unknown", None
    h = history.loc[[medicine]].iloc[0]
    first = pd.Timestamp(h["first_logged"])
    window = pd.Timedelta(days=recent_days)
    changes = [pd.Timestamp(d) for d in h["dose_changes"] if pd.Timestamp(d) <= day]
    if bool(h["start_known"]) and first <= day and day - first <= window:
        return "new", first
    if changes and day - changes[-1] <= window:
        return "dose changed", changes[-1]
    if day - first > window:
        return "long-standing", first
    return "start unknown", first


@dataclass(frozen=True)
class MedicineFinding:
    """A logged medicine of a class, weighed for one episode.

    ``points`` is the class weight times the timing factor; ``sentence`` says
    what was read, the class, its evidence and the timing, with dates.
    """

    read: MedicineRead
    cls: MedicationClass
    status: Status
    since: pd.Timestamp | None
    factor: float
    points: float
    sentence: str


def assess_medicines(
    logged: Iterable[str],
    day: pd.Timestamp,
    history: pd.DataFrame | None = None,
    *,
    recent_days: float = RECENT_START_DAYS,
    long_standing_factor: float = LONG_STANDING_FACTOR,
) -> tuple[list[MedicineFinding], list[MedicineRead]]:
    """Weigh the medicines logged for an episode on ``day``.

    Parameters
    ----------
    logged
        Medicine entries (the run's diary context and the episode's own row).
    day
        The episode's date.
    history
        :func:`medication_history` of the whole diary (None: timing unknown).
    recent_days
        The recent-start window [days].
    long_standing_factor
        Weight kept outside the window (for ``long_term`` classes: before
        ``long_term_days`` of use).

    Returns
    -------
    findings, unknown
        One finding per medicine and class; the names not recognised.
    """
    findings: list[MedicineFinding] = []
    unknown: list[MedicineRead] = []
    seen: set[tuple[str, str]] = set()
    for r in read_medications(logged):
        if r.medicine is None:
            unknown.append(r)
            continue
        for c in r.classes:
            if (r.medicine, c.key) in seen:
                continue
            seen.add((r.medicine, c.key))
            status, since = recency(history, r.medicine, day, recent_days=recent_days)
            if c.timing == "long_term":
                used = (day - since).days if since is not None else None
                full = used is not None and used >= c.long_term_days
            else:
                full = status in ("new", "dose changed")
            factor = 1.0 if full else long_standing_factor
            points = round(c.evidence_weight * factor, 3)
            findings.append(
                MedicineFinding(
                    r, c, status, since, factor, points, _sentence(r, c, status, since, day, full)
                )
            )
    return findings, unknown


def _sentence(
    r: MedicineRead,
    c: MedicationClass,
    status: Status,
    since: pd.Timestamp | None,
    day: pd.Timestamp,
    full: bool,
) -> str:
    named = r.medicine is not None and not r.medicine.endswith(_CLASS_WORD) and r.medicine != r.text.lower()
    read_as = f" ({r.note})" if r.note else (f" ({r.medicine})" if named else "")
    text = f"You took {r.text}{read_as}, a {c.label} ({c.note})"
    if c.finding:
        text += f": {c.finding}" + (f" ({c.cite})" if c.cite else "")
    text += "."
    when = f"{since:%d %b %Y}" if since is not None else None
    if c.timing == "long_term":
        days = (day - since).days if since is not None else None
        if full and days is not None:
            text += f" Logged for {days} days (since {when}): long enough for this effect."
        elif days is not None:
            text += (
                f" Logged for only {days} days (since {when}): shorter than the "
                f"{c.long_term_days} days after which it is reported."
            )
        else:
            text += " How long you have taken it is not in the diary."
    elif status == "new":
        text += f" First logged on {when}: a recent start weighs more."
    elif status == "dose changed":
        text += f" Its dose changed on {when}: a recent change weighs more."
    elif status == "long-standing":
        text += f" Logged since {when}: taken unchanged for long, it weighs less."
    elif when is not None:
        text += (
            f" Logged since your diary's first medicines entry ({when}): when you started it is not known."
        )
    return text


def table_size() -> dict[str, int]:
    """How big the medicine table is: classes, medicines, distinct names, languages."""
    lex = _lexicon()
    in_classes = [m for m, cs in lex.classes.items() if cs]
    names = {w for m in in_classes for w in lex.vocabulary.words(m)}
    return {
        "classes": len(MEDICATION_CLASSES),
        "medicines": len([m for m in in_classes if not m.endswith("(class)")]),
        "names": len(names),
        "languages": len(LANGUAGES) + 1,
        "other_medicines": len(OTHER_MEDICINES),
    }
