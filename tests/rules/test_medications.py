"""Medicines are read by any name, weighed by their evidence, and never guessed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from runtwitch.rules import MedicationClass, register_medication_class
from runtwitch.rules.medications import (
    LONG_STANDING_FACTOR,
    MEDICATION_CLASSES,
    assess_medicines,
    load_medication_classes,
    match_medications,
    medication_history,
    read_medications,
    recency,
    table_size,
)
from tests.rules.test_causes import history

# (as written, the medicine it must be read as, its class)
NAMES = [
    # generic names (INN and US names)
    ("hydrochlorothiazide", "hydrochlorothiazide", "thiazide_diuretic"),
    ("chlorthalidone", "chlortalidone", "thiazide_diuretic"),
    ("indapamide 1.5 mg", "indapamide", "thiazide_diuretic"),
    ("furosemide", "furosemide", "loop_diuretic"),
    ("torsemide", "torasemide", "loop_diuretic"),
    ("spironolactone", "spironolactone", "potassium_sparing_diuretic"),
    ("eplerenone", "eplerenone", "potassium_sparing_diuretic"),
    ("atorvastatin 20 mg", "atorvastatin", "statin"),
    ("rosuvastatin", "rosuvastatin", "statin"),
    ("salmeterol", "salmeterol", "laba"),
    ("formoterol", "formoterol", "laba"),
    ("salbutamol", "salbutamol", "saba"),
    ("albuterol", "salbutamol", "saba"),
    ("terbutaline", "terbutaline", "saba"),
    ("omeprazole", "omeprazole", "ppi"),
    ("pantoprazole 40mg", "pantoprazole", "ppi"),
    ("warfarin", "warfarin", "anticoagulant"),
    ("apixaban", "apixaban", "anticoagulant"),
    # brands
    ("Lipitor", "atorvastatin", "statin"),
    ("Sortis", "atorvastatin", "statin"),
    ("Zocor", "simvastatin", "statin"),
    ("Crestor", "rosuvastatin", "statin"),
    ("Lasix", "furosemide", "loop_diuretic"),
    ("Aldactone", "spironolactone", "potassium_sparing_diuretic"),
    ("Seretide", "salmeterol", "laba"),
    ("Advair", "salmeterol", "laba"),
    ("Symbicort", "formoterol", "laba"),
    ("Relvar", "vilanterol", "laba"),
    ("Ventolin", "salbutamol", "saba"),
    ("ProAir", "salbutamol", "saba"),
    ("Nexium", "esomeprazole", "ppi"),
    ("Pantozol", "pantoprazole", "ppi"),
    ("Xarelto", "rivaroxaban", "anticoagulant"),
    ("Marcumar", "phenprocoumon", "anticoagulant"),
    ("Sintrom", "acenocoumarol", "anticoagulant"),
    # German
    ("Hydrochlorothiazid", "hydrochlorothiazide", "thiazide_diuretic"),
    ("Furosemid", "furosemide", "loop_diuretic"),
    ("Spironolacton", "spironolactone", "potassium_sparing_diuretic"),
    ("Omeprazol", "omeprazole", "ppi"),
    ("Torasemid 10 mg", "torasemide", "loop_diuretic"),
    # French
    ("furosémide", "furosemide", "loop_diuretic"),
    ("atorvastatine", "atorvastatin", "statin"),
    ("oméprazole", "omeprazole", "ppi"),
    ("salmétérol", "salmeterol", "laba"),
    ("warfarine", "warfarin", "anticoagulant"),
    # Spanish
    ("hidroclorotiazida", "hydrochlorothiazide", "thiazide_diuretic"),
    ("espironolactona", "spironolactone", "potassium_sparing_diuretic"),
    ("furosemida", "furosemide", "loop_diuretic"),
    ("simvastatina", "simvastatin", "statin"),
    ("acenocumarol", "acenocoumarol", "anticoagulant"),
    # Italian
    ("idroclorotiazide", "hydrochlorothiazide", "thiazide_diuretic"),
    ("spironolattone", "spironolactone", "potassium_sparing_diuretic"),
    ("salbutamolo", "salbutamol", "saba"),
    ("omeprazolo", "omeprazole", "ppi"),
    ("eparina", "heparin", "anticoagulant"),
    # Portuguese
    ("sinvastatina", "simvastatin", "statin"),
    ("varfarina", "warfarin", "anticoagulant"),
    ("triantereno", "triamterene", "potassium_sparing_diuretic"),
    # Dutch
    ("hydrochloorthiazide", "hydrochlorothiazide", "thiazide_diuretic"),
    ("spironolacton", "spironolactone", "potassium_sparing_diuretic"),
    ("fenprocoumon", "phenprocoumon", "anticoagulant"),
    # typos within one or two edits (a swap of neighbouring letters is one edit)
    ("hydrochlorthiazide", "hydrochlorothiazide", "thiazide_diuretic"),
    ("hydroclorothiazide", "hydrochlorothiazide", "thiazide_diuretic"),
    ("furosemid3", "furosemide", "loop_diuretic"),
    ("atorvastatn", "atorvastatin", "statin"),
    ("atrovastatin", "atorvastatin", "statin"),
    ("simvastatine", "simvastatin", "statin"),
    ("spironolacone", "spironolactone", "potassium_sparing_diuretic"),
    ("salbutomol", "salbutamol", "saba"),
    ("omeprazoel", "omeprazole", "ppi"),
    ("rivaroxiban", "rivaroxaban", "anticoagulant"),
    ("salmetarol", "salmeterol", "laba"),
    ("pantoprazol 40", "pantoprazole", "ppi"),
]


@pytest.mark.parametrize(("written", "medicine", "cls"), NAMES)
def test_medicine_names_are_read(written: str, medicine: str, cls: str) -> None:
    (r,) = read_medications([written])
    assert r.medicine == medicine, r
    assert [c.key for c in r.classes] == [cls]
    if written.split()[0].lower() not in {w for c in MEDICATION_CLASSES for w in map(str.lower, c.names)}:
        assert r.note and r.note.startswith("read '"), r  # a typo says what it was read as


# Medicines that must never be read as a class medicine: recognised, or listed as unknown.
NOT_CAUSES = [
    "ibuprofen",
    "ibuprofin",
    "Nurofen",
    "paracetamol",
    "acetaminophen",
    "Tylenol",
    "paracétamol",
    "aspirin",
    "naproxen",
    "diclofenac",
    "cetirizine",
    "loratadine",
    "metformin",
    "levothyroxine",
    "amlodipine",
    "lisinopril",
    "losartan",
    "bisoprolol",
    "tiotropium",
    "budesonide",
    "fluticasone",
    "montelukast",
    "sertraline",
    "amoxicillin",
    "vitamin d",
    "vitamin d3",
    "magnesium",
    "creatine",
    "the pill",
    "caffeine",
    "beetroot juice",
    "none",
    "keine",
    "aucun",
    "nada",
    "-",
]


@pytest.mark.parametrize("written", NOT_CAUSES)
def test_non_causes_never_match_a_class(written: str) -> None:
    assert match_medications([written]) == []
    assert all(not r.classes for r in read_medications([written]))


def test_unknown_names_are_listed_not_guessed() -> None:
    (r,) = read_medications(["blorpazine"])
    assert r.medicine is None and r.classes == ()
    findings, unknown = assess_medicines(["blorpazine", "ibuprofen"], pd.Timestamp("2026-06-01"))
    assert findings == [] and [u.text for u in unknown] == ["blorpazine"]


def test_an_entry_can_name_several_medicines() -> None:
    got = {(r.medicine, tuple(c.key for c in r.classes)) for r in read_medications(["amiloride/hctz"])}
    assert got == {
        ("amiloride", ("potassium_sparing_diuretic",)),
        ("hydrochlorothiazide", ("thiazide_diuretic",)),
    }
    (combo,) = read_medications(["Dyazide"])
    assert {c.key for c in combo.classes} == {"potassium_sparing_diuretic", "thiazide_diuretic"}
    assert [r.medicine for r in read_medications(["atorvastatin and aspirin"])] == ["atorvastatin", "aspirin"]


def test_class_weights_follow_the_evidence() -> None:
    w = {c.key: c.evidence_weight for c in MEDICATION_CLASSES}
    # Garrison et al. 2012: LABA 2.42 > potassium-sparing 2.12 > thiazide-like 1.48 > statins 1.16;
    # loop diuretics 1.20 with a CI from 1.00 (not significant); blood thinners: no study.
    assert w["laba"] > w["potassium_sparing_diuretic"] > w["thiazide_diuretic"] > w["statin"] > 0
    assert w["loop_diuretic"] == 0 and w["anticoagulant"] == 0
    assert 0 < w["saba"] < w["thiazide_diuretic"] and 0 < w["ppi"] < w["thiazide_diuretic"]
    laba = next(c for c in MEDICATION_CLASSES if c.key == "laba")
    assert laba.effect == 2.42 and laba.ci == (2.02, 2.89) and "Garrison" in laba.source


def test_table_size() -> None:
    size = table_size()
    assert size["classes"] >= 8 and size["medicines"] >= 50 and size["names"] >= 300
    assert size["languages"] == 7


def _rows(*days: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {"date": pd.to_datetime([d for d, _ in days]), "medications": [m.split(";") for _, m in days]}
    )


def test_history_first_logged_and_recent_start() -> None:
    rows = _rows(
        ("2025-01-10", "atorvastatin 20 mg"),
        ("2025-06-01", "atorvastatin 20 mg"),
        ("2026-03-01", "atorvastatin 20 mg;hydrochlorothiazide"),
        ("2026-04-01", "atorvastatin 40 mg;hydrochlorothiazide"),
    )
    h = medication_history(rows)
    assert h.loc["atorvastatin", "first_logged"] == pd.Timestamp("2025-01-10")
    assert not h.loc["atorvastatin", "start_known"]  # on the diary's first entry: start unknown
    assert h.loc["hydrochlorothiazide", "start_known"]
    assert h.loc["atorvastatin", "dose_changes"] == [pd.Timestamp("2026-04-01")]
    day = pd.Timestamp("2026-04-20")
    assert recency(h, "hydrochlorothiazide", day)[0] == "new"
    assert recency(h, "atorvastatin", day)[0] == "dose changed"
    assert recency(h, "atorvastatin", pd.Timestamp("2026-02-01"))[0] == "long-standing"
    assert recency(h, "atorvastatin", pd.Timestamp("2025-03-01"))[0] == "start unknown"


def test_a_recent_start_weighs_more_than_a_long_standing_medicine() -> None:
    rows = _rows(("2024-01-01", "spironolactone"), ("2026-05-01", "spironolactone;eplerenone"))
    h = medication_history(rows)
    found, _ = assess_medicines(["spironolactone", "eplerenone"], pd.Timestamp("2026-05-10"), h)
    by = {f.read.medicine: f for f in found}
    assert by["eplerenone"].status == "new" and by["spironolactone"].status == "long-standing"
    assert by["eplerenone"].points == pytest.approx(by["spironolactone"].points / LONG_STANDING_FACTOR)
    assert "recent start" in by["eplerenone"].sentence and "weighs less" in by["spironolactone"].sentence


def test_ppi_weighs_fully_only_after_months_of_use() -> None:
    rows = _rows(("2026-01-01", "none"), ("2026-01-05", "omeprazole"), ("2026-06-01", "omeprazole"))
    h = medication_history(rows)
    early, _ = assess_medicines(["omeprazole"], pd.Timestamp("2026-02-01"), h)
    late, _ = assess_medicines(["omeprazole"], pd.Timestamp("2026-06-01"), h)
    assert early[0].points < late[0].points and "FDA" in late[0].sentence


def test_users_add_classes_from_toml_and_in_python(tmp_path: Path) -> None:
    before = list(MEDICATION_CLASSES)
    try:
        path = tmp_path / "mine.toml"
        path.write_text(
            '[[class]]\nkey = "fluoroquinolone"\nlabel = "fluoroquinolone antibiotic"\nnote = "tendons"\n'
            'evidence = "product information"\nweight = 0.1\n[[class.medicine]]\nname = "ciprofloxacin"\n'
            'brands = ["Cipro", "Ciproxin"]\n',
            encoding="utf-8",
        )
        (cls,) = load_medication_classes(path)
        assert cls.evidence_weight == 0.1
        assert [c.key for _, c in match_medications(["Ciproxin 500"])] == ["fluoroquinolone"]
        register_medication_class(MedicationClass("mine", "my class", "my note", ("zorbamycin",), weight=0.3))
        (r,) = read_medications(["zorbamicin"])  # typo of a registered name
        assert [c.key for c in r.classes] == ["mine"]
    finally:
        MEDICATION_CLASSES[:] = before
    assert match_medications(["Ciproxin"]) == []


def test_medicine_on_the_episode_row_counts(tmp_path: Path) -> None:
    ex = history(tmp_path, {}, {}, episode={"medications": "Hydrochlorthiazide 25 mg"})
    row = ex.causes.set_index("cause").loc["medication"]
    assert row["status"] == "assessed" and row["score"] > 0
    assert "read 'hydrochlorthiazide' as hydrochlorothiazide" in row["evidence"][0]
    assert "recent start" in row["evidence"][0]  # earlier rows logged "none"
