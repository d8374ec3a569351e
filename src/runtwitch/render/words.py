"""Small words of the rendered text: counts with their noun, and "a" or "an" before a number."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and the noun, singular for one: ``counted(1, "problem")`` is ``"1 problem"``.

    >>> counted(2, "activity", "activities")
    '2 activities'
    """
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"


def a_number(n: float) -> str:
    """The article before a whole number as it is read aloud, with the number: "an 8", "an 11",
    "a 12" (numbers read from "eight", "eleven" or "eighteen" take "an").

    >>> a_number(11), a_number(12), a_number(80), a_number(118)
    ('an 11', 'a 12', 'an 80', 'a 118')
    """
    digits = f"{n:.0f}"
    return f"{'an' if digits.startswith('8') or digits in ('11', '18') else 'a'} {digits}"
