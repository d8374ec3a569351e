"""The view-model the reports share: each episode as it is shown, and numbers as they are written.

The text summary, the JSON document and the HTML report all show an episode
the same way: when it happened, the run it followed, its red flags, its
ranked causes (the top few with a score) and what could not be assessed.
:func:`episode_views` decides that once; each renderer only lays it out.
:func:`summary_rows` condenses each episode to one line of the summary at the
top of a report (and of a notebook's display): when, after which run, what
changed against the runner's usual, the most likely cause in words and the
first thing to do.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from runtwitch.features.columns import daily_column, run_column
from runtwitch.rules import FLAGS, GRADE_MEANING, Explanation
from runtwitch.rules import verdict as rules_verdict
from runtwitch.rules.base import fmt, fmt_duration
from runtwitch.rules.explain import NOT_THIS_TIME
from runtwitch.rules.weigh import FROM_FILES

#: How an episode without a usable date is shown (it is kept, but not placed in time).
NO_DATE = "not placed in time (no usable date)"
#: Causes shown per episode in the text and HTML reports (the JSON document has them all).
SHOWN_CAUSES = 3
#: What every report says of an episode without a top cause (no cause at least "possible").
NO_CAUSE = "no cause stands out"

def verdict(score: Any, log_rr: Any = None) -> str:
    """A cause's score in words: ``likely``, ``possible``, ``unlikely``, ``evidence against`` or
    ``not assessed``.

    The reports' one way to turn a score into a word: the cause engine's
    :func:`runtwitch.rules.verdict` (levels :data:`runtwitch.rules.LIKELY_SHARE`
    and :data:`runtwitch.rules.POSSIBLE_SHARE`), on values that may be missing (None/NA).
    """
    return str(rules_verdict(number(score), number(log_rr)))


def number(v: Any, digits: int = 3) -> Any:
    """A value ready for JSON: numbers rounded to ``digits``, missing values as None."""
    if v is None or v is pd.NA:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        return v
    if isinstance(v, (int, float)) or hasattr(v, "item"):
        f = float(v)
        return None if math.isnan(f) else round(f, digits)
    return v


@dataclass(frozen=True)
class CauseView:
    """One ranked cause of an episode, as the reports show it."""

    cause: str
    title: str
    score: Any  # float, or missing when not assessed
    status: str
    evidence: list[str]
    missing: list[str]
    remedies: list[str]
    evidence_grade: str
    verdict: str  # the explanation's word for the score (``Explanation.causes.verdict``)
    #: Why advice of this cause was left out (``Explanation.causes.remedy_notes``: a safety gate,
    #: the over-drinking flag, a medicine), each once.
    remedy_notes: list[str] = field(default_factory=list)

    @property
    def grade_meaning(self) -> str:
        """The evidence grade in words."""
        return GRADE_MEANING[self.evidence_grade]


@dataclass(frozen=True)
class SafetyView:
    """A safety gate that fired (``Explanation.safety``), as every report shows it: before anything else."""

    episode_id: str
    gate: str
    urgency: str
    title: str
    message: str
    action: str
    evidence: list[str]
    source: str


def safety_views(explanation: Explanation) -> list[SafetyView]:
    """Every safety gate raised, in the explanation's order."""
    return [
        SafetyView(g["episode_id"], g["gate"], g["urgency"], g["title"], g["message"], g["action"],
                   list(g["evidence"]), g["source"])
        for _, g in explanation.safety.iterrows()
    ]


