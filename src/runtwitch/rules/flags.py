"""Medical red flags: always checked, never hidden behind causes.

Each flag is a documented rule with its source (:data:`FLAGS`); it says "see a
doctor", not "seek care today" (that is the safety gates' tier,
:mod:`runtwitch.rules.safety`). Persistence is computed once over the sorted
history (:func:`persistence`), in time linear in the number of episodes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from runtwitch.features.columns import run_column
from runtwitch.features.runs import OVERDRINKING_GAIN_KG
from runtwitch.rules.bodymap import REGIONS, read_muscles
from runtwitch.rules.signs import Signs, episode_signs

#: Twitching is persistent when it is logged on most days for more than two weeks: a
#: stretch of episode days, each at most this many days after the one before (at most one
#: day without twitching in between, so twitching on at least half of the days) ...
PERSISTENT_MAX_GAP_DAYS = 2
#: ... that runs over more than this many days (first to last episode day). Separate
#: post-run episodes a week or more apart, each settled within hours, are not twitching
#: that lasts: "a twitch for more than 2 weeks" (NHS) is twitching that goes on. Recovery
#: measures logged on any day of the stretch strengthen the message; they are not required.
PERSISTENT_SPAN_DAYS = 14
#: Distinct muscle groups (sites) in one episode that make it widespread.
WIDESPREAD_MIN_GROUPS = 3
#: Distinct body regions in one episode that make it widespread.
WIDESPREAD_MIN_REGIONS = 2

_NHS_TWITCH = "NHS, 'Twitching eyes and muscles' (reviewed 30 October 2023)"
_MEDLINE_TWITCH = "MedlinePlus, 'Muscle twitching' (medical encyclopedia)"


@dataclass(frozen=True)
class FlagSpec:
    """A red flag: identifier, message, when it is raised, and its source.

    ``strengthened`` is added to the message when the flag's evidence is
    stronger than its rule requires (persistent twitching despite logged
    recovery measures).
    """

    id: str
    message: str
    when: str = ""
    source: str = ""
    strengthened: str = ""


FLAGS: dict[str, FlagSpec] = {
    "persistent": FlagSpec(
        "persistent",
        "Twitching on most days for more than two weeks. Twitching that lasts more than two weeks "
        "is a reason to see a doctor for a check-up.",
        f"twitching logged on most days for more than {PERSISTENT_SPAN_DAYS} days: episode days at "
        f"most {PERSISTENT_MAX_GAP_DAYS} days apart (at least every other day), the first more than "
        f"{PERSISTENT_SPAN_DAYS} days before the episode (from the calendar alone; separate post-run "
        "episodes a week apart are not persistent twitching; recovery measures logged on any of those "
        "days strengthen the message)",
        f"{_NHS_TWITCH}: see a GP if you have a twitch for more than 2 weeks; {_MEDLINE_TWITCH}: "
        "contact your provider for long-term or persistent twitches",
        "It has continued although you logged recovery measures.",
    ),
    "widespread": FlagSpec(
        "widespread",
        "Twitching in several muscle groups or body regions at once. Widespread twitching should be "
        "looked at by a doctor.",
        f"one episode in {WIDESPREAD_MIN_GROUPS} or more muscle groups, or in {WIDESPREAD_MIN_REGIONS} or "
        f"more body regions ({', '.join(REGIONS)}), read with the muscle vocabulary (side words and "
        "'side of' dropped; unknown names reported, not counted)",
        f"{_NHS_TWITCH}: see a GP if you have a twitch in more than 1 place; seed article",
    ),
    "bulbar": FlagSpec(
        "bulbar",
        "Twitching of the tongue or throat, or twitching with difficulty swallowing or slurred speech. "
        "These muscles are not worked by running: please see a doctor soon.",
        "a tongue or throat site in `muscles`, or `swallowing_difficulty` or `speech_difficulty` "
        "reported (symptoms or notes)",
        "NHS, 'Motor neurone disease': twitches with slurred speech and difficulty swallowing are "
        "symptoms to see a GP about",
    ),
    "numbness": FlagSpec(
        "numbness",
        "Twitching with numbness (loss of feeling). Numbness is not part of ordinary post-run "
        "twitching: please see a doctor.",
        "`numbness` reported (symptoms or notes); tingling alone is not a flag",
        f"{_MEDLINE_TWITCH}: loss of, or change in, sensation suggests a nervous system disorder "
        f"({_NHS_TWITCH}: tingling in the same area is common)",
    ),
    "wasting": FlagSpec(
        "wasting",
        "Twitching with a muscle that looks smaller or thinner (muscle wasting). Please see a doctor.",
        "`muscle_wasting` reported (symptoms or notes)",
        f"{_MEDLINE_TWITCH}: contact your provider if twitching occurs with weakness or loss of muscle",
    ),
    "weakness": FlagSpec(
        "weakness",
        "Twitching with muscle weakness. Please see a doctor: weakness is not explained by a hard run.",
        "the episode's `weakness` is yes, or weakness is reported (symptoms or notes)",
        f"{_NHS_TWITCH}: see a GP if the affected area feels weak; {_MEDLINE_TWITCH}",
    ),
    "sleep_disruption": FlagSpec(
        "sleep_disruption",
        "Twitching that disturbs your sleep is a reason to talk to a doctor.",
        "the episode's `sleep_disrupted` is yes",
        "seed article",
    ),
    "overdrinking": FlagSpec(
        "overdrinking",
        "You weighed more after the run than before: you drank more than you sweated. Over-drinking "
        "can dilute blood sodium (hyponatraemia), which is dangerous. Do not answer cramps by drinking "
        "more; drink to thirst, and seek care for headache, confusion, nausea or swelling after a run.",
        f"body mass after the linked run more than {OVERDRINKING_GAIN_KG:g} kg above the mass before it "
        "(smaller gains are within bathroom-scale noise; runtwitch.features.runs.OVERDRINKING_GAIN_KG)",
        "Hew-Butler et al. 2015, 3rd International Exercise-Associated Hyponatremia Consensus, "
        "Clin J Sport Med 25:303 (drinking more than is sweated out is the main cause); scale noise: "
        "Yorkin et al. 2013, BMC Public Health 13:1194",
    ),
}


def muscle_groups(muscles: Iterable[str]) -> tuple[set[str], set[str]]:
    """Muscle groups (sites, side removed) and body regions of an episode's muscles."""
    read = read_muscles(muscles)
    return set(read.sites), set(read.regions)


