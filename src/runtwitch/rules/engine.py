"""Weigh the causes of one episode: factors against the runner's usual and history, shares, evidence.

:class:`Season` observes every factor on every run once (vectorised over
the run table); :meth:`Season.weigh` then scores one episode in
O(factors x runs). The model is in :mod:`runtwitch.rules.score`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from runtwitch.features.columns import run_column
from runtwitch.features.window import Trailing
from runtwitch.rules.base import Assessment, Context, Rule, fmt
from runtwitch.rules.factors import Factor, Observed, Table
from runtwitch.rules.score import (
    GRADE_SIGMA,
    USUAL_MIN_RUNS,
    USUAL_WINDOW_DAYS,
    Personal,
    contribution,
    personal_from_counts,
    used_log_rr,
    usual_from_sum,
    usual_presence,
)

#: A factor this much more (or less) present than usual is on the "what changed" list.
CHANGED_MIN_U = 0.5
#: At most this many lines in "what changed against your usual".
CHANGED_MAX_LINES = 5
#: A factor gets an evidence line when its presence on the run is at least this.
LINE_MIN_X = 0.1
#: Say the runner's own history of a factor once they have had it this often.
HISTORY_MIN_RUNS = 3
#: A factor present on at least this share of the comparable runs is called a habit.
HABIT_SHARE = 0.5
#: The line when nothing stands out.
NOTHING_STOOD_OUT = (
    "Nothing about this run stood out against your usual {kind} runs. Twitches after exercise are common "
    "and usually harmless: about 70 % of healthy people have them at times (MedlinePlus)."
)


@dataclass(frozen=True)
class Weighed:
    """One factor weighed for one episode."""

    factor: Factor
    x: float
    source: str | None
    p: float
    n_usual: int
    usual_basis: str
    u: float
    personal: Personal
    w: float
    #: the log relative risk weighed with (:func:`runtwitch.rules.score.used_log_rr`)
    beta: float = float("nan")


@dataclass
class CauseResult:
    """A cause weighed for one episode (before the shares are taken)."""

    rule: Rule
    assessed: bool
    log_rr: float = 0.0
    lines: list[tuple[str, float, str, str]] = field(default_factory=list)  # text, w, direction, source
    missing: list[str] = field(default_factory=list)
    weighed: list[Weighed] = field(default_factory=list)
    #: each sentence said so far: its line and the presence of the factor that said it (factors of
    #: one measurement, such as the two bands of a fluid loss, share one line)
    said: dict[str, tuple[int, float]] = field(default_factory=dict)


class Season:
    """Every factor of every rule observed on every run of a season, once.

    Parameters
    ----------
    runs
        ``run_features`` (running activities are weighed).
    days
        ``daily_features`` or None.
    rules
        The rules in force (their thresholds are used).
    followed
        Boolean per run: was it followed by an episode?
    """

    def __init__(
        self, runs: pd.DataFrame, days: pd.DataFrame | None, rules: Sequence[Rule], followed: pd.Series
    ) -> None:
        is_run = runs[run_column("is_run")].astype(bool) if len(runs) else pd.Series(dtype=bool)
        self.runs = runs[is_run]
        self.table = Table(self.runs, days)
        self.rules = rules
        self.values = {r.id: r.values() for r in rules}
        self.observed: dict[str, Observed] = {
            f.id: f.observed_on(self.table, self.values[r.id]) for r in rules for f in r.factors
        }
        self.start = self.runs[run_column("start_utc")].to_numpy(dtype="datetime64[ns]").astype("int64") / 1e9
        kind = self.runs[run_column("run_type")] if len(self.runs) else pd.Series(dtype=object)
        self.kind = kind.fillna("").astype(str).to_numpy()
        # the kinds as integer codes (equal codes, equal kinds): a window's runs of one kind are
        # found without comparing strings
        self._kind_code = pd.factorize(self.kind)[0]
        self.y = followed.reindex(self.runs.index).fillna(False).astype(bool).to_numpy().astype(float)
        self.position = {a: k for k, a in enumerate(self.runs.index)}
        self.window = Trailing(self.start, USUAL_WINDOW_DAYS * 86400.0)
        # Each factor's presence and its counts over the whole history, once: an episode's
        # leave-its-run-out counts are these minus that run's own (see weigh_factor).
        self.xs = {fid: obs.x.to_numpy(float) for fid, obs in self.observed.items()}
        self.totals = {fid: _counts(xs, self.y) for fid, xs in self.xs.items()}
        self._personal: dict[tuple[float, ...], Personal] = {}
        # each factor's source per run, as Series.iloc gives it (read for every factor of every episode)
        self._sources = {fid: _cells(obs.source) for fid, obs in self.observed.items()}
        self._comparable: dict[tuple[int, str], tuple[np.ndarray, str]] = {}
        # The factors whose presences add up exactly in any order (see _exact_sums): their usual
        # sums over a run's comparable runs are taken for all of them at once (usual_sums).
        self._exact = {fid: k for k, fid in enumerate(fid for fid, xs in self.xs.items() if _exact_sums(xs))}
        exact = [self.xs[fid] for fid in self._exact]
        stacked = np.vstack(exact) if exact else np.zeros((0, len(self.y)))
        known = np.isfinite(stacked)
        # Their sums over any window (of every run, or of the runs of one kind) as differences of
        # prefix sums in start order: exact, as every sum of such presences is (see _exact_sums).
        order = self.window.order
        filled, known = np.where(known, stacked, 0.0)[:, order], known[:, order]
        kinds = self._kind_code[order]
        self._prefix = {kind: (_prefix(np.where(kinds == kind, filled, 0.0)),
                               _prefix(known & (kinds == kind)))
                        for kind in np.unique(kinds).tolist()}
        self._prefix[-1] = (_prefix(filled), _prefix(known))  # every kind (codes are never negative)
        self._usual_sums: dict[tuple[int, str], tuple[np.ndarray, np.ndarray]] = {}
        self._priors: dict[tuple[str, str], float] = {}

    def comparable(self, k: int, compare: str) -> tuple[np.ndarray, str]:
        """Positions of the runs that form the usual of run ``k``, and how they were chosen (found
        once per run and way of comparing: every factor of an episode asks for the same)."""
        key = (k, compare)
        found = self._comparable.get(key)
        if found is None:
            found = self._comparable[key] = self._choose(k, compare)
        return found

    def _choose(self, k: int, compare: str) -> tuple[np.ndarray, str]:
        window = self.window[k]
        if compare == "type" and self.kind[k]:
            same = window[self._kind_code[window] == self._kind_code[k]]
            if len(same) >= USUAL_MIN_RUNS:
                return same, f"your {self.kind[k]} runs"
            return window, f"all your runs (fewer than {USUAL_MIN_RUNS} {self.kind[k]} runs)"
        return window, "your runs"

    def usual_sums(self, k: int, compare: str) -> tuple[np.ndarray, np.ndarray]:
        """The sums of the known presences of every exactly summed factor over the usual of run
        ``k`` (:meth:`comparable`), and how many runs are known, once per run and way of comparing."""
        key = (k, compare)
        found = self._usual_sums.get(key)
        if found is None:
            usual = self.comparable(k, compare)[0]
            lo, hi = self.window.bounds(k)
            # the usual is the whole window, or the window's runs of run k's kind (_choose)
            sums, counts = self._prefix[-1 if len(usual) == hi - lo else int(self._kind_code[k])]
            found = self._usual_sums[key] = (sums[:, hi] - sums[:, lo], counts[:, hi] - counts[:, lo])
        return found

    def prior(self, f: Factor, episode_kind: str) -> float:
        """:meth:`Factor.prior`, once per factor and kind of episode."""
        key = (f.id, episode_kind)
        found = self._priors.get(key)
        if found is None:
            found = self._priors[key] = f.prior(episode_kind)
        return found

    def weigh_factor(self, f: Factor, k: int, x_override: float | None, episode_kind: str) -> Weighed | None:
        xs = self.xs[f.id]
        x = xs[k] if x_override is None else x_override
        if not math.isfinite(x):
            return None
        usual, basis = self.comparable(k, f.compare)
        row = self._exact.get(f.id)
        if row is None:
            p, n = usual_presence(xs[usual], f.p_pop)
        else:  # the same sum as usual_presence takes: every order of adding these gives it
            sums, known = self.usual_sums(k, f.compare)
            p, n = usual_from_sum(float(sums[row]), int(known[row]), f.p_pop)
        # leave the explained run out: an episode never confirms itself
        n1, k1, n0, k0 = self.totals[f.id]
        if math.isfinite(xs[k]):
            xk, yk = float(xs[k]), float(self.y[k])
            n1, k1, n0, k0 = n1 - xk, k1 - xk * yk, n0 - (1 - xk), k0 - (1 - xk) * yk
        src = self._sources[f.id][k] if x_override is None else "logged"
        return self._weighed(f, float(x), None if src is None else str(src), (p, n, basis),
                             (n1, k1, n0, k0), episode_kind)

    def weigh_without_run(self, f: Factor, x: float, at_s: float, episode_kind: str) -> Weighed | None:
        """A factor of the day (logged in the diary) for an episode linked to no run: its presence
        ``x`` against the runs of the :data:`USUAL_WINDOW_DAYS` days before ``at_s`` (UTC seconds),
        with the runner's whole history (no run of this episode to leave out)."""
        if not math.isfinite(x):
            return None
        before = np.flatnonzero((self.start < at_s) & (self.start >= at_s - USUAL_WINDOW_DAYS * 86400.0))
        p, n = usual_presence(self.xs[f.id][before], f.p_pop)
        return self._weighed(f, float(x), "logged", (p, n, "your runs"), self.totals[f.id], episode_kind)

    def _weighed(self, f: Factor, x: float, source: str | None, usual: tuple[float, int, str],
                 counts: tuple[float, float, float, float], episode_kind: str) -> Weighed:
        """:class:`Weighed` from a presence, its usual ``(p, n, basis)`` and the history's counts."""
        p, n, basis = usual
        if n < USUAL_MIN_RUNS:
            basis = "runners in general (too few of your runs)"
        prior = self.prior(f, episode_kind)
        sigma = GRADE_SIGMA[f.grade]
        personal = self._estimate(counts, prior, sigma)
        literature = self._estimate((0.0, 0.0, 0.0, 0.0), prior, sigma).log_rr  # without any history
        u = x - p
        beta = used_log_rr(personal, literature, f.grade)
        return Weighed(f, x, source, p, n, basis, u, personal, contribution(u, beta), beta)

    def _estimate(self, counts: tuple[float, float, float, float], prior: float, sigma: float) -> Personal:
        """:func:`personal_from_counts`, once per counts and prior."""
        key = (*counts, prior, sigma)
        personal = self._personal.get(key)
        if personal is None:
            personal = self._personal[key] = personal_from_counts(*counts, prior, sigma)
        return personal


