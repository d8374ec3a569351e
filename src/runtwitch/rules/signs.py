"""What was reported around one episode, gathered once for the safety gates and red flags.

An episode's signs come from its own diary row (the episode frame keeps
``symptoms``, ``urine_color``, ``dizziness``, ``recovery``, ``medications`` and
``notes`` as written there) and from the diary context of the run it follows
(``diary_*`` run features), so a sign written on either row counts. Free-text
notes are read for the symptom vocabulary too, exactly (no typo guessing in
free text) and with negations honoured ("no headache").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from runtwitch.features.columns import run_column
from runtwitch.io.diary import SYMPTOM_LABELS, SYMPTOMS
from runtwitch.rules.base import cells
from runtwitch.rules.bodymap import MusclesRead, read_muscles


def _get(row: Mapping[Any, Any] | None, name: str) -> Any:
    if row is None or name not in row:
        return None
    v = row[name]
    if isinstance(v, (list, tuple)):
        return list(v)
    if v is None or pd.isna(v):
        return None
    return v.item() if hasattr(v, "item") else v


def _list(row: Mapping[Any, Any] | None, name: str) -> list[str]:
    v = _get(row, name)
    return [str(x) for x in v] if isinstance(v, list) else []


@dataclass(frozen=True)
class Signs:
    """Everything the gates and flags look at for one episode.

    Attributes
    ----------
    symptoms
        Symptom terms reported (see ``docs/diary.md``): the ``symptoms``
        column of either row, the notes, and the yes/no columns ``weakness``
        and ``dizziness``.
    found_in
        Term -> where it was read ("symptoms", "notes", "weakness: yes").
    urine_color
        The darkest urine colour logged (1-8), or None.
    muscles
        The episode's muscles read as sites and regions.
    recovery, medications
        Recovery measures and medicines logged on either row.
    sleep_disrupted
        The episode's ``sleep_disrupted``.
    run
        Run features used by the gates (None when no run is linked):
        ``body_mass_change_kg``, ``fluid_during_l``, ``timer_s``,
        ``sweat_loss_l``, ``heat_risk``, ``wbgt_c``, ``air_temp_c``.
    """

    symptoms: frozenset[str]
    found_in: Mapping[str, str]
    urine_color: int | None
    muscles: MusclesRead
    recovery: tuple[str, ...] = ()
    medications: tuple[str, ...] = ()
    sleep_disrupted: bool = False
    run: Mapping[str, Any] = field(default_factory=dict)

    def reported(self, *terms: str) -> list[str]:
        """Which of these symptom terms were reported, in the order asked."""
        return [t for t in terms if t in self.symptoms]

    def say(self, term: str) -> str:
        """A term for a sentence, with where it was read: ``dizziness (symptoms)``."""
        return f"{SYMPTOM_LABELS.get(term, term)} ({self.found_in.get(term, 'logged')})"

    def value(self, name: str) -> Any:
        """A run feature, or None."""
        return self.run.get(name)


_RUN_VALUES = tuple(run_column(name) for name in (
    "body_mass_change_kg",
    "body_mass_change_pct",
    "fluid_during_l",
    "timer_s",
    "sweat_loss_l",
    "sweat_source",
    "heat_risk",
    "wbgt_c",
    "air_temp_c",
))


def _both(
    ep: Mapping[Any, Any], name: str, run: Mapping[Any, Any] | None, feature: str
) -> tuple[str, ...]:
    """The items of a list cell written on the episode's row and on its run's diary context."""
    return tuple(dict.fromkeys([*_list(ep, name), *_list(run, run_column(feature))]))


def episode_signs(ep: pd.Series, run: pd.Series | None) -> Signs:
    """Gather the signs of one episode from its own row and its run's diary context."""
    return signs_of(cells(ep), cells(run) if run is not None else None)


def signs_of(ep: Mapping[Any, Any], run: Mapping[Any, Any] | None) -> Signs:
    """:func:`episode_signs` from the two rows' cells by column name (:func:`cells`)."""
    found: dict[str, str] = {}

    def add(term: str, where: str) -> None:
        found.setdefault(term, where)

    for t in [*_list(ep, "symptoms"), *_list(run, run_column("diary_symptoms"))]:
        add(t, "symptoms")
    for note in (_get(ep, "notes"), _get(run, run_column("diary_notes"))):
        if isinstance(note, str) and note.strip():
            for r in SYMPTOMS.scan(note, fuzzy=False)[0]:
                if r.term is not None and not r.negated:
                    add(r.term, f"notes: '{r.text}'")
    if _get(ep, "weakness") is True:
        add("weakness", "weakness: yes")
    if _get(ep, "dizziness") is True or _get(run, run_column("diary_dizziness")) is True:
        add("dizziness", "dizziness: yes")
    urine_cells = (_get(ep, "urine_color"), _get(run, run_column("diary_urine_color")))
    urine = [int(u) for u in urine_cells if u is not None]
    return Signs(
        symptoms=frozenset(found),
        found_in=found,
        urine_color=max(urine) if urine else None,
        muscles=read_muscles(_list(ep, "muscles")),
        recovery=_both(ep, "recovery", run, "diary_recovery"),
        medications=_both(ep, "medications", run, "diary_medications"),
        sleep_disrupted=_get(ep, "sleep_disrupted") is True,
        run={k: _get(run, k) for k in _RUN_VALUES} if run is not None else {},
    )
