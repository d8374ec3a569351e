"""The schema docs are generated from runtwitch.model.schema and must not drift."""

from __future__ import annotations

from runtwitch.model.schema import markdown_tables
from tests.conftest import ROOT


def test_docs_schema_tables_are_current() -> None:
    doc = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    assert markdown_tables() in doc, "regenerate with: python -m runtwitch.model.schema"


def test_docs_list_the_valid_ranges_in_force() -> None:
    from runtwitch.model.schema import VALID_RANGES

    doc = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    for col, (lo, hi) in VALID_RANGES.items():
        assert f"| {lo:g} to {hi:g} |" in doc and col.split("_")[0] in doc
