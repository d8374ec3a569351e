"""Factors of medicines taken: one per medication class that can cause cramps or twitches."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from runtwitch.rules.base import Context, EvidenceGrade
from runtwitch.rules.factors.base import (
    Factor,
    Observe,
    Observed,
    Say,
    Table,
    obs,
)
from runtwitch.rules.medications import MEDICATION_CLASSES, MedicationClass, match_medications


def _class_rr(c: MedicationClass) -> float:
    """Prior relative risk of a medicine class: the study's effect, else from the class weight
    (weight = 1 - 1 / RR, see :attr:`MedicationClass.evidence_weight`)."""
    if c.evidence == "study" and c.effect is not None:
        return float(c.effect)
    w = min(c.evidence_weight, 0.9)
    return 1.0 / (1.0 - w)


def _class_grade(c: MedicationClass) -> EvidenceGrade:
    return {"study": "limited", "regulator": "limited", "product information": "weak"}.get(
        c.evidence, "expert opinion"
    )  # type: ignore[return-value]


def _classes_taken(t: Table) -> list[frozenset[str] | None]:
    """The medication classes logged for each run (None: no medicines logged), each distinct
    list read once for all the medicine factors."""
    read: dict[tuple[str, ...], frozenset[str]] = {}
    out: list[frozenset[str] | None] = []
    for cell in t.value("diary_medications"):
        if not isinstance(cell, list) or not cell:
            out.append(None)
            continue
        k = tuple(cell)
        if k not in read:
            read[k] = frozenset(c.key for _, c in match_medications(cell))
        out.append(read[k])
    return out


def _medicine_observer(key: str) -> Observe:
    def observe(t: Table, th: Mapping[str, float]) -> Observed:
        taken = t.once("medicine_classes", _classes_taken)
        out = [np.nan if found is None else 1.0 if key in found else 0.0 for found in taken]
        return obs(np.array(out, dtype=float), t.index, "logged")

    return observe


def _medicine_sayer(c: MedicationClass) -> Say:
    def say(ctx: Context, th: Mapping[str, float]) -> str:
        return f"A {c.label} ({c.note})."  # replaced by the medicine finding's own sentence in explain

    return say


def medicine_factors(classes: Sequence[MedicationClass] = MEDICATION_CLASSES) -> tuple[Factor, ...]:
    """One factor per medicine class (the table in ``rules/medicines.toml`` and registered classes)."""
    out = []
    for c in classes:
        rr = _class_rr(c)
        out.append(
            Factor(
                f"medicine:{c.key}",
                "medication",
                c.label,
                _class_grade(c),
                rr,
                math.exp(0.5 * math.log(rr)),
                c.cite or c.source or "reported, no study found",
                _medicine_observer(c.key),
                _medicine_sayer(c),
                compare="all",
                p_pop=0.05,
            )
        )
    return tuple(out)
