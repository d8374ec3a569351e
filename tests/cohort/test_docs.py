"""docs/cohort.md documents the dataset from the same tables that write it."""

from __future__ import annotations

from pathlib import Path

from runtwitch.cohort import TABLES, markdown
from runtwitch.cohort.columns import ATHLETES, FREE_TEXT, POOLED, is_free_text
from runtwitch.cohort.pooling import COUNT_COLUMNS
from runtwitch.features.columns import DAILY_COLUMNS, RUN_COLUMNS
from runtwitch.rules import patterns

ROOT = Path(__file__).resolve().parents[2]


def test_schema_section_is_generated() -> None:
    doc = (ROOT / "docs" / "cohort.md").read_text(encoding="utf-8")
    assert markdown() in doc, "regenerate the schema section with runtwitch.cohort.markdown()"


def test_tables_come_from_the_single_runner_definitions() -> None:
    by_name = {t.name: t for t in (*TABLES, ATHLETES, POOLED)}
    assert [c.name for c in by_name["runs"].columns] == [c.name for c in RUN_COLUMNS]
    assert [c.name for c in by_name["days"].columns] == [c.name for c in DAILY_COLUMNS]
    # the per-athlete counts are the single runner's pattern counts, in the same order
    counted = [c.name for c in by_name["patterns"].columns]
    assert counted == [c for c in patterns.COUNT_COLUMNS if c != "cause"]
    assert list(COUNT_COLUMNS) == ["athlete", *(c for c in counted if c != "label")]
    free = {c.name for t in TABLES for c in t.columns if is_free_text(c.name)}
    assert free == {"notes", "diary_notes", "diary_medications", "diary_recovery"}
    assert set(FREE_TEXT) == {"notes", "medications", "recovery"}
    for t in TABLES:
        assert t.schema().names == t.column_names()
        assert not set(t.column_names()) & free
        assert set(t.schema(include_notes=True).names) >= set(t.column_names())
