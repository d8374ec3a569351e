"""The small words of rendered text."""

from __future__ import annotations

import pytest

from runtwitch.render.words import a_number, counted


@pytest.mark.parametrize(("n", "text"), [(0, "0 problems"), (1, "1 problem"), (2, "2 problems")])
def test_counted(n: int, text: str) -> None:
    assert counted(n, "problem") == text


@pytest.mark.parametrize(("n", "text"), [(1, "a 1"), (8, "an 8"), (11, "an 11"), (18, "an 18"), (12, "a 12"),
                                         (80, "an 80"), (88, "an 88"), (110, "a 110"), (800, "an 800"),
                                         (10.6, "an 11")])
def test_a_number(n: float, text: str) -> None:
    assert a_number(n) == text


def test_the_docstring_examples() -> None:
    import doctest

    from runtwitch.render import words

    assert doctest.testmod(words).failed == 0