@dataclass(frozen=True)
class EpisodeView:
    """One episode, as every report shows it.

    Attributes
    ----------
    id
        The explanation's ``episode_id`` (``E`` and the diary row), the key of
        flags and safety gates.
    ref
        The stable, human id of the episode from its local date and time
        (:func:`episode_refs`), e.g. ``2026-06-07-2100``.
    row
        The diary row (as a spreadsheet numbers it), or None.
    when
        Local date (and time) in words, e.g. ``Sat 07 Jun 2026 21:00``.
    after
        ``", 2.0 h after it ended"``, or ``""`` when the time between the run
        and the onset is unknown.
    urgent
        The safety gates this episode raised (shown before its red flags).
    flags
        ``(flag id, message)`` of each red flag the episode raised.
    causes
        Every cause, ranked (not assessed ones last).
    shown
        The causes worth showing: assessed, with a score above 0, the first
        :data:`SHOWN_CAUSES` of them.
    top
        The episode's top cause as the explanation decided it
        (``Explanation.episodes.top_cause``: the first cause if it is at
        least "possible"), or None when no cause stands out. Every report
        names this one and no other as the episode's cause; the first of
        :attr:`shown` may be an "unlikely" one.
    not_assessed
        Titles of the causes that could not be assessed for lack of data.
    """

    id: str
    ref: str
    row: int | None
    date: Any  # the local calendar date (Timestamp), or NaT
    time: str | None
    when: str
    muscles: list[str]
    kind: Any
    severity: Any
    activity_id: str | None
    hours_after_run: Any
    after: str
    urgent: list[SafetyView]
    flags: list[tuple[str, str]]
    causes: list[CauseView]
    shown: list[CauseView]
    top: CauseView | None
    not_assessed: list[str]

    @property
    def anchor(self) -> str:
        """The HTML id of the episode's details (``episode-`` and :attr:`ref`)."""
        return f"episode-{self.ref}"


def _causes(ranked: pd.DataFrame) -> list[CauseView]:
    return [
        CauseView(c["cause"], c["title"], c["score"], c["status"], list(c["evidence"]), list(c["missing"]),
                  list(c["remedies"]), c["evidence_grade"], str(c["verdict"]),
                  list(dict.fromkeys(c["remedy_notes"])))
        for _, c in ranked.iterrows()
    ]


def episode_views(explanation: Explanation, *, shown: int = SHOWN_CAUSES) -> list[EpisodeView]:
    """Every episode of an explanation, in its order, as the reports show it."""
    views = []
    gates = safety_views(explanation)
    refs = episode_refs(explanation.episodes)
    for (_, ep), ref in zip(explanation.episodes.iterrows(), refs, strict=True):
        time = ep["time"] if isinstance(ep["time"], str) else None
        when = (NO_DATE if pd.isna(ep["date"])  # a bad or missing date cell, reported by the diary reader
                else f"{pd.Timestamp(ep['date']):%a %d %b %Y}" + (f" {time}" if time is not None else ""))
        aid = ep.get("activity_id")
        after = ep.get("hours_after_run")
        causes = _causes(explanation.for_episode(ep["episode_id"]))
        row = ep.get("row")
        top = ep.get("top_cause")
        views.append(EpisodeView(
            id=ep["episode_id"],
            ref=ref,
            row=None if row is None or pd.isna(row) else int(row),
            date=ep["date"],
            time=time,
            when=when,
            muscles=list(ep["muscles"]),
            kind=ep["kind"],
            severity=ep.get("severity"),
            activity_id=None if pd.isna(aid) else str(aid),
            hours_after_run=after,
            after=f", {after:.1f} h after it ended" if not pd.isna(after) else "",
            urgent=[g for g in gates if g.episode_id == ep["episode_id"]],
            flags=[(fl, FLAGS[fl].message) for fl in ep["flags"]],
            causes=causes,
            shown=[c for c in causes if c.status == "assessed" and c.score][:shown],
            top=next((c for c in causes if c.cause == top), None) if isinstance(top, str) else None,
            not_assessed=[c.title for c in causes if c.status == "not assessed"],
        ))
    return views


