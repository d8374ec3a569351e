"""This runner's own associations: which run factors are followed by episodes more often.

One source with the causes: the factors and thresholds are the rules' own
(:mod:`runtwitch.rules.factors`), and the estimate is the same penalised
one the score uses (:func:`runtwitch.rules.score.personal_log_rr`): the
runner's episodes after runs with and without the factor, shrunk toward the
literature's prior. A pattern is shown only with enough runs and episodes
(:data:`PATTERN_MIN_RUNS_EACH_SIDE`, :data:`PATTERN_MIN_EPISODES`,
:data:`PATTERN_MIN_EPISODES_WITH`), and it "stands out" only when its
interval excludes 1 after a Bonferroni correction for the number of factors
looked at: with many factors, one can look strong by chance.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from runtwitch.features.columns import run_column
from runtwitch.rules.base import Rule, fmt
from runtwitch.rules.causes import RULES
from runtwitch.rules.factors import Factor, Observed, Table
from runtwitch.rules.score import GRADE_SIGMA, INTERVAL, personal_log_rr

#: Runs needed on each side (with and without the factor) before a pattern is shown.
PATTERN_MIN_RUNS_EACH_SIDE = 10
#: Episodes needed in total ...
PATTERN_MIN_EPISODES = 5
#: ... and after runs with the factor.
PATTERN_MIN_EPISODES_WITH = 2
#: A run "has" the factor for the counts when its presence is at least this.
PRESENT = 0.5

#: z of a two-sided 95 % interval (the classical estimates below, which a cohort pools).
Z95 = 1.959964

#: Columns of :func:`pattern_counts`.
COUNT_COLUMNS = ["factor", "cause", "label", "runs_with", "episodes_with", "runs_without", "episodes_without"]

COLUMNS = [
    *COUNT_COLUMNS,
    "relative_risk",
    "ci_low",
    "ci_high",
    "stands_out",
    "note",
]


def patterns(
    runs: pd.DataFrame,
    followed: pd.Series,
    days: pd.DataFrame | None = None,
    *,
    rules: Sequence[Rule] = RULES,
    observed: Mapping[str, Observed] | None = None,
) -> pd.DataFrame:
    """Relative risk of an episode after runs with each factor against runs without.

    Parameters
    ----------
    runs
        ``run_features`` (running activities are used).
    followed
        Boolean per run (same index): was the run followed by an episode?
    days
        ``daily_features``, for day-level factors.
    rules
        The rules in force: their factors and thresholds.
    observed
        The factors already observed on these runs (by factor id), to reuse.

    Returns
    -------
    pandas.DataFrame
        One row per factor with at least :data:`PATTERN_MIN_RUNS_EACH_SIDE`
        runs on each side and enough episodes: ``factor``, ``cause``,
        ``label``, ``runs_with``, ``episodes_with``, ``runs_without``,
        ``episodes_without``, ``relative_risk`` (penalised estimate),
        ``ci_low``, ``ci_high`` (90 % interval), ``stands_out`` (the
        Bonferroni-corrected interval excludes 1) and ``note`` (the sentence,
        with the multiple-comparisons caution). These are associations in
        one person's history, not proof of cause.
    """
    return _patterns(list(_tables(runs, followed, days, rules, observed)), rules)


def patterns_and_counts(
    runs: pd.DataFrame,
    followed: pd.Series,
    days: pd.DataFrame | None = None,
    *,
    rules: Sequence[Rule] = RULES,
    observed: Mapping[str, Observed] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`patterns` and :func:`pattern_counts` of the same inputs, from one count of the 2x2
    tables (what :func:`runtwitch.explain` shows). Parameters as :func:`patterns`."""
    tables = list(_tables(runs, followed, days, rules, observed))
    return _patterns(tables, rules), _counts(tables)


#: One factor's presence per run, whether each run was followed by an episode, and the 2x2 counts.
_Counted = tuple[Factor, np.ndarray, np.ndarray, tuple[int, int, int, int]]


