"""Formulas behind the features, each with its source. Pure numpy functions.

Every constant is a named module-level default; ``docs/features.md`` lists them.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

# --- heat -------------------------------------------------------------------

#: ACSM WBGT categories for training and racing (Armstrong et al. 2007,
#: ACSM position stand "Exertional heat illness during training and
#: competition"): upper bounds [°C] of low, moderate and high risk.
WBGT_LOW_MAX_C = 18.3
WBGT_MODERATE_MAX_C = 22.2
WBGT_HIGH_MAX_C = 27.8


def c_to_f(c: FloatArray | float) -> FloatArray:
    return np.asarray(c, dtype=float) * 9.0 / 5.0 + 32.0


def f_to_c(f: FloatArray | float) -> FloatArray:
    return (np.asarray(f, dtype=float) - 32.0) * 5.0 / 9.0


def heat_index_c(temp_c: FloatArray | float, rh_pct: FloatArray | float) -> FloatArray:
    """NWS heat index [°C] from air temperature [°C] and relative humidity [%].

    Source: US National Weather Service, "The Heat Index Equation"
    (Rothfusz 1990 regression, with the NWS low- and high-humidity
    adjustments and Steadman's simple formula below 80 °F).
    Example: 96 °F at 65 % -> 121 °F, as in the NWS table.
    """
    t = c_to_f(temp_c)
    rh = np.asarray(rh_pct, dtype=float)
    simple = 0.5 * (t + 61.0 + (t - 68.0) * 1.2 + rh * 0.094)
    full = (
        -42.379
        + 2.04901523 * t
        + 10.14333127 * rh
        - 0.22475541 * t * rh
        - 0.00683783 * t * t
        - 0.05481717 * rh * rh
        + 0.00122874 * t * t * rh
        + 0.00085282 * t * rh * rh
        - 0.00000199 * t * t * rh * rh
    )
    with np.errstate(invalid="ignore"):
        dry = (rh < 13) & (t >= 80) & (t <= 112)
        full = np.where(
            dry, full - ((13 - rh) / 4) * np.sqrt(np.clip((17 - np.abs(t - 95.0)) / 17, 0, None)), full
        )
        humid = (rh > 85) & (t >= 80) & (t <= 87)
        full = np.where(humid, full + ((rh - 85) / 10) * ((87 - t) / 5), full)
    hi_f = np.where((simple + t) / 2 >= 80.0, full, simple)
    return f_to_c(hi_f)


def wbgt_approx_c(temp_c: FloatArray | float, rh_pct: FloatArray | float) -> FloatArray:
    """Approximate wet-bulb globe temperature [°C] from temperature and humidity.

    Source: Australian Bureau of Meteorology approximation,
    ``WBGT = 0.567 Ta + 0.393 e + 3.94`` with the vapour pressure
    ``e = RH/100 * 6.105 exp(17.27 Ta / (237.7 + Ta))`` [hPa]. It assumes
    moderate sun and light wind, and cannot know about direct sunshine.
    """
    ta = np.asarray(temp_c, dtype=float)
    e = np.asarray(rh_pct, dtype=float) / 100.0 * 6.105 * np.exp(17.27 * ta / (237.7 + ta))
    return 0.567 * ta + 0.393 * e + 3.94


def heat_risk(wbgt_c: FloatArray | float) -> npt.NDArray[np.object_]:
    """ACSM category for a WBGT [°C]: low, moderate, high or extreme (None when NaN)."""
    w = np.asarray(wbgt_c, dtype=float)
    out = np.full(w.shape, None, dtype=object)
    out[w < WBGT_LOW_MAX_C] = "low"
    out[(w >= WBGT_LOW_MAX_C) & (w < WBGT_MODERATE_MAX_C)] = "moderate"
    out[(w >= WBGT_MODERATE_MAX_C) & (w < WBGT_HIGH_MAX_C)] = "high"
    out[w >= WBGT_HIGH_MAX_C] = "extreme"
    return out


# --- intensity --------------------------------------------------------------

#: Banister TRIMP constants (a, b) in ``a * exp(b * HRr)``: Banister 1991,
#: Morton, Fitz-Clarke & Banister 1990. Unknown sex: the mean of the two.
TRIMP_CONSTANTS = {"male": (0.64, 1.92), "female": (0.86, 1.67), None: (0.75, 1.795)}
#: Upper bounds of HR zones 1-4 as fractions of max HR (zone 5 above the last).
HR_ZONE_BOUNDS = (0.60, 0.70, 0.80, 0.90)


def hr_reserve_fraction(hr: FloatArray, resting: float, maximum: float) -> FloatArray:
    """Heart-rate reserve fraction ``(HR - rest) / (max - rest)``, clipped to [0, 1]."""
    return np.clip((hr - resting) / (maximum - resting), 0.0, 1.0)


def trimp_banister(
    hr: FloatArray, dt_s: FloatArray, resting: float, maximum: float, sex: str | None = None
) -> float:
    """Banister training impulse, integrated sample by sample [arbitrary units].

    ``TRIMP = sum(dt_min * HRr * a * exp(b * HRr))`` with the sex-specific
    constants of :data:`TRIMP_CONSTANTS`. Samples without heart rate add nothing.
    """
    a, b = TRIMP_CONSTANTS.get(sex, TRIMP_CONSTANTS[None])
    x = hr_reserve_fraction(hr, resting, maximum)
    contrib = dt_s / 60.0 * x * a * np.exp(b * x)
    return float(np.nansum(contrib))


def trimp_one_hour_at(hr: float, resting: float, maximum: float, sex: str | None = None) -> float:
    """TRIMP of one hour at a constant heart rate (the HRSS denominator)."""
    return trimp_banister(np.array([hr]), np.array([3600.0]), resting, maximum, sex)


def minetti_cost(grade: FloatArray) -> FloatArray:
    """Energy cost of running on a slope [J kg-1 m-1] (Minetti et al. 2002, J Appl Physiol 93:1039).

    ``C(i) = 155.4 i^5 - 30.4 i^4 - 43.3 i^3 + 46.3 i^2 + 19.5 i + 3.6`` for grade
    ``i`` (rise over run), valid for -0.45 <= i <= 0.45 (clipped to it).
    """
    i = np.clip(grade, -0.45, 0.45)
    return ((((155.4 * i - 30.4) * i - 43.3) * i + 46.3) * i + 19.5) * i + 3.6  # Horner form


def decoupling_pct(speed: FloatArray, hr: FloatArray, moving: npt.NDArray[np.bool_]) -> float:
    """Aerobic decoupling [%]: drift of speed per beat from the first to the second half.

    ``(EF1 - EF2) / EF1 * 100`` with ``EF = mean speed / mean HR`` over the
    moving samples of each half (Friel's Pa:HR). Positive: HR drifted up.
    """
    idx = np.flatnonzero(moving & np.isfinite(speed) & np.isfinite(hr))
    if len(idx) < 20:
        return float("nan")
    half = len(idx) // 2
    first, second = idx[:half], idx[half:]
    ef1 = np.mean(speed[first]) / np.mean(hr[first])
    ef2 = np.mean(speed[second]) / np.mean(hr[second])
    return float((ef1 - ef2) / ef1 * 100.0)


# --- hydration and fueling --------------------------------------------------

#: Energy cost of level running [J kg-1 m-1] (about 1 kcal kg-1 km-1; di Prampero 1986).
RUNNING_COST_J_PER_KG_M = 4.2
#: Latent heat of evaporation of sweat [J g-1] (~2.43 MJ kg-1 at skin temperature).
LATENT_HEAT_J_PER_G = 2426.0
#: Fraction of secreted sweat that evaporates (the rest drips and does not cool).
SWEAT_EFFICIENCY = 0.8
#: Mean skin temperature during running [°C].
SKIN_TEMP_C = 35.0
#: Radiative heat-transfer coefficient [W m-2 K-1].
RADIATIVE_COEFF = 4.7
#: Clothing factor on dry heat exchange (light running clothes).
CLOTHING_FACTOR = 0.6
#: Floor of the predicted sweat rate [L h-1].
MIN_SWEAT_RATE_L_H = 0.2
#: Relative uncertainty (1 SD) of a predicted sweat loss: individual sweat
#: rates vary widely with fitness, acclimatisation and genetics (Baker 2017).
SWEAT_PREDICTION_REL_SD = 0.4
#: Typical sweat sodium concentration [mg per L] (~40 mmol/L; Baker 2017,
#: Sports Med 47:111, range about 10-90 mmol/L).
SWEAT_SODIUM_MG_PER_L = 920.0


def body_surface_m2(body_mass_kg: float) -> float:
    """Body surface area from mass alone [m2] (Meeh's formula, ``0.1 * m^(2/3)``)."""
    return float(0.1 * body_mass_kg ** (2.0 / 3.0))


def predicted_sweat_rate_l_h(speed_mps: float, body_mass_kg: float, air_temp_c: float) -> float:
    """Predicted sweat rate while running [L h-1] from a simple heat balance.

    Metabolic heat ``M = cost * mass * speed`` (running has almost no external
    work); dry heat exchange ``H = (h_c + h_r) * A * clothing * (T_skin - T_air)``
    with ``h_c = 8.3 v^0.6`` (forced convection at running speed); the
    evaporation needed ``E = M - H`` is supplied by sweat at
    ``E / (latent heat * efficiency)``. It ignores humidity, sun and wind, so
    it is a rough estimate (see :data:`SWEAT_PREDICTION_REL_SD`).
    """
    if not (speed_mps > 0 and body_mass_kg > 0 and np.isfinite(air_temp_c)):
        return float("nan")
    m_w = RUNNING_COST_J_PER_KG_M * body_mass_kg * speed_mps
    h = 8.3 * speed_mps**0.6 + RADIATIVE_COEFF
    dry_w = h * body_surface_m2(body_mass_kg) * CLOTHING_FACTOR * (SKIN_TEMP_C - air_temp_c)
    e_w = max(m_w - dry_w, 0.0)
    rate = e_w / (LATENT_HEAT_J_PER_G * SWEAT_EFFICIENCY) * 3600.0 / 1000.0
    return float(max(rate, MIN_SWEAT_RATE_L_H))


# --- load -------------------------------------------------------------------


def ewma(values: FloatArray, days: int) -> FloatArray:
    """Exponentially weighted moving average with ``lambda = 2 / (days + 1)``.

    Source: Williams et al. 2017, Br J Sports Med 51:209 (EWMA acute:chronic
    workload), starting from the first day's value.
    """
    lam = 2.0 / (days + 1.0)
    out = np.empty(len(values))
    acc = 0.0
    for k, v in enumerate(values):
        acc = v * lam + (1 - lam) * acc if k else v * lam
        out[k] = acc
    return out