def episode_refs(episodes: pd.DataFrame) -> list[str]:
    """The stable, human id of each episode: its local date and onset time.

    ``2026-05-23-1900`` (date and ``HHMM``), ``2026-05-23`` when the diary has
    no time; episodes sharing both get ``-2``, ``-3``... in diary order. The
    id does not change when rows are added, removed or re-sorted elsewhere in
    the diary (the diary row, ``episode_id``, does). ``row-N`` when the date
    is missing.
    """
    refs: list[str] = []
    seen: dict[str, int] = {}
    for _, ep in episodes.iterrows():
        date, time = ep.get("date"), ep.get("time")
        if date is None or pd.isna(date):
            base = f"row-{ep.get('row')}"
        else:
            clock = f"-{time.replace(':', '')}" if isinstance(time, str) else ""
            base = f"{pd.Timestamp(date):%Y-%m-%d}{clock}"
        seen[base] = seen.get(base, 0) + 1
        refs.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return refs


#: Hour [local] from which a time of day is called morning, afternoon, evening; night before 05:00.
PARTS_OF_DAY = ((5, "morning"), (12, "afternoon"), (17, "evening"), (22, "night"))


def part_of_day(time: str | None) -> str | None:
    """``"19:00"`` -> ``"evening"`` (see :data:`PARTS_OF_DAY`); None for an unknown time."""
    if not isinstance(time, str) or ":" not in time:
        return None
    hour = int(time.split(":")[0])
    part = "night"
    for start, name in PARTS_OF_DAY:
        if hour >= start:
            part = name
    return part


def human_date(date: Any, time: str | None = None, *, year: bool = False) -> str:
    """``Sat 23 May, evening`` (``Sat 23 May 2026, evening`` with ``year``); ``date unknown`` for NaT."""
    if date is None or pd.isna(date):
        return "date unknown"
    d = pd.Timestamp(date)
    text = f"{d:%a} {d.day} {d:%b}" + (f" {d.year}" if year else "")
    part = part_of_day(time)
    return text + (f", {part}" if part else "")


#: How big a difference from the runner's usual the summary mentions (presentation only: the
#: causes weigh the same features with their own thresholds). ``speed``: mean speed against
#: comparable runs [fraction]; ``heart_rate`` [bpm] against comparable runs; ``spike``: distance
#: against the longest run of the 30 days before [ratio] (1.1: a session spike, Frandsen et al.
#: 2025); ``week``: the 7-day distance against the 7 days before [%].
NOTABLE: dict[str, float] = {"speed": 0.05, "heart_rate": 5.0, "spike": 1.1, "week": 20.0}


def _value(row: pd.Series | None, column: str) -> float | None:
    if row is None or column not in row.index:
        return None
    v = number(row[column], 6)
    return v if isinstance(v, float) else None


NOTHING_UNUSUAL = "nothing unusual in the data"
TOO_FEW_TO_COMPARE = "too few similar runs to compare yet"
#: Facts of a run that are not comparisons, said only when the explanation found one of these
#: factors far above the runner's usual (``Explanation.episodes.unusual``): "no cool-down" never
#: stands beside a runner who rarely cools down. (A hot day is said as it is: the heat factors
#: weigh the heat with the fluid measured, so their absence does not say the day was cool.)
FACT_FACTORS = {"no cool-down": frozenset({"no_cooldown", "stop_dead"})}


