"""docs/rules.md is generated from the rules and must not drift."""

from __future__ import annotations

from pathlib import Path

from runtwitch.rules.docs import markdown, safety_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_rules_doc_is_current() -> None:
    doc = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert markdown() in doc
    assert safety_markdown() in doc
    assert doc.index("## Safety first") < doc.index("## How a cause is scored")
    assert "does not diagnose" in doc