def _logged(v: Any) -> bool:
    return isinstance(v, (list, tuple)) and len(v) > 0


def persistence(
    history: pd.DataFrame,
    runs: pd.DataFrame | None = None,
    *,
    max_gap_days: int = PERSISTENT_MAX_GAP_DAYS,
    span_days: int = PERSISTENT_SPAN_DAYS,
) -> pd.DataFrame:
    """The persistence rule for every episode, in one pass over the sorted episode days.

    Twitching persists at an episode when the episode days up to it form a stretch
    without a gap of more than ``max_gap_days`` days that began more than
    ``span_days`` days before it: twitching on most days for more than two weeks.

    Parameters
    ----------
    history
        Linked episodes (``date``; ``recovery`` and ``activity_id`` when known).
    runs
        ``run_features`` (its ``diary_recovery`` counts as measures of the
        episodes that follow the run).
    max_gap_days, span_days
        The rule (see the ``PERSISTENT_*`` constants).

    Returns
    -------
    pandas.DataFrame
        Same index as ``history``: ``persistent`` (bool), ``episode_days``
        (distinct episode days of the stretch up to the episode's day),
        ``span_days`` (first of them to the episode's day) and
        ``with_measures`` (recovery measures were logged on one of them).
    """
    out = pd.DataFrame(
        {"persistent": False, "episode_days": 0, "span_days": 0, "with_measures": False}, index=history.index
    )
    if len(history) == 0 or "date" not in history:
        return out
    dates = pd.to_datetime(history["date"]).dt.normalize()
    measures = (
        history["recovery"].map(_logged) if "recovery" in history else pd.Series(False, index=history.index)
    )
    recovery = run_column("diary_recovery")
    if runs is not None and recovery in runs and "activity_id" in history:
        rec = runs[recovery]
        on_run = history["activity_id"].map(
            lambda a: a is not None and not pd.isna(a) and a in rec.index and _logged(rec[a])
        )
        measures = measures | on_run.astype(bool)
    known = dates.notna()
    by_day = measures[known].groupby(dates[known]).any().sort_index()
    days = by_day.index.to_numpy(dtype="datetime64[D]").astype(np.int64)
    with_measures = np.cumsum(by_day.to_numpy(dtype=np.int64))
    n_days, span, any_measures = np.zeros(len(days), int), np.zeros(len(days), int), np.zeros(len(days), bool)
    j = 0
    for i, d in enumerate(days):  # the stretch's first day only moves forward
        if i and d - days[i - 1] > max_gap_days:
            j = i
        n_days[i] = i - j + 1
        span[i] = d - days[j]
        any_measures[i] = with_measures[i] - (with_measures[j - 1] if j else 0) > 0
    per_day = pd.DataFrame(
        {"episode_days": n_days, "span_days": span, "with_measures": any_measures}, index=by_day.index
    )
    per_day["persistent"] = per_day["span_days"] > span_days
    found = per_day.reindex(dates[known])
    for col in out.columns:
        out.loc[known, col] = found[col].to_numpy()
    return out.astype({"persistent": bool, "episode_days": int, "span_days": int, "with_measures": bool})