def what_changed(run: pd.Series | None, day: pd.Series | None = None, *,
                 notable: dict[str, float] = NOTABLE, unusual: Collection[str] | None = None) -> str:
    """One line: what was different about the run against the runner's usual.

    ``run`` is the run's row of the run features, ``day`` the daily features
    of its local date; differences smaller than ``notable`` are left out.
    ``unusual`` (the explanation's factors far above their usual) admits the
    facts of :data:`FACT_FACTORS`; None says them all.
    """

    def admitted(fact: str) -> bool:
        return unusual is None or bool(FACT_FACTORS[fact] & set(unusual))

    if run is None:
        return "no run linked"
    said: list[str] = []
    speed = _value(run, run_column("speed_vs_usual_ratio"))
    if speed is not None and abs(speed - 1.0) >= notable["speed"]:
        said.append(f"{fmt(abs(speed - 1.0) * 100, 0)} % {'faster' if speed > 1 else 'slower'} than usual")
    hr = _value(run, run_column("hr_vs_usual_bpm"))
    if hr is not None and abs(hr) >= notable["heart_rate"]:
        said.append(f"heart rate {fmt(abs(hr), 0)} bpm {'above' if hr > 0 else 'below'} usual")
    spike = _value(run, run_column("spike_distance_ratio"))
    if spike is not None and spike >= notable["spike"]:
        said.append(f"{fmt((spike - 1.0) * 100, 0)} % longer than your longest run of the month before")
    heat = run.get(run_column("heat_risk"))
    if isinstance(heat, str) and heat in ("high", "extreme"):
        said.append(f"hot (heat risk {heat})")
    week = _value(day, daily_column("distance_7d_change_pct"))
    if week is not None and week >= notable["week"]:
        said.append(f"week's distance up {fmt(week, 0)} %")
    cooldown = _value(run, run_column("cooldown_min"))
    if cooldown is not None and cooldown == 0 and admitted("no cool-down"):
        said.append("no cool-down")
    if said:
        return "; ".join(said)
    known = _value(run, run_column("usual_comparable_runs"))
    return NOTHING_UNUSUAL if known and known >= 3 else TOO_FEW_TO_COMPARE


#: Factors the run's own comparisons already say (pace and heart rate, a spike, the heat, the
#: cool-down): the summary adds the explanation's sentence only for the others.
SAID_BY_THE_RUN = frozenset({"effort", "spike", "heat", "no_cooldown", "stop_dead"})


def _changed_line(said: str, above: list[tuple[str, str]]) -> str:
    """The summary's line of what changed: the run's own comparisons, then the explanation's first
    sentence of what else was far above usual (a fast, a medicine the run's numbers do not show)."""
    more = [sentence for factor, sentence in above if factor not in SAID_BY_THE_RUN][:1]
    if not more:
        return said
    if said in (NOTHING_UNUSUAL, TOO_FEW_TO_COMPARE):
        return more[0]
    return f"{said}; {more[0][:1].lower()}{more[0][1:]}"


def run_line(run: pd.Series | None, episode_date: Any, hours_after: Any) -> str:
    """The run an episode followed, in words: ``12.3 km in 1 h 05 min, that day at 12:30; 5 h before``."""
    after = number(hours_after, 1)
    gap = f"; ended {fmt(after, 0) if after >= 1 else 'under 1'} h before" if after is not None else ""
    if run is None:
        return "no run linked" if after is None else f"a run{gap}"
    dist = _value(run, run_column("distance_m"))
    timer = _value(run, run_column("timer_s")) or _value(run, run_column("elapsed_s"))
    sport = str(run.get(run_column("sport")) or "activity")
    noun = {"running": "run", "cycling": "ride", "walking": "walk", "hiking": "hike"}.get(sport, sport)
    what = (f"{fmt(dist / 1000.0, 1)} km " if dist else "") + noun
    what += f" of {fmt_duration(timer)}" if timer else ""
    start = run.get(run_column("start_local"))
    when = ""
    if start is not None and not pd.isna(start):
        s = pd.Timestamp(start)
        days = -1 if episode_date is None or pd.isna(episode_date) else (
            pd.Timestamp(episode_date).normalize().date() - s.date()).days
        day_word = {0: "that day", 1: "the day before"}.get(days, f"{s:%a} {s.day} {s:%b}")
        when = f", {day_word} at {s:%H:%M}"
    return what + when + gap


#: Flags about the whole season rather than one episode: shown in the red-flag box, marked on the
#: episode's summary row, but not its first step. None: ``persistent`` says that this episode is
#: part of twitching on most days for more than two weeks, so its advice comes first like any flag's.
SEASON_FLAGS: tuple[str, ...] = ()