#: Presences that are multiples of this (flags, halves, quarters...) and within [0, 1] add up
#: exactly in any order over fewer than 2**28 runs: every partial sum fits in a double's 53 bits.
EXACT_STEP = 2.0**-24


def _exact_sums(x: np.ndarray) -> bool:
    """Whether every known presence in ``x`` is a multiple of :data:`EXACT_STEP` within [0, 1], so
    that any sum of them (numpy's pairwise one, a matrix row's) is the exact sum."""
    known = x[np.isfinite(x)]
    scaled = known / EXACT_STEP
    return len(x) < 2**28 and bool(np.all((known >= 0) & (known <= 1) & (scaled == np.floor(scaled))))


def _prefix(values: np.ndarray) -> np.ndarray:
    """The sums of each row's first 0, 1, ... n values (a column of zeros first): the sum of the values
    ``lo:hi`` is ``out[:, hi] - out[:, lo]``."""
    out = np.zeros((values.shape[0], values.shape[1] + 1), dtype=np.result_type(values.dtype, np.int64))
    np.cumsum(values, axis=1, out=out[:, 1:])
    return out


def _cells(values: pd.Series) -> list[object]:
    """``list(values.array)``: an object column's own cells without a pandas lookup per cell."""
    if values.dtype == object:
        cells: list[object] = values.to_numpy().tolist()
        return cells
    return list(values.array)


