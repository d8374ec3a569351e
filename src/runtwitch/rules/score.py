"""The score of a cause: its share of the explanation, and the verdict words that go with it.

The model (``docs/rules.md``, "How a cause is scored"):

* each factor ``f`` of a cause adds ``w_f = u_f x beta_f`` on the log-risk
  scale, where ``u_f`` is how unusual the factor was on this run for this
  runner (its presence minus its usual presence on their comparable runs,
  :func:`usual_presence`) and ``beta_f`` is the log relative risk of an
  episode after a run with the factor: the literature's prior for the
  factor's evidence grade, updated by the runner's own history
  (:func:`personal_log_rr`);
* a factor less present than usual (``u < -AGAINST_MIN_U``) can argue
  against its cause, never for it: ``w = u x max(beta, 0)``;
* a cause's total ``W_c`` is capped at :data:`MAX_CAUSE_LOG_RR`, the episode's
  total ``W`` (of the positive totals) at :data:`MAX_TOTAL_LOG_RR`;
* the share of cause ``c`` is ``(1 - e^-W) x max(W_c, 0) / W``, and the
  background share ``e^-W`` is what any of the runner's usual runs carries.
  ``1 - e^-W = (RR - 1) / RR`` is the excess (attributable) fraction among
  the exposed (Greenland & Robins 1988, Am J Epidemiol 128:1185): a lower
  bound on the probability of causation under a multiplicative model, a way
  to weigh, not a diagnosis.

:func:`verdict` maps a share to the words every renderer uses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np

#: A cause with at least this share of the explanation is "likely".
LIKELY_SHARE = 0.50
#: A cause with at least this share is "possible"; below it "unlikely". It is also the floor for
#: ``top_cause``: with no cause at this level, nothing stands out.
POSSIBLE_SHARE = 0.20
#: Cap on one cause's log relative risk (a relative risk of 5).
MAX_CAUSE_LOG_RR = math.log(5.0)
#: Cap on the episode's total log relative risk (a relative risk of 20): a diary full of extreme
#: values cannot claim more than 95 % of an episode.
MAX_TOTAL_LOG_RR = math.log(20.0)
#: Days of earlier runs that form the runner's usual.
USUAL_WINDOW_DAYS = 90
#: Comparable runs needed for a usual; fewer: all runs of the window; fewer than that: the
#: population presence of the factor.
USUAL_MIN_RUNS = 3
#: Width (SD) of the prior on log relative risk, by evidence grade: narrow for replicated
#: findings (many of the runner's own episodes are needed to overrule them), wide for advice
#: nobody measured (the runner's history can show an effect the literature never looked at).
GRADE_SIGMA: dict[str, float] = {
    "moderate": 0.25,
    "limited": 0.35,
    "weak": 0.5,
    "expert opinion": 0.5,
    "user": 0.5,
}
#: A factor less present than usual argues against its cause only from this far below its usual
#: (it was there on at least a quarter of the comparable runs): the small negative ``u`` of a factor
#: that is simply rare says nothing.
AGAINST_MIN_U = 0.25
#: Evidence grades whose studies mostly find no effect ("weak": widely believed, but studies of
#: cramping athletes mostly do not find it). For their factors the runner's own history can lower
#: the relative risk below the literature's, and raise it above only when the history's interval
#: (:data:`INTERVAL`) lies wholly above no effect: a history that is itself consistent with no
#: effect never adds to a cause the studies already argue against (:func:`used_log_rr`).
NULL_LITERATURE_GRADES: frozenset[str] = frozenset({"weak"})
#: Grid of log relative risks for the personal estimate: +-log 5 in 2001 points.
GRID = np.linspace(-math.log(5.0), math.log(5.0), 2001)
#: Interval of the personal estimate (90 %).
INTERVAL = 0.90

Verdict = Literal["likely", "possible", "unlikely", "evidence against", "not assessed"]


def verdict(share: float | None, log_rr: float | None = None) -> Verdict:
    """The words for a cause's share of the explanation.

    Parameters
    ----------
    share
        The cause's score (0-1), None when it was not assessed.
    log_rr
        The cause's total log relative risk ``W_c`` (negative: the evidence
        argues against it), when known.

    Returns
    -------
    str
        ``likely`` (share >= :data:`LIKELY_SHARE`), ``possible`` (>=
        :data:`POSSIBLE_SHARE`), ``unlikely``, ``evidence against`` (share 0
        with a negative ``log_rr``) or ``not assessed``.
    """
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "not assessed"
    if share >= LIKELY_SHARE:
        return "likely"
    if share >= POSSIBLE_SHARE:
        return "possible"
    if share <= 0 and log_rr is not None and log_rr < 0:
        return "evidence against"
    return "unlikely"


def usual_presence(x: np.ndarray, p_pop: float) -> tuple[float, int]:
    """How often a factor is present on the runner's comparable runs: ``(sum x + 0.5) / (n + 1)``.

    Parameters
    ----------
    x
        The factor's presence (0-1) on each comparable run; NaN (unknown) runs
        are left out.
    p_pop
        Used when fewer than :data:`USUAL_MIN_RUNS` runs are known.

    Returns
    -------
    p, n
        The usual presence (never exactly 0 or 1) and the runs behind it.
    """
    known = x[np.isfinite(x)]
    return usual_from_sum(float(known.sum()), len(known), p_pop)


def usual_from_sum(total: float, n: int, p_pop: float) -> tuple[float, int]:
    """:func:`usual_presence` from the sum of the known presences ``total`` and their number ``n``."""
    if n < USUAL_MIN_RUNS:
        return p_pop, n
    return (total + 0.5) / (n + 1.0), n


@dataclass(frozen=True)
class Personal:
    """The runner's own evidence on a factor and the estimate shrunk toward the literature.

    ``n1``/``k1``: runs with the factor and episodes after them (soft counts);
    ``n0``/``k0`` the same without it; ``log_rr`` the penalised estimate with
    its interval ``low``/``high``.
    """

    log_rr: float
    low: float
    high: float
    n1: float
    k1: float
    n0: float
    k0: float

    @property
    def rr(self) -> float:
        return math.exp(self.log_rr)


def personal_log_rr(
    x: np.ndarray, y: np.ndarray, prior_log_rr: float, sigma: float, *, interval: float = INTERVAL
) -> Personal:
    """The log relative risk of an episode after runs with the factor, for this runner.

    The number of the runner's ``K`` episodes that followed runs with the
    factor is binomial with ``pi(theta) = n1 e^theta / (n0 + n1 e^theta)``
    (the conditional likelihood that compares two rates: the runner's own
    episode rate cancels out), times a normal prior ``theta ~ N(prior_log_rr,
    sigma^2)``: a ridge toward the literature. The answer is the posterior
    mode on :data:`GRID` and the central ``interval`` of the grid posterior.
    One dimension per factor, so it stays stable with the handful of
    episodes a runner logs (a multivariable model needs about 10 events per
    parameter: Peduzzi et al. 1996, J Clin Epidemiol 49:1373).

    Parameters
    ----------
    x
        Presence (0-1) of the factor on the runner's other runs (the
        explained run left out, so an episode never confirms itself); NaN
        for unknown.
    y
        1 where the run was followed by an episode, else 0.
    prior_log_rr, sigma
        The prior: the literature's log relative risk and its width.
    """
    ok = np.isfinite(x)
    xx, yy = x[ok], y[ok].astype(float)
    n1, n0 = float(xx.sum()), float((1 - xx).sum())
    k1, k0 = float((xx * yy).sum()), float(((1 - xx) * yy).sum())
    return personal_from_counts(n1, k1, n0, k0, prior_log_rr, sigma, interval=interval)


def personal_from_counts(
    n1: float, k1: float, n0: float, k0: float, prior_log_rr: float, sigma: float, *,
    interval: float = INTERVAL,
) -> Personal:
    """:func:`personal_log_rr` from the (soft) counts: ``n1`` runs with the factor and ``k1``
    episodes after them, ``n0`` and ``k0`` without it. The model needs nothing else, so the
    counts of every leave-one-run-out history can be taken from the totals."""
    logprior, exp_grid = _grid_terms(prior_log_rr, sigma)
    if n1 <= 0 or n0 <= 0 or k1 + k0 <= 0:
        post = logprior
    else:
        pi = n1 * exp_grid / (n0 + n1 * exp_grid)
        post = k1 * np.log(pi) + k0 * np.log1p(-pi) + logprior
    dens = np.exp(post - post.max())
    cdf = np.cumsum(dens) / dens.sum()
    tail = (1 - interval) / 2
    last = len(GRID) - 1
    lo = float(GRID[min(int(np.searchsorted(cdf, tail)), last)])
    hi = float(GRID[min(int(np.searchsorted(cdf, 1 - tail)), last)])
    return Personal(float(GRID[int(np.argmax(post))]), lo, hi, n1, k1, n0, k0)


@lru_cache(maxsize=256)
def _grid_terms(prior_log_rr: float, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """The log prior on :data:`GRID` and ``exp(GRID)``, computed once per prior (an analysis asks
    for a few priors, for every factor of every episode); read-only arrays."""
    logprior = -((GRID - prior_log_rr) ** 2) / (2 * sigma**2)
    exp_grid = np.exp(GRID)
    logprior.flags.writeable = False
    exp_grid.flags.writeable = False
    return logprior, exp_grid


def used_log_rr(personal: Personal, literature: float, grade: str) -> float:
    """The log relative risk a factor weighs with: the runner's estimate (:class:`Personal`),
    except that for a factor of :data:`NULL_LITERATURE_GRADES` a history whose interval includes
    no effect cannot raise it above ``literature``, the estimate without any history
    (:func:`personal_from_counts` with no runs: the literature's prior on :data:`GRID`)."""
    if grade in NULL_LITERATURE_GRADES and personal.low <= 0.0:
        return min(personal.log_rr, literature)
    return personal.log_rr


def contribution(u: float, beta: float) -> float:
    """``w = u x beta``; a factor less present than usual argues against, never for: ``u x max(beta, 0)``,
    and only from more than :data:`AGAINST_MIN_U` below its usual."""
    if u > 0:
        return u * beta
    return u * max(beta, 0.0) if u < -AGAINST_MIN_U else 0.0


def shares(log_rr: dict[str, float]) -> tuple[dict[str, float], float, float]:
    """Each cause's share of the explanation, the background share and the total log relative risk.

    Parameters
    ----------
    log_rr
        ``W_c`` by cause (before the cap).

    Returns
    -------
    shares, background, total
        ``share_c = (1 - e^-W) W_c+ / sum W_c+``; ``background = e^-W``;
        ``W`` after the caps.
    """
    capped = {c: min(w, MAX_CAUSE_LOG_RR) for c, w in log_rr.items()}
    positive = {c: max(w, 0.0) for c, w in capped.items()}
    raw = sum(positive.values())
    total = min(raw, MAX_TOTAL_LOG_RR)
    excess = 1.0 - math.exp(-total)
    out = {c: (excess * w / raw if raw > 0 else 0.0) for c, w in positive.items()}
    return out, math.exp(-total), total