def _last_sentence(message: str) -> str:
    parts = [p.strip() for p in message.replace("!", ".").split(". ") if p.strip()]
    last = parts[-1] if parts else message
    return last if last.endswith(".") else last + "."


@dataclass(frozen=True)
class SummaryRow:
    """One episode as the summary at the top of a report shows it: one line of a table.

    Attributes
    ----------
    ref, anchor, row, episode_id
        The stable human id (:func:`episode_refs`), the HTML id of the
        episode's details, the diary row and the explanation's id.
    when
        ``Sat 23 May, evening`` (the year too when the episodes span several).
    run
        The run it followed (:func:`run_line`).
    changed
        What changed against the runner's usual (:func:`what_changed`).
    cause, verdict
        The top cause's title and its verdict (:attr:`EpisodeView.top`);
        cause None and verdict ``"no cause stands out"`` when no cause
        reaches ``possible``.
    first_step
        The first thing to do: a safety gate's action, else a red flag's
        advice, else the top cause's first remedy, else what to log or which files to add.
    warnings
        ``Urgent: ...`` and ``Red flag: ...`` badges (words, never colour alone).
    """

    ref: str
    anchor: str
    row: int | None
    episode_id: str
    when: str
    run: str
    changed: str
    cause: str | None
    verdict: str
    first_step: str
    warnings: list[str]


def _what_to_add(v: EpisodeView) -> str:
    """The first step when nothing is to be done: what the diary or the folder of runs lacks."""
    if v.activity_id is None:
        return "Add the file of the run this episode followed to the folder you analyse, if you recorded it."
    missing = [m for c in v.causes for m in c.missing]
    logged = [m for m in missing if m not in FROM_FILES]
    if logged:
        return f"Keep logging; next time note {logged[0]}."
    if missing:
        return f"Add the files of your earlier runs to the folder you analyse: {missing[0]}."
    return "Keep logging your runs and episodes."


@dataclass(frozen=True)
class Needs:
    """What would sharpen the analysis, each with the number of episodes it would help.

    ``log``: what to note in the diary next time; ``files``: what only more
    activity files give (the run an episode followed, earlier runs to compare
    a run with: :data:`runtwitch.rules.weigh.FROM_FILES`).
    """

    log: list[tuple[str, int]]
    files: list[tuple[str, int]]


def needs(explanation: Explanation) -> Needs:
    """:meth:`Explanation.missing_summary`, split into what to log and what files to add."""
    counted = [(str(m), int(n)) for m, n in explanation.missing_summary().items()]
    return Needs([(m, n) for m, n in counted if m not in FROM_FILES], [(m, n) for m, n in counted
                                                                       if m in FROM_FILES])


def _row(frame: pd.DataFrame | None, key: Any) -> pd.Series | None:
    if frame is None or key is None or key not in frame.index:
        return None
    row: pd.Series = frame.loc[key]
    return row