def _patterns(tables: Sequence[_Counted], rules: Sequence[Rule]) -> pd.DataFrame:
    """:func:`patterns` from the counted tables."""
    factors = [(rule, f) for rule in rules for f in rule.factors]
    n_factors = max(len(factors), 1)
    rows = []
    for f, x, y, (n1, k1, n0, k0) in tables:
        if (
            n1 < PATTERN_MIN_RUNS_EACH_SIDE
            or n0 < PATTERN_MIN_RUNS_EACH_SIDE
            or k1 + k0 < PATTERN_MIN_EPISODES
            or k1 < PATTERN_MIN_EPISODES_WITH
        ):
            continue
        prior = 0.5 * (math.log(f.rr_cramp) + math.log(f.rr_twitch))
        sigma = GRADE_SIGMA[f.grade]
        est = personal_log_rr(x, y, prior, sigma)
        strict = personal_log_rr(x, y, prior, sigma, interval=1 - (1 - INTERVAL) / n_factors)
        stands_out = strict.low > 0 or strict.high < 0
        rr, lo, hi = math.exp(est.log_rr), math.exp(est.low), math.exp(est.high)
        note = (
            f"Among your {n1 + n0} runs, {n1} had {f.label}; {k1} of them were followed by an episode, "
            f"against {k0} of the {n0} others. With caution for small numbers, runs with it were about "
            f"{fmt(rr, 1)}x as likely to be followed by one ({fmt(lo, 1)}-{fmt(hi, 1)}). We looked at "
            f"{n_factors} factors; with this many, one of them can look this strong by chance"
            + ("." if not stands_out else ", but this one stands out even after allowing for that.")
        )
        rows.append(
            {
                "factor": f.id,
                "cause": f.cause,
                "label": f.label,
                "runs_with": n1,
                "episodes_with": k1,
                "runs_without": n0,
                "episodes_without": k0,
                "relative_risk": rr,
                "ci_low": lo,
                "ci_high": hi,
                "stands_out": stands_out,
                "note": note,
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def _tables(
    runs: pd.DataFrame,
    followed: pd.Series,
    days: pd.DataFrame | None,
    rules: Sequence[Rule],
    observed: Mapping[str, Observed] | None,
) -> Iterator[_Counted]:
    """Each factor of the rules on the running activities: its presence per run, whether each run
    was followed by an episode, and the 2x2 counts (runs with, episodes with, runs without,
    episodes without)."""
    is_run = runs[run_column("is_run")].astype(bool) if len(runs) else pd.Series(dtype=bool)
    r = runs[is_run]
    y = followed.reindex(r.index).fillna(False).astype(bool).to_numpy().astype(float)
    table = Table(r, days)
    for rule in rules:
        for f in rule.factors:
            known_obs = observed is not None and f.id in observed
            obs = (observed[f.id] if observed is not None and known_obs
                   else f.observed_on(table, rule.values()))
            x = obs.x.reindex(r.index).to_numpy(float)
            known = np.isfinite(x)
            with_ = known & (x >= PRESENT)
            without = known & (x < PRESENT)
            counts = (int(with_.sum()), int((y * with_).sum()), int(without.sum()), int((y * without).sum()))
            yield f, x, y, counts


def pattern_counts(
    runs: pd.DataFrame,
    followed: pd.Series,
    days: pd.DataFrame | None = None,
    *,
    rules: Sequence[Rule] = RULES,
    observed: Mapping[str, Observed] | None = None,
) -> pd.DataFrame:
    """The 2x2 counts of every factor, without any minimum: the input of pooled analyses.

    A single runner's table is seldom large enough to show (:func:`patterns` applies the
    minimums); many runners' tables together can be (``runtwitch.cohort.pooled_patterns``).
    Parameters as :func:`patterns`.

    Returns
    -------
    pandas.DataFrame
        :data:`COUNT_COLUMNS`, one row per factor observed on at least one run with it and one
        without it: ``episodes_with`` of ``runs_with`` runs with the factor (presence at least
        :data:`PRESENT`) and ``episodes_without`` of ``runs_without`` without it were followed by
        an episode.
    """
    return _counts(list(_tables(runs, followed, days, rules, observed)))


def _counts(tables: Sequence[_Counted]) -> pd.DataFrame:
    """:func:`pattern_counts` from the counted tables."""
    rows = [
        {"factor": f.id, "cause": f.cause, "label": f.label, "runs_with": n1, "episodes_with": k1,
         "runs_without": n0, "episodes_without": k0}
        for f, _, _, (n1, k1, n0, k0) in tables
        if n1 > 0 and n0 > 0
    ]
    return pd.DataFrame(rows, columns=COUNT_COLUMNS)


def log_relative_risk(a: int, n1: int, c: int, n0: int, *, continuity: float = 0.5) -> tuple[float, float]:
    """Log risk ratio ``log((a/n1) / (c/n0))`` and its variance (Katz).

    ``a`` of ``n1`` runs with the factor and ``c`` of ``n0`` runs without it were
    followed by an episode. When a cell of the 2x2 table is 0, ``continuity``
    (0.5: the Haldane-Anscombe correction) is added to every cell. The
    variance is ``1/a - 1/n1 + 1/c - 1/n0`` on the (corrected) cells. The
    classical, unpenalised estimate: what a random-effects meta-analysis
    pools across runners (a single runner's :func:`patterns` are shrunk
    toward the literature instead).
    """
    cells = [float(a), float(n1 - a), float(c), float(n0 - c)]
    if min(cells) == 0:
        cells = [x + continuity for x in cells]
    fa, fb, fc, fd = cells
    log_rr = math.log((fa / (fa + fb)) / (fc / (fc + fd)))
    return log_rr, 1 / fa - 1 / (fa + fb) + 1 / fc - 1 / (fc + fd)


def relative_risk(a: int, n1: int, c: int, n0: int) -> tuple[float, float, float]:
    """Risk ratio ``(a/n1) / (c/n0)`` with a 95 % CI (Katz log method), see :func:`log_relative_risk`."""
    log_rr, var = log_relative_risk(a, n1, c, n0)
    se = math.sqrt(var)
    return math.exp(log_rr), math.exp(log_rr - Z95 * se), math.exp(log_rr + Z95 * se)
