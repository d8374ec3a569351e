"""Pooled patterns: DerSimonian-Laird on the athletes' log risk ratios, checked by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from runtwitch.cohort import dersimonian_laird, pooled_patterns
from runtwitch.rules.patterns import log_relative_risk, relative_risk

#: Four athletes, one factor. Cells: episodes after runs with the factor / runs with it,
#: episodes after runs without it / runs without it.
COUNTS = pd.DataFrame(
    [
        ("A", "spike", 10, 4, 20, 2),
        ("B", "spike", 10, 2, 20, 4),
        ("C", "spike", 5, 0, 15, 3),
        ("D", "spike", 6, 0, 9, 0),  # no episode on either side: says nothing about a ratio
    ],
    columns=["athlete", "factor", "runs_with", "episodes_with", "runs_without", "episodes_without"],
)


def test_log_relative_risk_by_hand() -> None:
    # A: (4/10) / (2/20) = 4; variance 1/4 - 1/10 + 1/2 - 1/20 = 0.6
    assert log_relative_risk(4, 10, 2, 20) == pytest.approx((math.log(4), 0.6))
    # C has a zero cell: 0.5 is added to all four -> 0.5 of 6 against 3.5 of 16.
    # RR = (0.5/6) / (3.5/16) = 0.380952; variance 1/0.5 - 1/6 + 1/3.5 - 1/16 = 2.056548
    y, v = log_relative_risk(0, 5, 3, 15)
    assert math.exp(y) == pytest.approx(0.380952, rel=1e-5)
    assert v == pytest.approx(2.056548, rel=1e-6)
    # the single-athlete risk ratio is the same computation
    assert relative_risk(4, 10, 2, 20)[0] == pytest.approx(4.0)


def test_dersimonian_laird_by_hand() -> None:
    # y = log RR of A, B, C: 1.386294, 0, -0.965081; v = 0.6, 0.6, 2.056548
    # w = 1/v = 1.666667, 1.666667, 0.486250; sum w = 3.819585
    # fixed effect = sum(w y) / sum w = (2.310491 - 0.469270) / 3.819585 = 0.482047
    # Q = 1.666667 * 0.904247² + 1.666667 * 0.482047² + 0.486250 * 1.447128² = 2.768353
    # C = sum w - sum w² / sum w = 3.819585 - 5.791996 / 3.819585 = 2.303191
    # tau² = (Q - (k - 1)) / C = 0.768353 / 2.303191 = 0.333604
    # w* = 1 / (v + tau²) = 1.071120, 1.071120, 0.418381; sum w* = 2.560620
    # estimate = sum(w* y) / sum w* = 1.081121 / 2.560620 = 0.422207; se = sqrt(1 / 2.560620) = 0.624924
    # I² = (Q - 2) / Q = 27.75 %
    y = [math.log(4), 0.0, math.log((0.5 / 6) / (3.5 / 16))]
    v = [0.6, 0.6, 1 / 0.5 - 1 / 6 + 1 / 3.5 - 1 / 16]
    re = dersimonian_laird(y, v)
    assert re.k == 3
    assert re.q == pytest.approx(2.768353, rel=1e-6)
    assert re.tau2 == pytest.approx(0.333604, rel=1e-5)
    assert re.estimate == pytest.approx(0.422207, rel=1e-5)
    assert re.se == pytest.approx(0.624924, rel=1e-5)
    assert re.i2_pct == pytest.approx(27.7549, rel=1e-4)


def test_pooled_patterns_by_hand() -> None:
    p = pooled_patterns(COUNTS, min_athletes=3, min_episodes=10).set_index("factor").loc["spike"]
    # D is left out: 3 athletes; episodes 4 + 2 + 2 + 4 + 0 + 3 = 15
    assert p["athletes"] == 3
    assert (p["episodes_with"], p["runs_with"], p["episodes_without"], p["runs_without"]) == (6, 25, 9, 55)
    # pooled RR = exp(0.422207) = 1.525324; 95 % CI exp(0.422207 -/+ 1.959964 * 0.624924)
    assert p["relative_risk"] == pytest.approx(1.525324, rel=1e-5)
    assert p["ci_low"] == pytest.approx(0.448152, rel=1e-5)
    assert p["ci_high"] == pytest.approx(5.191569, rel=1e-5)
    assert p["tau2"] == pytest.approx(0.333604, rel=1e-5)
    assert p["shown"]
    assert p["label"].startswith("a session spike")


def test_below_the_minimums_nothing_is_estimated() -> None:
    p = pooled_patterns(COUNTS).set_index("factor").loc["spike"]  # defaults: 5 athletes, 20 episodes
    assert not p["shown"]
    assert math.isnan(p["relative_risk"]) and math.isnan(p["ci_low"]) and math.isnan(p["tau2"])
    assert p["athletes"] == 3


def test_identical_athletes_have_no_heterogeneity() -> None:
    same = pd.concat([COUNTS.iloc[[0]].assign(athlete=f"x{k}") for k in range(6)])
    p = pooled_patterns(same).set_index("factor").loc["spike"]
    assert p["tau2"] == 0 and p["i2_pct"] == 0
    assert p["relative_risk"] == pytest.approx(4.0)
    # six copies of variance 0.6: se = sqrt(0.6 / 6)
    assert math.log(p["ci_high"]) - math.log(4) == pytest.approx(1.959964 * math.sqrt(0.1), rel=1e-6)


def test_no_counts_no_rows() -> None:
    assert pooled_patterns(COUNTS.iloc[:0]).empty
