"""Vocabularies: the words people write, read as the terms runtwitch knows.

One small reader serves the diary (the ``symptoms`` column), the red flags
(muscle names) and the medicines. Text is normalised (lower case, accents
removed, punctuation read as spaces) and looked up exactly; a word that is not
known is matched to the closest known word within a few edits (optimal string
alignment distance: inserting, deleting or replacing a letter, or swapping two
neighbouring letters, counts as one edit), so ``hydrochlorthiazide`` reads as
hydrochlorothiazide and ``calfs`` as calf. How many edits are allowed grows
with the length of the word (:func:`max_edits`): short words must match
exactly, because one edit turns them into other words. A typo that is equally
close to words of two different terms is not guessed: the reading says so.

Nothing here knows what the terms mean; the vocabularies themselves are data
(``runtwitch/io/diary/symptoms.toml``, ``runtwitch/rules/body_regions.toml``,
``runtwitch/rules/medicines.toml``).
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

#: Words of at most this many letters must match exactly.
EXACT_ONLY_MAX_LEN = 4
#: Words of at most this many letters may differ by one edit; longer ones by two.
ONE_EDIT_MAX_LEN = 7
_NEGATION_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("no", "not", "never", "without", "none", "denied", "nor"),
    "en contractions": ("didn", "doesn", "don", "wasn", "weren", "isn", "aren", "haven", "hasn", "hadn"),
    "de": ("kein", "keine", "keinen", "keiner", "nicht", "ohne", "nie"),
    "fr": ("pas", "sans", "jamais", "aucun", "aucune"),
    "es": ("sin", "nunca", "ningun", "ninguna"),
    "it": ("senza", "mai", "nessun", "nessuna"),
    "pt": ("nao", "sem", "nenhum", "nenhuma"),
    "nl": ("geen", "niet", "zonder", "nooit"),
}
#: Words that, right before a phrase in the same clause, say it did *not* happen
#: ("no headache", "kein Schwindel", "pas de nausée", "sin mareo"; "didn't" reads as "didn t").
NEGATIONS = frozenset(w for ws in _NEGATION_WORDS.values() for w in ws)
#: How many words back a negation still applies.
NEGATION_REACH = 3
_CLAUSE = re.compile(r"[.;,!?:()\[\]\n]+|\s(?:but|aber|mais|pero|ma|mas|maar)\s", re.IGNORECASE)
_SPECIAL = str.maketrans({"ß": "ss", "œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d"})


@functools.lru_cache(maxsize=4096)  # diaries repeat their words (a medicine, a muscle) on every row
def normalise(text: str) -> str:
    """Lower case, accents removed, anything but letters and digits read as a space."""
    s = unicodedata.normalize("NFKD", text.lower().translate(_SPECIAL))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", s).split())


def max_edits(word: str) -> int:
    """How many edits a typo of ``word`` may have (see the module docstring)."""
    n = len(word.replace(" ", ""))
    if n <= EXACT_ONLY_MAX_LEN:
        return 0
    return 1 if n <= ONE_EDIT_MAX_LEN else 2


@dataclass(frozen=True)
class Reading:
    """How one piece of text was read.

    Attributes
    ----------
    text
        The words read (normalised).
    term
        The term they stand for, or None when they were not recognised.
    word
        The known word that matched (equal to ``text`` unless it was a typo).
    edits
        How many edits separate ``text`` from ``word`` (0: exact).
    candidates
        When a typo was equally close to words of several terms: those terms
        (and ``term`` is None: nothing is guessed).
    negated
        The text said it did not happen ("no headache").
    """

    text: str
    term: str | None
    word: str | None = None
    edits: int = 0
    candidates: tuple[str, ...] = ()
    negated: bool = False

    @property
    def note(self) -> str | None:
        """``read 'hydrochlorthiazide' as hydrochlorothiazide`` for a typo, else None."""
        if self.term is not None and self.edits:
            return f"read '{self.text}' as {self.word}"
        if self.candidates:
            return f"'{self.text}' could be {' or '.join(self.candidates)}: not guessed"
        return None


class Vocabulary:
    """Terms and the words (synonyms, plurals, spellings, other languages) that name them.

    Parameters
    ----------
    words
        ``{term: words}``; each word is normalised, and the term itself
        counts as a word for it.
    name
        What the vocabulary is about, for error messages.

    Raises
    ------
    ValueError
        When one word names two different terms.
    """

    def __init__(self, words: Mapping[str, Iterable[str]], *, name: str) -> None:
        self.name = name
        self._word_term: dict[str, str] = {}
        for term, ws in words.items():
            for w in (term.replace("_", " "), *ws):
                key = normalise(w)
                if not key:
                    continue
                other = self._word_term.setdefault(key, term)
                if other != term:
                    raise ValueError(f"{name}: the word {w!r} names both {other!r} and {term!r}")
        self._words = list(self._word_term)
        self.max_words = max((len(w.split()) for w in self._words), default=1)

    @property
    def terms(self) -> tuple[str, ...]:
        """Every term, in the order given."""
        return tuple(dict.fromkeys(self._word_term.values()))

    def words(self, term: str) -> tuple[str, ...]:
        """The normalised words of one term."""
        return tuple(w for w, t in self._word_term.items() if t == term)

    def __contains__(self, word: str) -> bool:
        return normalise(word) in self._word_term

    def exact(self, text: str) -> str | None:
        """The term of exactly these words (after normalisation), or None."""
        return self._word_term.get(normalise(text))

    def read(self, text: str, *, fuzzy: bool = True) -> Reading:
        """Read a whole phrase: exactly, else as a typo of one known word."""
        key = normalise(text)
        term = self._word_term.get(key)
        if term is not None:
            return Reading(key, term, key)
        if fuzzy and key:
            return self._closest(key)
        return Reading(key, None)

    def _closest(self, key: str) -> Reading:
        limit = max_edits(key)
        if limit == 0:
            return Reading(key, None)
        found = process.extract(key, self._words, scorer=OSA.distance, score_cutoff=limit, limit=None)
        if not found:
            return Reading(key, None)
        best = min(d for _, d, _ in found)
        nearest = [w for w, d, _ in found if d == best]
        terms = tuple(dict.fromkeys(self._word_term[w] for w in nearest))
        if len(terms) > 1:
            return Reading(key, None, candidates=terms)
        return Reading(key, terms[0], nearest[0], int(best))

    def scan(self, text: str, *, fuzzy: bool = True) -> tuple[list[Reading], list[str]]:
        """Find known phrases inside a longer text, longest first, left to right.

        Negated phrases ("no headache") are returned with ``negated=True``.

        Returns
        -------
        readings, leftover
            The phrases read, and the words that belong to none of them.
        """
        readings: list[Reading] = []
        leftover: list[str] = []
        for clause in _CLAUSE.split(text):
            tokens = normalise(clause).split()
            i = 0
            while i < len(tokens):
                hit = self._longest(tokens, i, fuzzy)
                if hit is None:
                    leftover.append(tokens[i])
                    i += 1
                    continue
                reading, k = hit
                before = tokens[max(0, i - NEGATION_REACH) : i]
                if any(t in NEGATIONS for t in before):
                    reading = Reading(reading.text, reading.term, reading.word, reading.edits, negated=True)
                readings.append(reading)
                i += k
        return readings, leftover

    def _longest(self, tokens: list[str], i: int, fuzzy: bool) -> tuple[Reading, int] | None:
        longest = min(self.max_words, len(tokens) - i)
        for k in range(longest, 0, -1):
            phrase = " ".join(tokens[i : i + k])
            term = self._word_term.get(phrase)
            if term is not None:
                return Reading(phrase, term, phrase), k
        if fuzzy:
            for k in range(longest, 0, -1):
                r = self._closest(" ".join(tokens[i : i + k]))
                if r.term is not None:
                    return r, k
        return None


def load_toml(package: str, name: str) -> dict[str, Any]:
    """A TOML data file shipped inside a runtwitch package."""
    return tomllib.loads(files(package).joinpath(name).read_text(encoding="utf-8"))