def is_persistent(day: pd.Timestamp, history: pd.DataFrame, runs: pd.DataFrame | None) -> bool:
    """The persistence rule at ``day`` (for one day; :func:`persistence` does all episodes at once)."""
    probe = pd.concat([history, pd.DataFrame({"date": [pd.Timestamp(day)]})], ignore_index=True)
    return bool(persistence(probe, runs)["persistent"].iloc[-1])


def signs_flags(signs: Signs, *, persistent: bool = False) -> list[str]:
    """Red flags raised by an episode's signs (in the order of :data:`FLAGS`)."""
    raised = {
        "persistent": persistent,
        "widespread": len(signs.muscles.sites) >= WIDESPREAD_MIN_GROUPS
        or len(signs.muscles.regions) >= WIDESPREAD_MIN_REGIONS,
        "bulbar": bool(signs.muscles.bulbar or signs.reported("swallowing_difficulty", "speech_difficulty")),
        "numbness": bool(signs.reported("numbness")),
        "wasting": bool(signs.reported("muscle_wasting")),
        "weakness": bool(signs.reported("weakness")),
        "sleep_disruption": signs.sleep_disrupted,
        "overdrinking": (signs.value("body_mass_change_kg") or 0.0) > OVERDRINKING_GAIN_KG,
    }
    return [f for f in FLAGS if raised.get(f, False)]


def episode_flags(
    ep: pd.Series,
    run: pd.Series | None,
    history: pd.DataFrame,
    runs: pd.DataFrame | None = None,
    *,
    persistent: bool | None = None,
) -> list[str]:
    """Red flags raised by one episode (in the order of :data:`FLAGS`).

    ``persistent`` is the precomputed :func:`persistence` of this episode;
    without it the rule is evaluated for this episode alone.
    """
    if persistent is None:
        day = pd.Timestamp(ep["date"])
        persistent = not pd.isna(day) and is_persistent(day, history, runs)
    return signs_flags(episode_signs(ep, run), persistent=persistent)
