"""How warm a runner's device reads: its gap to the air, learnt where both are known.

A watch's temperature sensor sits against the wrist, so while worn it reads
warmer than the air, by an amount that depends on the device, the sleeve, sun
and wind. Where a run has both the device's temperature and the air's (from
the weather archive or the runner's weather table), the gap between them is
measured; the runner's median gap, with its spread, then corrects the runs
that have only the device.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

#: Gap assumed between a worn wrist sensor and the air when it cannot be measured
#: [°C]: body heat through skin contact; a rough value, not from a study.
WRIST_TEMP_BIAS_C = 5.0
#: Uncertainty (1 SD) of that assumed gap [°C]: reported gaps range from a
#: couple of degrees (a loose strap in wind) to about ten (under a sleeve).
WRIST_TEMP_BIAS_SD_C = 3.0
#: Runs with both the device's and the air temperature needed before the gap is measured.
CALIBRATION_MIN_RUNS = 5
#: Smallest spread reported [°C]: many devices record whole degrees.
CALIBRATION_MIN_SD_C = 0.5
#: Median absolute deviation to standard deviation for a normal distribution.
MAD_TO_SD = 1.4826


@dataclass(frozen=True)
class DeviceCalibration:
    """The gap between a runner's device temperature and the air.

    Attributes
    ----------
    bias_c
        Typical device minus air temperature [°C] (the median gap when measured).
    sd_c
        Spread of the gap, 1 SD [°C] (1.4826 x median absolute deviation when
        measured): the uncertainty of a corrected run.
    runs
        Runs the gap was measured on (0 when assumed).
    measured
        True when measured on at least :data:`CALIBRATION_MIN_RUNS` runs,
        False when the default :data:`WRIST_TEMP_BIAS_C` is assumed.
    """

    bias_c: float
    sd_c: float
    runs: int
    measured: bool

    def correct(self, device_temp_c: float) -> tuple[float, float]:
        """Air temperature and its uncertainty (1 SD) from a device temperature [°C]."""
        return device_temp_c - self.bias_c, self.sd_c

    def describe(self) -> str:
        """One sentence for the runner."""
        if self.measured:
            return (f"Your device read {self.bias_c:.1f} °C warmer than the air on {self.runs} runs "
                    f"with weather (spread ±{self.sd_c:.1f} °C); runs with only the device's "
                    "temperature are corrected by that.")
        return (f"Runs with only the device's temperature assume it reads {self.bias_c:g} °C warmer "
                f"than the air (±{self.sd_c:g} °C): {self.runs} of the {CALIBRATION_MIN_RUNS} runs with "
                "both it and weather needed to measure the gap.")

    def to_dict(self) -> dict[str, Any]:
        """As plain values, with :meth:`describe` as ``text``."""
        return {**asdict(self), "text": self.describe()}


def calibrate_device(
    device_temp_c: npt.ArrayLike,
    air_temp_c: npt.ArrayLike,
    *,
    min_runs: int = CALIBRATION_MIN_RUNS,
    default_bias_c: float = WRIST_TEMP_BIAS_C,
    default_sd_c: float = WRIST_TEMP_BIAS_SD_C,
    min_sd_c: float = CALIBRATION_MIN_SD_C,
) -> DeviceCalibration:
    """Measure the gap between a runner's device temperature and the air.

    Parameters
    ----------
    device_temp_c
        The device's temperature per run (median of its sensor) [°C]; NaN where absent.
    air_temp_c
        The air temperature of the same runs from the archive or a weather
        table [°C]; NaN where absent (never the diary's or the device's own).
    min_runs
        Runs with both needed to measure the gap; with fewer the defaults hold.
    default_bias_c, default_sd_c
        Gap and spread assumed without enough runs [°C].
    min_sd_c
        Smallest spread reported [°C].

    Returns
    -------
    DeviceCalibration
        Median gap (device minus air), its spread (1.4826 x MAD, at least
        ``min_sd_c``) and the number of runs.
    """
    dev = np.asarray(device_temp_c, dtype=float)
    air = np.asarray(air_temp_c, dtype=float)
    gap = (dev - air)[np.isfinite(dev) & np.isfinite(air)]
    if len(gap) < min_runs:
        return DeviceCalibration(default_bias_c, default_sd_c, len(gap), False)
    median = float(np.median(gap))
    spread = MAD_TO_SD * float(np.median(np.abs(gap - median)))
    return DeviceCalibration(median, max(spread, min_sd_c), len(gap), True)


def calibrate_from_weather(device_temp_c: pd.Series, weather: pd.DataFrame | None) -> DeviceCalibration:
    """:func:`calibrate_device` over the runs whose weather came from a table or an archive.

    Parameters
    ----------
    device_temp_c
        The device's temperature per run [°C] (``run_features``' ``device_temp_c``),
        indexed like ``weather``.
    weather
        :func:`runtwitch.weather.for_runs` of the same runs, or None (the default gap is assumed).
    """
    if weather is None:
        return calibrate_device(device_temp_c.to_numpy(dtype=float), np.full(len(device_temp_c), np.nan))
    wx = weather.reindex(device_temp_c.index)
    air = wx["air_temp_mean_c"].where(wx["source"].isin(["table", "archive"]))
    return calibrate_device(device_temp_c.to_numpy(dtype=float), air.to_numpy(dtype=float))