def summary_rows(explanation: Explanation, runs: pd.DataFrame | None = None,
                 days: pd.DataFrame | None = None, *,
                 notable: dict[str, float] = NOTABLE) -> list[SummaryRow]:
    """One :class:`SummaryRow` per episode, in the explanation's order.

    ``runs`` and ``days`` (the feature tables) add the run's distance, time
    and what changed; without them the row says only when the run ended.
    """
    views = episode_views(explanation)
    eps = explanation.episodes
    # the factors the explanation found far above usual, each with its sentence (they are the
    # sentences of "changed" that do not say a usual factor was absent, in the same order)
    above = {e: list(zip(u, [x for x in c if not x.startswith(NOT_THIS_TIME)], strict=False))
             for e, c, u in zip(eps["episode_id"], eps["changed"], eps["unusual"], strict=True)}
    dates = [pd.Timestamp(v.date) for v in views if v.date is not None and not pd.isna(v.date)]
    year = len({d.year for d in dates}) > 1
    rows = []
    for v in views:
        run = _row(runs, v.activity_id)
        day = None
        if run is not None and days is not None:
            local = run.get(run_column("local_date"))
            day = _row(days, pd.Timestamp(local) if local is not None and not pd.isna(local) else None)
        top = v.top
        cause = top.title if top is not None else None
        flags = [(f, m) for f, m in v.flags if f not in SEASON_FLAGS]
        if v.urgent:
            first = v.urgent[0].action
        elif flags:
            first = _last_sentence(flags[0][1])
        elif top is not None and top.remedies:
            first = top.remedies[0]
        else:
            first = _what_to_add(v)
        rows.append(SummaryRow(
            ref=v.ref, anchor=v.anchor, row=v.row, episode_id=v.id,
            when=human_date(v.date, v.time, year=year),
            run=run_line(run, v.date, v.hours_after_run) if v.activity_id is not None else "no run linked",
            changed=(_changed_line(what_changed(run, day, notable=notable,
                                                unusual=[f for f, _ in above.get(v.id, [])]),
                                   above.get(v.id, [])) if run is not None else ""),
            cause=cause,
            verdict=top.verdict if top is not None else NO_CAUSE,
            first_step=first,
            warnings=[f"Urgent: {g.title}" for g in v.urgent]
            + [f"Red flag: {FLAGS[f].id.replace('_', ' ')}" for f, _ in v.flags],
        ))
    return rows


#: Episodes linked to runs needed before the personal patterns are shown: with fewer, every
#: comparison is too uncertain to say anything.
MIN_PATTERN_EPISODES = 5


@dataclass(frozen=True)
class PatternView:
    """One personal pattern as the reports show it, its uncertainty in words."""

    factor: str
    label: str
    with_it: str
    without_it: str
    relative_risk: float
    ci_low: float
    ci_high: float
    words: str


def pattern_words(relative_risk: float, ci_low: float, ci_high: float) -> str:
    """A pattern's relative risk and 95 % range in words (a range crossing 1 could be chance)."""
    times = fmt(relative_risk, 1)
    if ci_low > 1.0:
        return f"about {times}× as often after such runs: clear in your data so far"
    if ci_high < 1.0:
        return f"about {times}× as often (less often) after such runs: clear in your data so far"
    return f"about {times}× as often, but the range ({fmt(ci_low, 1)}-{fmt(ci_high, 1)}×) includes no " \
        "difference: could be chance"


def pattern_views(explanation: Explanation, *,
                  min_episodes: int = MIN_PATTERN_EPISODES) -> tuple[list[PatternView], str]:
    """The patterns worth showing, and why there are none when there are none.

    Patterns are shown only with at least ``min_episodes`` episodes linked to
    runs and for factors with a relative risk (enough runs on both sides, see
    :func:`runtwitch.rules.patterns.patterns`).
    """
    linked = int(explanation.episodes["activity_id"].notna().sum()) if len(explanation.episodes) else 0
    if linked < min_episodes:
        return [], (f"Not enough episodes yet to look for your own patterns: {linked} linked to a run, "
                    f"{min_episodes} needed.")
    p = explanation.patterns.dropna(subset=["relative_risk"])
    if p.empty:
        return [], "Not enough runs yet to compare runs with and without each factor."
    views = []
    for r in p.to_dict("records"):
        rr, lo, hi = float(r["relative_risk"]), float(r["ci_low"]), float(r["ci_high"])
        views.append(PatternView(str(r["factor"]), str(r["label"]),
                                 f"{r['episodes_with']} of {r['runs_with']} runs",
                                 f"{r['episodes_without']} of {r['runs_without']} runs", rr, lo, hi,
                                 pattern_words(rr, lo, hi)))
    return views, ""
