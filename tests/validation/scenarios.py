"""Scenarios on simulated runners: a cause's clear case and its ablation, histories, confounders.

Every scenario appends one target run (two days after the runner's last run)
to a simulated history, with an episode three hours after it, and asks the
engine about that episode. The target is planned with the runner's own habits
and then given the scenario's evidence; its ablated twin is the same run with
that evidence replaced by neutral values (nothing else changes, not even the
sample noise).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np

from tests.validation import harness as hz
from tests.validation import simulate as sim

#: Weeks of a base-rate runner's history behind a scenario's target run (the
#: first weeks of the same simulated season, so nothing is rendered twice).
SCENARIO_WEEKS = 6
#: Causes the rebuilt engine added (issue 14 item 5): the triggers health services name for
#: twitching (tiredness, caffeine, alcohol, stress).
FUTURE_CAUSES = ("short_sleep", "caffeine", "alcohol", "stress")


# --- building a target run -------------------------------------------------------------


def season(archetype: str, seed: int) -> sim.History:
    """The history a scenario starts from: the first :data:`SCENARIO_WEEKS` weeks of a simulated season."""
    return sim.simulate_runner(archetype, seed).first_weeks(SCENARIO_WEEKS)


def target_run(history: sim.History, kind: str, minutes: float, hour: float = 7.0) -> sim.PlannedRun:
    """A session two days after the last run, planned with the runner's habits (deterministic)."""
    runner = history.runner
    rng = np.random.default_rng([sim.seed_of(runner.name, "target", kind), len(history.runs)])
    day = history.last_day + timedelta(days=2)
    start = datetime(day.year, day.month, day.day) + timedelta(minutes=round(hour * 60))
    run = sim.plan_run(runner, kind, day, start, runner.timezone, 0.0, minutes, False, multi=False, rng=rng,
                       minutes=minutes)
    return replace(run, key=f"{run.key}-target")


def cooled(run: sim.PlannedRun, runner: sim.Runner) -> sim.PlannedRun:
    """The run with an 8-minute easy jog at the end, recorded: a cool-down that points nowhere."""
    return with_cooldown(runner, run, 8.0).logged(cooldown_min=None)


def without_cooldown(run: sim.PlannedRun) -> sim.PlannedRun:
    return replace(run, segments=tuple(s for s in run.segments if s[0] != "cool"), cooldown_min=0.0,
                   cooldown_recorded=False)


def with_cooldown(runner: sim.Runner, run: sim.PlannedRun, minutes: float = 10.0) -> sim.PlannedRun:
    """The run followed by an easy jog, recorded on the watch."""
    jog: sim.Segment = ("cool", minutes * 60.0, runner.lt_speed * 0.55)
    return replace(without_cooldown(run), segments=(*without_cooldown(run).segments, jog),
                   cooldown_min=minutes, cooldown_recorded=True)


def surge_and_stop(runner: sim.Runner, run: sim.PlannedRun, seconds: float = 120.0) -> sim.PlannedRun:
    """The run ending in a hard surge, then stopping dead (no cool-down)."""
    bare = without_cooldown(run)
    return replace(bare, segments=(*bare.segments, ("work", seconds, runner.lt_speed * 1.12)))


def weather(runner: sim.Runner, run: sim.PlannedRun, air_c: float, humidity_pct: float) -> sim.PlannedRun:
    """The run on another day's weather (sweat and mass loss follow)."""
    rng = np.random.default_rng(run.seed)
    return sim.finish_run(runner, replace(run, air_c=air_c, humidity_pct=humidity_pct), rng,
                          fluid_during_l=run.fluid_during_l)


def measured(run: sim.PlannedRun, change_pct: float, fluid_l: float) -> sim.PlannedRun:
    """Body mass measured before/after with this change, and the fluid drunk during the run."""
    after = run.mass_before_kg * (1 + change_pct / 100.0)
    sweat = run.mass_before_kg - after + fluid_l
    done = replace(run, mass_after_kg=after, fluid_during_l=fluid_l, sweat_l=round(sweat, 2))
    return done.logged(weight_before_kg=round(run.mass_before_kg, 1), weight_after_kg=round(after, 1),
                       fluid_during_l=fluid_l)