def _counts(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    """The soft counts of :func:`runtwitch.rules.score.personal_log_rr` over every run: runs with the
    factor and episodes after them, runs without it and episodes after them (unknown runs left out)."""
    ok = np.isfinite(x)
    xx, yy = x[ok], y[ok]
    return float(xx.sum()), float((xx * yy).sum()), float((1 - xx).sum()), float(((1 - xx) * yy).sum())


def history_line(wf: Weighed) -> str:
    """What the runner's own history says about a factor, or ''."""
    pr = wf.personal
    if pr.n1 < HISTORY_MIN_RUNS:
        return ""
    n1, k1 = round(pr.n1), round(pr.k1)
    held = (" It shows no clear link, and studies mostly find none, so it does not add to this cause."
            if wf.beta < pr.log_rr else "")
    return (
        f"Your history: {n1} runs with {wf.factor.label}, {k1} followed by an episode; "
        f"{round(pr.n0)} without, {round(pr.k0)} followed by one "
        f"(with caution for small numbers, about {fmt(pr.rr, 1)}x, {fmt(math.exp(pr.low), 1)}-"
        f"{fmt(math.exp(pr.high), 1)}).{held}"
    )


def describe(wf: Weighed, text: str) -> str:
    """A factor's evidence line with how usual it is for the runner."""
    if wf.p >= HABIT_SHARE and wf.n_usual >= USUAL_MIN_RUNS:
        text += (
            f" It was there on about {wf.p:.0%} of {wf.usual_basis}: a habit weighs little, because it "
            "cannot explain why this run was followed by an episode."
        )
    hist = history_line(wf)
    return f"{text} {hist}" if hist else text


def user_rule(rule: Rule, ctx: Context) -> tuple[Assessment, float]:
    """A rule of your own: its assessment, its points read as a log relative risk."""
    a = rule.run(ctx)
    return a, float(a.score or 0.0)


def by_cause(results: Mapping[str, CauseResult]) -> dict[str, float]:
    return {c: r.log_rr for c, r in results.items() if r.assessed}
