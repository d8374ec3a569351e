"""Where it twitched: muscle names read as sites (muscle groups) and body regions.

The vocabulary is data, ``runtwitch/rules/body_regions.toml``: each site with
its region (legs, arms, trunk, face), its words (synonyms, plurals, common
misspellings, other languages) and whether it is one of the muscles of
speaking and swallowing (``bulbar``). Side words are dropped first ("left calf"
and "right calf" are one site), then a leading "side of", "back of", ... unless
the whole name is a listed word ("left side of calf" is the calf, "back of
thigh" the hamstring). Names that name no site are reported, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from runtwitch.model.vocabulary import Reading, Vocabulary, load_toml, normalise

_TABLE = load_toml("runtwitch.rules", "body_regions.toml")
_META = ("regions", "sides", "fillers")


@dataclass(frozen=True)
class Site:
    """A muscle group: identifier, name, body region, and whether it is bulbar."""

    key: str
    label: str
    region: str
    bulbar: bool = False


#: Body regions: key -> what they include.
REGIONS: dict[str, str] = dict(_TABLE["regions"])
#: Every site of the vocabulary, by key.
SITES: dict[str, Site] = {
    k: Site(k, t["label"], t["region"], bool(t.get("bulbar", False)))
    for k, t in _TABLE.items()
    if k not in _META
}
#: The muscle-name vocabulary: site -> words.
MUSCLES = Vocabulary({k: _TABLE[k]["words"] for k in SITES}, name="muscles")
#: Words that only say which side ("left", "rechts", "gauche", "both").
SIDE_WORDS = frozenset(normalise(w) for w in _TABLE["sides"]["words"])
_PART_OF = re.compile(
    r"\b(?:" + "|".join(normalise(w) for w in _TABLE["fillers"]["part_of"]) + r") of (?:the |my )?"
)


@dataclass(frozen=True)
class MusclesRead:
    """What an episode's ``muscles`` list named.

    Attributes
    ----------
    sites
        Distinct sites, in the order written.
    regions
        Distinct body regions of those sites.
    bulbar
        The sites among them that are muscles of speaking or swallowing.
    unknown
        Names that name no site (reported, not guessed).
    notes
        Typos read ("read 'calfs' as calf").
    """

    sites: tuple[str, ...]
    regions: tuple[str, ...]
    bulbar: tuple[str, ...]
    unknown: tuple[str, ...]
    notes: tuple[str, ...]


def read_muscle(name: str) -> list[Reading]:
    """The sites one ``muscles`` item names (empty when none)."""
    words = [w for w in normalise(name).split() if w not in SIDE_WORDS]
    text = " ".join(words)
    whole = MUSCLES.read(text)
    if whole.term is not None:
        return [whole]
    readings, _ = MUSCLES.scan(_PART_OF.sub("", text))
    return [r for r in readings if not r.negated]


def read_muscles(names: Iterable[str]) -> MusclesRead:
    """Read an episode's ``muscles`` list (see the module docstring)."""
    sites: list[str] = []
    unknown: list[str] = []
    notes: list[str] = []
    for name in names:
        readings = read_muscle(name)
        if not readings:
            unknown.append(name)
        for r in readings:
            assert r.term is not None  # read_muscle returns recognised sites only
            if r.note:
                notes.append(r.note)
            if r.term not in sites:
                sites.append(r.term)
    regions = tuple(dict.fromkeys(SITES[s].region for s in sites))
    bulbar = tuple(s for s in sites if SITES[s].bulbar)
    return MusclesRead(tuple(sites), regions, bulbar, tuple(unknown), tuple(notes))
