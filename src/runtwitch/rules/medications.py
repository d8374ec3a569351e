"""Medicines known to list muscle cramps or twitches among their side effects.

A documented, extendable list: add a class with :func:`register_medication_class`.
Matching is by generic or brand name, case-insensitive, as a word inside the
diary's ``medications`` cell. runtwitch never suggests stopping a medicine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class MedicationClass:
    """A class of medicines with the names that identify it."""

    key: str
    label: str
    note: str
    names: tuple[str, ...]


MEDICATION_CLASSES: list[MedicationClass] = [
    MedicationClass(
        "thiazide_diuretic",
        "thiazide diuretic",
        "can lower potassium and magnesium",
        (
            "hydrochlorothiazide",
            "hctz",
            "chlorthalidone",
            "chlortalidone",
            "indapamide",
            "bendroflumethiazide",
            "metolazone",
        ),
    ),
    MedicationClass(
        "loop_diuretic",
        "loop diuretic",
        "can lower potassium and magnesium",
        ("furosemide", "frusemide", "lasix", "bumetanide", "torsemide", "torasemide"),
    ),
    MedicationClass(
        "potassium_sparing_diuretic",
        "potassium-sparing diuretic",
        "changes potassium balance",
        ("spironolactone", "aldactone", "eplerenone", "amiloride", "triamterene"),
    ),
    MedicationClass(
        "statin",
        "statin",
        "muscle aches and cramps are known side effects",
        (
            "atorvastatin",
            "lipitor",
            "simvastatin",
            "zocor",
            "rosuvastatin",
            "crestor",
            "pravastatin",
            "lovastatin",
            "fluvastatin",
            "pitavastatin",
        ),
    ),
    MedicationClass(
        "laba",
        "long-acting beta-2 agonist inhaler",
        "can cause tremor and cramps",
        (
            "salmeterol",
            "formoterol",
            "vilanterol",
            "indacaterol",
            "olodaterol",
            "advair",
            "seretide",
            "symbicort",
            "breo",
            "relvar",
        ),
    ),
    MedicationClass(
        "ppi",
        "proton-pump inhibitor",
        "long-term use can lower magnesium",
        (
            "omeprazole",
            "esomeprazole",
            "lansoprazole",
            "pantoprazole",
            "rabeprazole",
            "dexlansoprazole",
            "nexium",
            "prilosec",
        ),
    ),
    MedicationClass(
        "anticoagulant",
        "blood thinner",
        "mentioned as a possible culprit behind persistent spasms",
        (
            "warfarin",
            "coumadin",
            "apixaban",
            "eliquis",
            "rivaroxaban",
            "xarelto",
            "dabigatran",
            "edoxaban",
            "heparin",
            "enoxaparin",
            "clopidogrel",
        ),
    ),
]


def register_medication_class(cls: MedicationClass) -> None:
    """Add (or replace, by ``key``) a medication class."""
    MEDICATION_CLASSES[:] = [c for c in MEDICATION_CLASSES if c.key != cls.key] + [cls]


def match_medications(logged: Iterable[str]) -> list[tuple[str, MedicationClass]]:
    """(logged name, class) for every logged medicine that belongs to a known class."""
    found = []
    for entry in logged:
        text = entry.lower()
        for cls in MEDICATION_CLASSES:
            if any(re.search(rf"\b{re.escape(n)}\b", text) for n in cls.names):
                found.append((entry, cls))
                break
    return found
