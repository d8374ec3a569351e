"""Pooled patterns: which run factors go with twitch episodes across athletes.

Each athlete's own 2x2 table of a factor (runs with/without it, and how many
of each were followed by an episode) gives a log risk ratio and its variance
(:func:`runtwitch.rules.patterns.log_relative_risk`, Katz; 0.5 added to every
cell of a table with a zero cell, the Haldane-Anscombe correction). The
athletes' log risk ratios are combined by a random-effects meta-analysis
(DerSimonian & Laird 1986, Controlled Clinical Trials 7:177-188): each
athlete is a "study" with their own true effect, and the spread of those
effects (tau²) widens the pooled interval. Heterogeneity is reported as I²
(Higgins & Thompson 2002, Statistics in Medicine 21:1539-1558).

These are associations between run factors and episodes across athletes,
not proof that a factor causes episodes: runs of one athlete are not
independent, the factors come together (hot runs are often long runs), and
athletes who log more see more patterns.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from runtwitch.cohort.columns import POOLED
from runtwitch.rules.factors import FACTORS
from runtwitch.rules.patterns import COUNT_COLUMNS as _RUNNER_COUNTS
from runtwitch.rules.patterns import Z95, log_relative_risk

#: Athletes who must contribute to a factor before its pooled estimate is shown.
#: With fewer studies a random-effects meta-analysis seldom tells more than the
#: studies it pools (Jackson & Turner 2017, Research Synthesis Methods 8:290-302)
#: and tau² is poorly estimated.
MIN_ATHLETES = 5
#: Runs followed by an episode (over the contributing athletes) needed before a
#: pooled estimate is shown: a project choice, so that a handful of episodes
#: cannot make a pattern.
MIN_EPISODES = 20
#: Added to every cell of an athlete's 2x2 table that has a zero cell.
CONTINUITY = 0.5
#: Columns of the per-athlete counts the pooling reads: the athlete, then the factor and the
#: 2x2 cells of :data:`runtwitch.rules.patterns.COUNT_COLUMNS`.
COUNT_COLUMNS = ("athlete", "factor",
                 *(c for c in _RUNNER_COUNTS if c.startswith(("runs_", "episodes_"))))


@dataclass(frozen=True)
class RandomEffects:
    """A DerSimonian-Laird random-effects estimate on the log scale.

    Attributes
    ----------
    estimate, se
        Pooled effect and its standard error.
    tau2
        Between-study variance.
    q
        Cochran's Q.
    i2_pct
        I² [%]: the share of the spread beyond chance (0 when Q <= k - 1).
    k
        Studies pooled.
    """

    estimate: float
    se: float
    tau2: float
    q: float
    i2_pct: float
    k: int


def dersimonian_laird(effects: Sequence[float], variances: Sequence[float]) -> RandomEffects:
    """Random-effects pooling of study effects with known within-study variances.

    With fixed-effect weights ``w = 1/v``: ``Q = sum w (y - sum(w y)/sum w)²``,
    ``tau² = max(0, (Q - (k - 1)) / (sum w - sum w² / sum w))``; then with
    ``w* = 1/(v + tau²)`` the estimate is ``sum(w* y)/sum w*`` with standard
    error ``sqrt(1/sum w*)``. ``I² = max(0, (Q - (k - 1))/Q)``.
    """
    y = np.asarray(effects, dtype=float)
    v = np.asarray(variances, dtype=float)
    k = len(y)
    if k == 0:
        nan = float("nan")
        return RandomEffects(nan, nan, nan, nan, nan, 0)
    w = 1.0 / v
    fixed = float(np.sum(w * y) / np.sum(w))
    q = float(np.sum(w * (y - fixed) ** 2))
    c = float(np.sum(w) - np.sum(w**2) / np.sum(w))
    tau2 = max(0.0, (q - (k - 1)) / c) if c > 0 else 0.0
    ws = 1.0 / (v + tau2)
    est = float(np.sum(ws * y) / np.sum(ws))
    i2 = max(0.0, (q - (k - 1)) / q) * 100 if q > 0 else 0.0
    return RandomEffects(est, math.sqrt(1.0 / float(np.sum(ws))), tau2, q, i2, k)


def _informative(a: int, n1: int, c: int, n0: int) -> bool:
    """A table says something about a risk ratio unless both sides had no episode, or only episodes."""
    return not ((a == 0 and c == 0) or (a == n1 and c == n0))


def pooled_patterns(
    counts: pd.DataFrame,
    *,
    min_athletes: int = MIN_ATHLETES,
    min_episodes: int = MIN_EPISODES,
    continuity: float = CONTINUITY,
) -> pd.DataFrame:
    """Pool the athletes' risk ratios of each run factor (DerSimonian-Laird on log RR).

    Parameters
    ----------
    counts
        One row per athlete and factor: :data:`COUNT_COLUMNS`, optionally
        ``label`` (the ``patterns`` table of the cohort dataset). ``episodes_with`` of ``runs_with`` runs
        with the factor, and ``episodes_without`` of ``runs_without`` runs
        without it, were followed by an episode.
    min_athletes, min_episodes
        The pooled estimate is shown (``shown`` True, estimate filled) only
        when at least this many athletes contribute and their runs followed
        by an episode reach this many.
    continuity
        Added to every cell of an athlete's table that has a zero cell.

    Returns
    -------
    pandas.DataFrame
        One row per factor (in the order of
        :data:`runtwitch.rules.factors.FACTORS`, then any other): ``factor``,
        ``label``, ``athletes`` (contributing: a table with an episode on at
        least one side and not only episodes), ``runs_with``, ``episodes_with``,
        ``runs_without``, ``episodes_without`` (summed over them),
        ``relative_risk`` (pooled), ``ci_low``, ``ci_high`` (95 %), ``tau2``,
        ``i2_pct`` [%], ``q`` and ``shown``. Athletes whose table has no
        episode on either side add nothing to a risk ratio and are left out
        (as in the Cochrane Handbook). These are associations, not causes.
    """
    labels = {f.id: f.label for f in FACTORS}
    if "label" in counts:
        given = counts.dropna(subset=["label"]).drop_duplicates("factor")
        labels.update(zip(given["factor"].astype(str), given["label"].astype(str), strict=True))
    known = [f.id for f in FACTORS]
    order = known + sorted(set(counts["factor"]) - set(known))
    rows = []
    for factor in order:
        sub = counts[counts["factor"] == factor]
        columns = ("episodes_with", "runs_with", "episodes_without", "runs_without")
        cells = [(int(a), int(n1), int(c), int(n0)) for a, n1, c, n0 in sub[list(columns)].to_numpy()]
        if not cells:
            continue
        used = [t for t in cells if _informative(*t)]
        logs = [log_relative_risk(*t, continuity=continuity) for t in used]
        re = dersimonian_laird([y for y, _ in logs], [v for _, v in logs])
        episodes = sum(a + c for a, _, c, _ in used)
        shown = len(used) >= min_athletes and episodes >= min_episodes
        est = (
            (math.exp(re.estimate), math.exp(re.estimate - Z95 * re.se), math.exp(re.estimate + Z95 * re.se))
            if shown
            else (float("nan"),) * 3
        )
        rows.append(
            {
                "factor": factor,
                "label": labels.get(factor, factor),
                "athletes": len(used),
                "runs_with": sum(t[1] for t in used),
                "episodes_with": sum(t[0] for t in used),
                "runs_without": sum(t[3] for t in used),
                "episodes_without": sum(t[2] for t in used),
                "relative_risk": est[0],
                "ci_low": est[1],
                "ci_high": est[2],
                "tau2": re.tau2 if shown else float("nan"),
                "i2_pct": re.i2_pct if shown else float("nan"),
                "q": re.q if shown else float("nan"),
                "shown": shown,
            }
        )
    return pd.DataFrame(rows, columns=POOLED.column_names())
