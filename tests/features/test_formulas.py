"""Formulas against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from runtwitch.features import formulas as fm


def test_heat_index_matches_the_nws_table() -> None:
    # NWS heat index table: 96 °F and 65 % -> 121 °F; 80 °F and 40 % -> 80 °F.
    assert fm.c_to_f(fm.heat_index_c(fm.f_to_c(96), 65)) == pytest.approx(121, abs=0.5)
    assert fm.c_to_f(fm.heat_index_c(fm.f_to_c(80), 40)) == pytest.approx(80, abs=0.5)
    # below 80 °F the simple formula applies: 70 °F, 50 % -> 69 °F
    assert fm.c_to_f(fm.heat_index_c(fm.f_to_c(70), 50)) == pytest.approx(69, abs=0.5)


def test_heat_index_adjustments() -> None:
    # low humidity at 100 °F, 10 %: full regression minus the dry adjustment
    t, rh = 100.0, 10.0
    full = (-42.379 + 2.04901523 * t + 10.14333127 * rh - 0.22475541 * t * rh - 0.00683783 * t * t
            - 0.05481717 * rh * rh + 0.00122874 * t * t * rh + 0.00085282 * t * rh * rh
            - 0.00000199 * t * t * rh * rh)
    adj = (13 - rh) / 4 * math.sqrt((17 - abs(t - 95)) / 17)
    assert fm.c_to_f(fm.heat_index_c(fm.f_to_c(t), rh)) == pytest.approx(full - adj, abs=1e-6)


def test_wbgt_approximation_and_categories() -> None:
    # e = 0.5 * 6.105 * exp(17.27*30/267.7) = 0.5 * 6.105 * 6.927 = 21.14 hPa
    # -> 0.567*30 + 0.393*21.14 + 3.94 = 29.26
    assert fm.wbgt_approx_c(30, 50) == pytest.approx(29.26, abs=0.01)
    assert list(fm.heat_risk(np.array([15.0, 20.0, 25.0, 29.0, np.nan]))) == [
        "low", "moderate", "high", "extreme", None]


def test_trimp_of_a_synthetic_trace() -> None:
    # 30 min at HRr = 0.5 (rest 60, max 180 -> HR 120), male: 30 * 0.5 * 0.64 * e^0.96 = 25.07
    hr = np.full(1800, 120.0)
    assert fm.trimp_banister(hr, np.ones(1800), 60, 180, "male") == pytest.approx(25.07, abs=0.01)
    # female constants: 30 * 0.5 * 0.86 * e^0.835 = 29.73
    assert fm.trimp_banister(hr, np.ones(1800), 60, 180, "female") == pytest.approx(29.73, abs=0.01)
    # missing samples add nothing
    hr[:900] = np.nan
    assert fm.trimp_banister(hr, np.ones(1800), 60, 180, "male") == pytest.approx(25.07 / 2, abs=0.01)


def test_minetti_cost() -> None:
    assert fm.minetti_cost(np.array([0.0]))[0] == pytest.approx(3.6)
    # +10 %: 155.4e-5 - 30.4e-4 - 43.3e-3 + 46.3e-2 + 1.95 + 3.6 = 5.97
    assert fm.minetti_cost(np.array([0.1]))[0] == pytest.approx(5.97, abs=0.01)


def test_decoupling() -> None:
    speed = np.full(200, 3.0)
    hr = np.r_[np.full(100, 150.0), np.full(100, 165.0)]
    # EF1 = 3/150, EF2 = 3/165 -> (1 - 150/165) * 100 = 9.09 %
    assert fm.decoupling_pct(speed, hr, np.ones(200, bool)) == pytest.approx(9.09, abs=0.01)


def test_ewma_convention() -> None:
    out = fm.ewma(np.array([10.0, 0.0, 0.0]), 7)
    lam = 2 / 8
    assert out == pytest.approx([10 * lam, 10 * lam * (1 - lam), 10 * lam * (1 - lam) ** 2])


def test_predicted_sweat_rate_rises_with_heat() -> None:
    rates = [fm.predicted_sweat_rate_l_h(3.0, 70.0, t) for t in (10, 20, 30)]
    assert rates == sorted(rates)
    assert 0.3 < rates[0] < 1.0 and 1.0 < rates[2] < 2.0  # typical running sweat rates
    assert math.isnan(fm.predicted_sweat_rate_l_h(3.0, 70.0, float("nan")))
