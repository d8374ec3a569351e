"""Weighing one episode's causes: each factor against the runner's usual, its evidence line,
and what to log or which files to add when a factor cannot be weighed.

:func:`weigh_episode` is what :func:`runtwitch.rules.explain.explain` does for each
episode between the safety checks and the shares; an episode linked to no run is weighed
from the day's logged triggers (:func:`day_triggers`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

import pandas as pd

from runtwitch.features.columns import run_column
from runtwitch.rules import engine as en
from runtwitch.rules.base import Context, Rule
from runtwitch.rules.factors import Factor, Table
from runtwitch.rules.medications import assess_medicines, match_medications


def weigh_episode(ctx: Context, season: en.Season, rules: Sequence[Rule], kind: str, no_drinking: str,
                  episode_medicines: list[str], episode: Mapping[Any, Any] | pd.Series,
                  day: DayOnly | None = None) -> dict[str, en.CauseResult]:
    """Every cause of one episode, weighed (before the shares); ``episode``: the episode's row
    (``ctx.episode``) or its cells by name, when its labels are unique
    (:func:`runtwitch.rules.base.cells`); ``day``: the day's logged triggers of an episode linked
    to no run (:func:`day_triggers`)."""
    out: dict[str, en.CauseResult] = {}
    run = ctx.run
    k = season.position.get(run.name) if run is not None else None
    on_episode = {c.key for _, c in match_medications(episode_medicines)}
    for rule in rules:
        res = en.CauseResult(rule, assessed=False)
        out[rule.id] = res
        th = season.values[rule.id]
        if not rule.factors:  # a rule of your own: its points are one factor's log relative risk
            a, points = en.user_rule(rule, ctx)
            res.assessed = a.score is not None
            res.log_rr = points if res.assessed else 0.0
            res.lines = [(e.text, e.points, "for", "logged") for e in a.evidence]
            res.missing = list(a.missing)
            continue
        if run is None or k is None:
            if day is not None and rule.id in DAY_CAUSES:
                day_ctx = replace(ctx, run=day.row, day=None)
                for f in rule.factors:
                    _record(res, f, season.weigh_without_run(f, day.x[f.id], day.at_s, kind), day_ctx, th)
            else:
                res.missing = [NO_RUN_LINKED]
            continue
        for f in rule.factors:
            override = None
            if f.id == "fluid_signs" and no_drinking:
                if (ctx.value("dehydration_signs") or 0) > 0:
                    res.lines.append((f"Thirst, dizziness and dark urine were not counted as signs of fluid "
                                      f"loss: {no_drinking}; they fit other causes too.", 0.0, "against",
                                      "logged"))
                continue
            if f.id.startswith("medicine:") and f.id.split(":", 1)[1] in on_episode:
                override = 1.0  # written on the episode's own row
            _record(res, f, season.weigh_factor(f, k, override, kind), ctx, th)
        if rule.id == "medication":
            _medicine_lines(ctx, res, th, episode)
    return out


def _record(res: en.CauseResult, f: Factor, wf: en.Weighed | None, ctx: Context,
            th: Mapping[str, float]) -> None:
    """Add a weighed factor to its cause: its part of the score and its evidence line, or what to
    log when it could not be weighed."""
    if wf is None:
        need = NEEDS.get("medicine" if f.id.startswith("medicine:") else f.id)
        if need and need not in res.missing:
            res.missing.append(need)
        return
    res.assessed = True
    res.weighed.append(wf)
    res.log_rr += wf.w
    said = f.says(ctx, th) if wf.x >= en.LINE_MIN_X and not f.id.startswith("medicine:") else ""
    if said and said in res.said:  # the same measurement said again (another band of it): one line,
        j, x0 = res.said[said]     # worded by the factor most present, with both parts of the score
        text, w, _, source = res.lines[j]
        if wf.x > x0:
            text, source = en.describe(wf, said), wf.source or "logged"
            res.said[said] = (j, wf.x)
        res.lines[j] = (text, w + wf.w, "for" if w + wf.w > 0 else "usual", source)
    elif said:
        res.said[said] = (len(res.lines), wf.x)
        res.lines.append((en.describe(wf, said), wf.w, "for" if wf.w > 0 else "usual",
                          wf.source or "logged"))
    elif f.against is not None and wf.x < 0.05:
        against = f.against(ctx, th)
        if against and all(against != line[0] for line in res.lines):
            res.lines.append((against, wf.w, "against", wf.source or "measured"))


#: Causes weighed from the diary alone, whether or not a run is linked: the day's sleep,
#: caffeine, alcohol and stress, as written on the episode's own row.
DAY_CAUSES = ("short_sleep", "caffeine", "alcohol", "stress")
#: The run features that carry them, by the diary column of the episode's row.
DAY_COLUMNS = {"sleep_h": "diary_sleep_h", "caffeine_mg": "diary_caffeine_mg",
               "alcohol_units": "diary_alcohol_units", "stress": "diary_stress"}


@dataclass(frozen=True)
class DayOnly:
    """The day of an episode linked to no run: a row like a run's with the values written on the
    episode's row, each day factor's presence on it, and when (UTC seconds, for the usual)."""

    row: pd.Series
    x: dict[str, float]
    at_s: float


def day_triggers(episodes: pd.DataFrame, season: en.Season, rules: Sequence[Rule]) -> dict[Any, DayOnly]:
    """:class:`DayOnly` of each episode linked to no run that logged one of the day's triggers.

    The factors are observed on the season's runs and these days together, so a personal mark
    ("twice your usual caffeine") is read as on a run."""
    own = [c for c in DAY_COLUMNS if c in episodes]
    linked = episodes["activity_id"] if "activity_id" in episodes else pd.Series(None, index=episodes.index)
    alone = [i for i, a in linked.items() if a is None or pd.isna(a) or a not in season.position]
    if not own or not alone or "date" not in episodes:
        return {}
    eps = episodes.loc[alone]
    eps = eps[eps[own].notna().any(axis=1) & pd.to_datetime(eps["date"]).notna()]
    if len(eps) == 0:
        return {}
    dates = pd.to_datetime(eps["date"])
    labels = [f"episode:{i}" for i in range(len(eps))]
    rows = pd.DataFrame({run_column(DAY_COLUMNS[c]): pd.to_numeric(eps[c], errors="coerce").astype(float)
                         .to_numpy() for c in own}, index=labels)
    rows[run_column("local_date")] = dates.dt.normalize().to_numpy()
    table = Table(pd.concat([season.runs, rows.reindex(columns=season.runs.columns)]), season.table.days)
    x = {f.id: f.observe(table, season.values[r.id]).x.reindex(labels).to_numpy(float)
         for r in rules if r.id in DAY_CAUSES for f in r.factors}
    at = (dates.to_numpy(dtype="datetime64[ns]").astype("int64") / 1e9).tolist()
    out: dict[Any, DayOnly] = {}
    for j, (idx, label) in enumerate(zip(eps.index, labels, strict=True)):
        row = cast(pd.Series, table.runs.loc[label])
        out[idx] = DayOnly(row, {fid: float(v[j]) for fid, v in x.items()}, at[j])
    return out


def _medicine_lines(ctx: Context, res: en.CauseResult, th: Mapping[str, float],
                    episode: Mapping[Any, Any] | pd.Series) -> None:
    """The medicine findings' own sentences (what was read, the class, its evidence, the timing), for
    the episode of ``ctx`` (``episode``: its row or its cells, as :func:`weigh_episode` has them)."""
    own = episode.get("medications")
    meds = [*(ctx.value("diary_medications") or []), *(own if isinstance(own, list) else [])]
    if not meds:
        return
    found, unknown = assess_medicines(list(dict.fromkeys(meds)), pd.Timestamp(episode["date"]),
                                      ctx.medicines, recent_days=th["recent_days"],
                                      long_standing_factor=th["long_standing_factor"])
    weighed = {wf.factor.id.split(":", 1)[1]: wf for wf in res.weighed}
    for f in found:
        wf = weighed.get(f.cls.key)
        if wf is None or wf.x <= 0:
            continue
        res.lines.append((en.describe(wf, f.sentence), wf.w, "for" if wf.w > 0 else "usual", "logged"))
    res.lines += [
        (f"'{u.text}' is not a medicine runtwitch knows" + (f" ({u.note})" if u.note else "")
         + ": it was not weighed; a pharmacist can tell whether it can cause cramps.", 0.0, "usual", "logged")
        for u in unknown
    ]
    res.assessed = True


#: What to log when a factor could not be assessed.
NEEDS: dict[str, str] = {
    "effort": "at least 3 earlier runs of the same type (for 'faster than usual')",
    "spike": "a month of earlier runs, to compare this run's length with",
    "large_loss": "body weight right before and after the run (to measure fluid loss)",
    "heat": "the air temperature (air_temp_c in the diary, or a weather table)",
    "salt_loss": "body weight before/after or weather (to estimate sweat and salt loss), and electrolytes",
    "stop_dead": "speed in the file, or cooldown_min in the diary",
    "fasted": "carbohydrate before the run and the time of your last meal "
    "(carbs_before_g, meal_hours_before)",
    "no_fuel": "carbohydrate during long runs (carbs_during_g)",
    "meal": "the time of your last meal (meal_hours_before) and spicy_meal",
    "short_sleep": "hours slept the night before (sleep_h)",
    "caffeine": "caffeine that day (caffeine_mg)",
    "alcohol": "alcohol the evening before (alcohol_units)",
    "stress": "stress that day, 0-10 (stress)",
    "medicine": "medicines taken that day (medications), or 'none'",
    "novel_hard": "at least 3 earlier runs in the 90 days before, to know the sessions you are used to",
    "load_streak": "your runs of the week before, to count rest days",
}
#: The need of an episode that no run could be linked to, as its causes' ``missing`` name it.
NO_RUN_LINKED = "no run linked to this episode"
#: Needs that only more of the runner's activity files meet (the run itself, earlier runs to compare
#: it with), not a diary column: the reports ask to add files for them, not to log them.
FROM_FILES: frozenset[str] = frozenset(
    {NEEDS["effort"], NEEDS["spike"], NEEDS["novel_hard"], NEEDS["load_streak"], NO_RUN_LINKED})
