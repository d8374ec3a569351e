"""Medical red flags: always checked, never hidden behind causes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from runtwitch.features.columns import run_column

#: Twitching is persistent when, within this many days up to an episode ...
PERSISTENT_LOOKBACK_DAYS = 28
#: ... episodes are spread over more than this many days, and either ...
PERSISTENT_SPAN_DAYS = 14
#: ... there are at least this many episode days, this many of them after logged
#: recovery or prevention measures (twitching that continues despite them) ...
PERSISTENT_MIN_EPISODES = 3
PERSISTENT_MIN_WITH_MEASURES = 2
#: ... or this many episode days even without logged measures (twice a week for four weeks).
PERSISTENT_MIN_EPISODES_NO_MEASURES = 8
#: Distinct muscle groups in one episode that make it widespread.
WIDESPREAD_MIN_GROUPS = 3

REGIONS: dict[str, tuple[str, ...]] = {
    "legs": (
        "calf",
        "calves",
        "quad",
        "hamstring",
        "thigh",
        "shin",
        "tibialis",
        "glute",
        "buttock",
        "foot",
        "feet",
        "toe",
        "ankle",
        "knee",
        "hip",
        "leg",
        "adductor",
        "soleus",
        "gastrocnemius",
    ),
    "arms": (
        "arm",
        "biceps",
        "triceps",
        "forearm",
        "hand",
        "finger",
        "thumb",
        "wrist",
        "shoulder",
        "deltoid",
    ),
    "trunk": ("back", "abdominal", "abs", "chest", "pectoral", "side", "oblique", "neck", "trapezius"),
    "face": ("eyelid", "eye", "face", "lip", "jaw", "cheek", "tongue"),
}
SIDES = re.compile(r"\b(left|right|both|l|r)\b")


@dataclass(frozen=True)
class FlagSpec:
    """A red flag: its identifier and the message shown to the runner."""

    id: str
    message: str


FLAGS: dict[str, FlagSpec] = {
    "persistent": FlagSpec(
        "persistent",
        "Twitching keeps coming back over more than two weeks. Persistent "
        "twitching is a reason to see a doctor for a check-up, especially when rest, fluids "
        "and recovery measures have not helped.",
    ),
    "widespread": FlagSpec(
        "widespread",
        "Twitching in several muscle groups or body regions at once. "
        "Widespread twitching should be looked at by a doctor.",
    ),
    "weakness": FlagSpec(
        "weakness",
        "Twitching with muscle weakness. Please see a doctor: weakness is not explained by a hard run.",
    ),
    "sleep_disruption": FlagSpec(
        "sleep_disruption", "Twitching that disturbs your sleep is a reason to talk to a doctor."
    ),
    "overdrinking": FlagSpec(
        "overdrinking",
        "You weighed more after the run than before: you drank more than "
        "you sweated. Over-drinking can dilute blood sodium (hyponatraemia), which is "
        "dangerous. Do not answer cramps by drinking more; drink to thirst, and seek care "
        "for headache, confusion, nausea or swelling after a run.",
    ),
}


def muscle_groups(muscles: list[str]) -> tuple[set[str], set[str]]:
    """Muscle groups (side removed) and body regions of an episode."""
    groups = {SIDES.sub("", m).strip() for m in muscles} - {""}
    regions = {r for g in groups for r, words in REGIONS.items() if any(w in g for w in words)}
    return groups, regions


def _yes(v: object) -> bool:
    return v is not None and not pd.isna(v) and bool(v)  # type: ignore[call-overload]  # NA-safe truth


def _measures(history: pd.DataFrame, runs: pd.DataFrame | None) -> pd.Series:
    """Per episode: were recovery or prevention measures logged for its run?"""
    recovery = run_column("diary_recovery")
    if runs is None or recovery not in runs or "activity_id" not in history:
        return pd.Series(False, index=history.index)
    rec = runs[recovery]

    def logged(aid: Any) -> bool:
        if aid is None or pd.isna(aid) or aid not in rec.index:
            return False
        v = rec[aid]
        return isinstance(v, list) and len(v) > 0

    return history["activity_id"].map(logged).astype(bool)


def is_persistent(day: pd.Timestamp, history: pd.DataFrame, runs: pd.DataFrame | None) -> bool:
    """The persistence rule (see the ``PERSISTENT_*`` constants) at ``day``."""
    dates = pd.to_datetime(history["date"])
    inside = (dates <= day) & (dates > day - pd.Timedelta(days=PERSISTENT_LOOKBACK_DAYS))
    if not inside.any() or (day - dates[inside].min()).days <= PERSISTENT_SPAN_DAYS:
        return False
    n_days = dates[inside].nunique()
    with_measures = dates[inside & _measures(history, runs)].nunique()
    return bool(
        (n_days >= PERSISTENT_MIN_EPISODES and with_measures >= PERSISTENT_MIN_WITH_MEASURES)
        or n_days >= PERSISTENT_MIN_EPISODES_NO_MEASURES
    )


def episode_flags(
    ep: pd.Series, run: pd.Series | None, history: pd.DataFrame, runs: pd.DataFrame | None = None
) -> list[str]:
    """Red flags raised by one episode (in the order of :data:`FLAGS`)."""
    flags: list[str] = []
    day = pd.Timestamp(ep["date"])
    if not pd.isna(day) and is_persistent(day, history, runs):
        flags.append("persistent")
    groups, regions = muscle_groups(list(ep["muscles"]))
    if len(groups) >= WIDESPREAD_MIN_GROUPS or len(regions) >= 2:
        flags.append("widespread")
    if _yes(ep.get("weakness")):
        flags.append("weakness")
    if _yes(ep.get("sleep_disrupted")):
        flags.append("sleep_disruption")
    if run is not None:
        change = run.get(run_column("body_mass_change_pct"))
        if change is not None and not pd.isna(change) and change > 0:
            flags.append("overdrinking")
    return flags
