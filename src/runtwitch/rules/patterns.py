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
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from runtwitch.features.columns import run_column
from runtwitch.rules.base import Rule, fmt
from runtwitch.rules.causes import RULES
from runtwitch.rules.factors import Observed, Table
from runtwitch.rules.score import GRADE_SIGMA, INTERVAL, personal_log_rr

#: Runs needed on each side (with and without the factor) before a pattern is shown.
PATTERN_MIN_RUNS_EACH_SIDE = 10
#: Episodes needed in total ...
PATTERN_MIN_EPISODES = 5
#: ... and after runs with the factor.
PATTERN_MIN_EPISODES_WITH = 2
#: A run "has" the factor for the counts when its presence is at least this.
PRESENT = 0.5

COLUMNS = [
    "factor",
    "cause",
    "label",
    "runs_with",
    "episodes_with",
    "runs_without",
    "episodes_without",
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
    is_run = runs[run_column("is_run")].astype(bool) if len(runs) else pd.Series(dtype=bool)
    r = runs[is_run]
    y = followed.reindex(r.index).fillna(False).astype(bool).to_numpy().astype(float)
    table = Table(r, days)
    factors = [(rule, f) for rule in rules for f in rule.factors]
    rows = []
    n_factors = max(len(factors), 1)
    for rule, f in factors:
        obs = observed[f.id] if observed is not None and f.id in observed else f.observe(table, rule.values())
        x = obs.x.reindex(r.index).to_numpy(float)
        known = np.isfinite(x)
        with_ = known & (x >= PRESENT)
        without = known & (x < PRESENT)
        n1, n0 = int(with_.sum()), int(without.sum())
        k1, k0 = int((y * with_).sum()), int((y * without).sum())
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