def append(history: sim.History, run: sim.PlannedRun) -> sim.History:
    return history.with_runs([*history.runs, run])


def episode_after(
    run: sim.PlannedRun, kind: str, muscles: str = "left calf", hours: float = 3.0
) -> sim.Episode:
    onset = run.end_local + timedelta(hours=hours)
    return sim.Episode(onset.date(), onset.strftime("%H:%M"), muscles, kind, 10.0, 4.0, run.key)


def verdict(history: sim.History, run: sim.PlannedRun, kind: str) -> hz.Verdict:
    """The engine's verdict on an episode after ``run`` appended to ``history``."""
    got = hz.explain_with(append(history, run), [episode_after(run, kind)])
    return got[hz.activity_id(run)]


# --- clear scenarios and their ablations ----------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """A cause's clear case on one simulated runner, and the same case without its evidence.

    ``build(history, clear)`` returns the target run.
    """

    cause: str
    runner: tuple[str, int]
    kind: str  # the episode's kind: cramp, twitch or spasm
    evidence: str  # what the clear case adds, in words
    build: Callable[[sim.History, bool], sim.PlannedRun]

    def history(self) -> sim.History:
        return season(*self.runner)

    def target(self, clear: bool) -> sim.PlannedRun:
        """The scenario's target run; apart from the cause's own evidence nothing in it is unusual
        (it ends with a cool-down, except in the cool-down scenario)."""
        h = self.history()
        run = self.build(h, clear)
        return run if self.cause == "poor_circulation" else cooled(run, h.runner)


def _fatigue(h: sim.History, clear: bool) -> sim.PlannedRun:
    r = h.runner
    longest = max(run.minutes for run in h.runs if run.sport == "running")
    if not clear:
        return target_run(h, "easy", float(np.mean(r.archetype.easy_min))).logged(rpe=3)
    run = target_run(h, "easy", round(1.8 * longest))
    faster = tuple((w, s, v * 1.12 if w == "run" else v) for w, s, v in run.segments)
    return replace(run, segments=faster).logged(rpe=8)


def _dehydration(h: sim.History, clear: bool) -> sim.PlannedRun:
    r = h.runner
    run = target_run(h, "long", float(np.mean(r.archetype.long_min)), hour=11.0)
    if clear:
        hot = measured(weather(r, run, 31.0, 60.0), -3.6, 0.2)
        return hot.logged(air_temp_c=31, humidity_pct=60, thirst=True, urine_color=7, electrolytes=True,
                          sodium_mg=2500)
    cool = measured(weather(r, run, 12.0, 70.0), -0.8, 0.5)
    return cool.logged(air_temp_c=12, humidity_pct=70, thirst=False, urine_color=2, electrolytes=True,
                       sodium_mg=2500)


def _electrolytes(h: sim.History, clear: bool) -> sim.PlannedRun:
    r = h.runner
    run = measured(weather(r, target_run(h, "long", 95.0, hour=6.0), 27.0, 75.0), -1.0, 2.2)
    run = run.logged(air_temp_c=27, humidity_pct=75)
    if clear:
        return run.logged(electrolytes=False, sodium_mg=0)
    return run.logged(electrolytes=True, sodium_mg=3000)


def _circulation(h: sim.History, clear: bool) -> sim.PlannedRun:
    r = h.runner
    run = target_run(h, "tempo", 45.0, hour=18.0)
    if clear:
        return surge_and_stop(r, run).logged(stretched=False, cooldown_min=None)
    return with_cooldown(r, surge_and_stop(r, run)).logged(stretched=True, cooldown_min=None)


def _low_sugar(h: sim.History, clear: bool) -> sim.PlannedRun:
    run = target_run(h, "long", float(np.mean(h.runner.archetype.long_min)), hour=7.0)
    if clear:
        return run.logged(carbs_before_g=0, carbs_during_g=0, meal_hours_before=12)
    return run.logged(carbs_before_g=50, carbs_during_g=60, meal_hours_before=3)


def _fueling(h: sim.History, clear: bool) -> sim.PlannedRun:
    run = target_run(h, "easy", float(np.mean(h.runner.archetype.easy_min)), hour=13.5)
    if clear:
        return run.logged(spicy_meal=True, meal_hours_before=1)
    return run.logged(spicy_meal=False, meal_hours_before=3)


def _medication(h: sim.History, clear: bool) -> sim.PlannedRun:
    run = target_run(h, "easy", float(np.mean(h.runner.archetype.easy_min)), hour=18.0)
    return run.logged(medications="salmeterol" if clear else "none")


def _new_column(
    column: str, clear_value: float, usual: float
) -> Callable[[sim.History, bool], sim.PlannedRun]:
    def build(h: sim.History, clear: bool) -> sim.PlannedRun:
        run = target_run(h, "easy", float(np.mean(h.runner.archetype.easy_min)), hour=18.0)
        if column == "sleep_h":
            run = replace(run, sleep_h=clear_value if clear else usual)
        return run.logged(**{column: clear_value if clear else usual})

    return build


SCENARIOS: dict[str, Scenario] = {
    s.cause: s
    for s in (
        Scenario("fatigue_overuse", ("beginner_low_volume", 1), "cramp",
                 "a run 1.8x the longest so far, 12 % faster than usual, RPE 8", _fatigue),
        Scenario("dehydration", ("marathoner_high_volume", 1), "cramp",
                 "a long run at 31 °C with a measured 3.6 % body-mass loss, 0.2 L drunk, thirst, dark urine",
                 _dehydration),
        Scenario("electrolyte_imbalance", ("salty_sweater_hot", 1), "cramp",
                 "a heavy, salty sweater's 3 L sweat loss in humid heat with no salt taken", _electrolytes),
        Scenario("poor_circulation", ("fasted_long_runner", 1), "twitch",
                 "a tempo run ending in a surge and a dead stop, no stretching", _circulation),
        Scenario("low_blood_sugar", ("marathoner_high_volume", 1), "cramp",
                 "a long run with no carbohydrate before or during, 12 h after the last meal", _low_sugar),
        Scenario("poor_fueling", ("no_cooldown_stopper", 1), "twitch",
                 "a spicy meal one hour before the run", _fueling),
        Scenario("medication", ("no_cooldown_stopper", 1), "cramp",
                 "a new long-acting beta-2 agonist inhaler (salmeterol)", _medication),
        Scenario("short_sleep", ("marathoner_high_volume", 1), "twitch", "4 h of sleep the night before",
                 _new_column("sleep_h", 4.0, 7.5)),
        Scenario("caffeine", ("marathoner_high_volume", 1), "twitch", "650 mg of caffeine that day",
                 _new_column("caffeine_mg", 650, 150)),
        Scenario("alcohol", ("marathoner_high_volume", 1), "twitch", "7 units of alcohol the evening before",
                 _new_column("alcohol_units", 7, 0)),
        Scenario("stress", ("marathoner_high_volume", 1), "twitch", "stress 9 of 10",
                 _new_column("stress", 9, 3)),
    )
}


@functools.cache
def scenario_verdict(cause: str, clear: bool) -> hz.Verdict:
    """The engine's verdict on a scenario's episode (cached per session)."""
    s = SCENARIOS[cause]
    return verdict(s.history(), s.target(clear), s.kind)


# --- the runner's own history -------------------------------------------------------------


@dataclass(frozen=True)
class HistoryCase:
    """A risky factor that one runner has had often without twitching and another never had.

    ``apply(runner, run, present)`` sets the factor on (or off) a past run of
    the chosen kinds; runs of other kinds stay as they were (``log_others``:
    their diary says the factor was absent). ``target(history)`` is the risky
    run itself, the same for both runners.
    """

    cause: str
    runner: tuple[str, int]
    kinds: frozenset[str]  # past runs the factor is applied to
    apply: Callable[[sim.Runner, sim.PlannedRun, bool], sim.PlannedRun]
    target: Callable[[sim.History], sim.PlannedRun]
    kind: str
    factor: str  # in words
    log_others: bool = True

    def base(self) -> sim.History:
        return sim.simulate_runner(*self.runner, weeks=HISTORY_WEEKS, episodes=False)

    def histories(self) -> tuple[sim.History, sim.History]:
        """(the factor habitual and never followed by an episode, the factor never seen before)."""
        base = self.base()
        quiet = [r for r in base.runs if r.sport == "running" and r.kind not in self.kinds]
        picks = quiet[len(quiet) // 3:: max(1, len(quiet) // 2)]
        background = [episode_after(r, "twitch", "right calf", 2.0) for r in picks]
        both = []
        for present in (True, False):
            runs = [self.apply(base.runner, r, present) if r.kind in self.kinds
                    else self.apply(base.runner, r, False) if self.log_others else r for r in base.runs]
            both.append(base.with_runs(runs, background))
        return both[0], both[1]


#: Weeks of history behind the history cases.
HISTORY_WEEKS = 6


def _fasted(runner: sim.Runner, run: sim.PlannedRun, present: bool) -> sim.PlannedRun:
    if present:
        return run.logged(carbs_before_g=0, carbs_during_g=0, meal_hours_before=11)
    return run.logged(carbs_before_g=50, carbs_during_g=40 if run.minutes >= 75 else 0, meal_hours_before=3)


def _fasted_target(h: sim.History) -> sim.PlannedRun:
    return _fasted(h.runner, target_run(h, "long", 100.0, hour=7.0), True)


def _no_cooldown(runner: sim.Runner, run: sim.PlannedRun, present: bool) -> sim.PlannedRun:
    if run.sport != "running":
        return run
    return without_cooldown(run).logged(cooldown_min=None) if present else \
        with_cooldown(runner, run, 8.0).logged(cooldown_min=None)


def _no_cooldown_target(h: sim.History) -> sim.PlannedRun:
    return without_cooldown(target_run(h, "easy", 45.0, hour=18.0)).logged(cooldown_min=None, stretched=False)


def _spicy(runner: sim.Runner, run: sim.PlannedRun, present: bool) -> sim.PlannedRun:
    return run.logged(spicy_meal=present, meal_hours_before=1.5 if present else 3)


def _spicy_target(h: sim.History) -> sim.PlannedRun:
    return _spicy(h.runner, target_run(h, "easy", 45.0, hour=13.5), True)


def _medicine(runner: sim.Runner, run: sim.PlannedRun, present: bool) -> sim.PlannedRun:
    return run.logged(medications="salmeterol" if present else "none")


def _medicine_target(h: sim.History) -> sim.PlannedRun:
    return _medicine(h.runner, target_run(h, "easy", 45.0, hour=18.0), True)


def _hot(runner: sim.Runner, run: sim.PlannedRun, present: bool) -> sim.PlannedRun:
    if run.sport != "running":
        return run
    if present:
        return measured(weather(runner, run, 31.0, 60.0), -2.6, 0.4).logged(air_temp_c=31, humidity_pct=60)
    return measured(weather(runner, run, 12.0, 70.0), -0.8, 0.4).logged(air_temp_c=12, humidity_pct=70)


def _hot_target(h: sim.History) -> sim.PlannedRun:
    return _hot(h.runner, target_run(h, "long", 90.0, hour=11.0), True)


def _long(runner: sim.Runner, run: sim.PlannedRun, present: bool) -> sim.PlannedRun:
    if run.kind != "long":
        return run
    minutes = 120.0 if present else 55.0
    rng = np.random.default_rng(run.seed)
    segs = tuple(sim.structure("long", runner, minutes, rng))
    cool = tuple(s for s in run.segments if s[0] == "cool")
    return sim.finish_run(runner, replace(run, segments=segs + cool), rng)


def _long_target(h: sim.History) -> sim.PlannedRun:
    return target_run(h, "long", 120.0, hour=8.0)


HISTORY_CASES: dict[str, HistoryCase] = {
    c.cause: c
    for c in (
        HistoryCase("low_blood_sugar", ("traveller", 2), frozenset({"long", "easy"}), _fasted, _fasted_target,
                    "cramp", "fasted runs"),
        HistoryCase("poor_circulation", ("traveller", 2), frozenset({"easy", "tempo"}), _no_cooldown,
                    _no_cooldown_target, "twitch", "stopping without a cool-down", log_others=False),
        HistoryCase("poor_fueling", ("traveller", 2), frozenset({"easy"}), _spicy, _spicy_target,
                    "twitch", "a spicy meal before the run"),
        HistoryCase("medication", ("traveller", 2), frozenset(sim.RUN_KINDS), _medicine,
                    _medicine_target, "cramp", "an inhaled long-acting beta-2 agonist"),
        HistoryCase("dehydration", ("traveller", 2), frozenset({"long"}), _hot, _hot_target, "cramp",
                    "hot long runs with a measured 2.6 % body-mass loss", log_others=False),
        HistoryCase("fatigue_overuse", ("traveller", 2), frozenset({"long"}), _long, _long_target, "cramp",
                    "two-hour long runs", log_others=False),
    )
}


@functools.cache
def history_verdicts(cause: str) -> tuple[hz.Verdict, hz.Verdict]:
    """(verdict for the runner used to the factor, verdict for the runner new to it)."""
    case = HISTORY_CASES[cause]
    used, new = case.histories()
    target = case.target(used)
    return verdict(used, target, case.kind), verdict(new, target, case.kind)


# --- confounders ---------------------------------------------------------------------------


#: Hydration around the hot run of :func:`heat_run`: measured good, measured poor, or not measured.
HYDRATION = ("good", "poor", "unmeasured")


@functools.cache
def heat_run(hydration: str) -> hz.Verdict:
    """A hot, humid 100-minute long run (32 °C, 65 %) and an episode after it.

    ``good``: body mass measured down 0.6 %, 1.4 L drunk, no thirst, pale
    urine; ``poor``: measured down 3.5 %, 0.2 L drunk, thirst, dark urine;
    ``unmeasured``: only the weather logged.
    """
    h = season("marathoner_high_volume", 1)
    r = h.runner
    run = weather(r, target_run(h, "long", 100.0, hour=11.0), 32.0, 65.0)
    run = replace(run, log=(("air_temp_c", "32"), ("humidity_pct", "65")))
    if hydration == "good":
        run = measured(run, -0.6, 1.4).logged(thirst=False, urine_color=2, electrolytes=True, sodium_mg=1500)
    elif hydration == "poor":
        run = measured(run, -3.5, 0.2).logged(thirst=True, urine_color=7, electrolytes=True, sodium_mg=1500)
    return verdict(h, run, "cramp")


def _hard_intervals(h: sim.History) -> sim.PlannedRun:
    """Eight 3-minute reps at 112 % of threshold speed, stopping dead after the last one; RPE 9."""
    r = h.runner
    run = target_run(h, "intervals", 0.0, hour=18.0)
    warm = run.segments[0]
    reps: list[sim.Segment] = []
    for k in range(8):
        reps.append(("work", 180.0, r.lt_speed * 1.12))
        if k < 7:
            reps.append(("jog", 90.0, r.lt_speed * 0.5))
    hard = replace(without_cooldown(run), segments=(warm, *reps))
    return hard.logged(rpe=9, stretched=False, cooldown_min=None)


def _time_trial(h: sim.History) -> sim.PlannedRun:
    """A first 10 km time trial at race pace with a fast finish, stopping at the line; RPE 10."""
    r = h.runner
    run = target_run(h, "race", 0.0, hour=9.0)
    pace = r.lt_speed * 1.03
    segs: tuple[sim.Segment, ...] = (("work", 10000.0 / pace - 60.0, pace), ("work", 60.0, pace * 1.1))
    return replace(without_cooldown(run), segments=segs).logged(rpe=10, stretched=False, cooldown_min=None)


HARD_SESSIONS: dict[str, tuple[tuple[str, int], Callable[[sim.History], sim.PlannedRun]]] = {
    "unusually hard intervals": (("no_cooldown_stopper", 1), _hard_intervals),
    "first 10 km time trial": (("medicated_veteran", 1), _time_trial),
}


@functools.cache
def hard_session_without_cooldown(name: str) -> hz.Verdict:
    runner, build = HARD_SESSIONS[name]
    h = season(*runner)
    return verdict(h, build(h), "cramp")


@functools.cache
def predicted_only() -> hz.Verdict:
    """A hot 80-minute run with nothing but the weather logged: every fluid and salt figure is predicted.

    The runner gives a body mass, so the engine can predict sweat and sodium losses.
    """
    h = season("salty_sweater_hot", 1)
    r = h.runner
    run = weather(r, target_run(h, "long", 80.0, hour=17.0), 33.0, 45.0)
    run = replace(run, log=(("air_temp_c", "33"), ("humidity_pct", "45")))
    return verdict(h, run, "cramp")

