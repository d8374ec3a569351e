"""Humidity and distance formulas behind the weather tables, each with its source."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

#: Magnus formula constants over water (Alduchov & Eskridge 1996, J Appl Meteor
#: 35:601, "AERK"): saturation vapour pressure ``6.1094 exp(a T / (b + T))`` [hPa].
MAGNUS_A = 17.625
#: See :data:`MAGNUS_A` [°C].
MAGNUS_B_C = 243.04
#: Mean Earth radius for great-circle distances [km] (IUGG mean radius).
EARTH_RADIUS_KM = 6371.0088


def dew_point_c(temp_c: FloatArray | float, rh_pct: FloatArray | float) -> FloatArray:
    """Dew point [°C] from air temperature [°C] and relative humidity [%].

    Inverse of the Magnus formula (Alduchov & Eskridge 1996); within about
    0.1 °C of exact between -40 and 50 °C. Example: 20 °C at 50 % -> 9.3 °C.
    """
    t = np.asarray(temp_c, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.log(np.asarray(rh_pct, dtype=float) / 100.0) + MAGNUS_A * t / (MAGNUS_B_C + t)
        out: FloatArray = MAGNUS_B_C * g / (MAGNUS_A - g)
    return out


def relative_humidity_pct(temp_c: FloatArray | float, dew_point: FloatArray | float) -> FloatArray:
    """Relative humidity [%] from air temperature and dew point [°C] (Magnus formula).

    A dew point above the temperature (rounding in a table) gives 100 %.
    """
    t = np.asarray(temp_c, dtype=float)
    td = np.asarray(dew_point, dtype=float)
    rh = 100.0 * np.exp(MAGNUS_A * td / (MAGNUS_B_C + td) - MAGNUS_A * t / (MAGNUS_B_C + t))
    out: FloatArray = np.minimum(rh, 100.0)
    return out


def distance_km(
    lat1: FloatArray | float, lon1: FloatArray | float, lat2: FloatArray | float, lon2: FloatArray | float
) -> FloatArray:
    """Great-circle distance [km] between points given in degrees (haversine formula)."""
    p1, p2 = np.radians(np.asarray(lat1, dtype=float)), np.radians(np.asarray(lat2, dtype=float))
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    out: FloatArray = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return out
