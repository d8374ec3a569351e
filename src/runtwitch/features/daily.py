"""The per-day feature table: ``daily_features``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from runtwitch.features import formulas as fm
from runtwitch.features.columns import DAILY_COLUMNS
from runtwitch.features.runs import _require_season, run_features
from runtwitch.season import Season

#: EWMA spans of the acute and chronic load [days] (Williams et al. 2017 convention).
ACUTE_DAYS, CHRONIC_DAYS = 7, 42


def activity_load(runs: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Training load of each activity and the method used.

    TRIMP when heart rate covers at least half the moving time; else session
    RPE (diary ``rpe`` x minutes); else timer minutes.
    """
    trimp_ok = runs["trimp"].notna() & (runs["hr_coverage"].fillna(0) >= 0.5)
    srpe_ok = runs["srpe_load"].notna()
    load = np.where(trimp_ok, runs["trimp"],
                    np.where(srpe_ok, runs["srpe_load"], runs["timer_s"].fillna(runs["elapsed_s"]) / 60.0))
    method = np.where(trimp_ok, "trimp", np.where(srpe_ok, "srpe", "duration"))
    return pd.Series(load, index=runs.index, dtype=float), pd.Series(method, index=runs.index, dtype=object)


def _streak(flags: np.ndarray) -> np.ndarray:
    out = np.zeros(len(flags), dtype=np.int64)
    run = 0
    for k, f in enumerate(flags):
        run = run + 1 if f else 0
        out[k] = run
    return out


def daily_features(season: Season, *, runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per local calendar day, rest days included.

    Parameters
    ----------
    season
        The linked season, as for :func:`run_features`.
    runs
        The season's :func:`run_features` table, when already computed
        (saves computing it twice).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``date``; columns in ``docs/features.md``
        (``runtwitch.features.columns.DAILY_COLUMNS``).
    """
    _require_season(season, "daily_features")
    rf = runs if runs is not None else run_features(season)
    cols = [c.name for c in DAILY_COLUMNS if c.name != "date"]
    if len(rf) == 0:
        return pd.DataFrame(columns=cols, index=pd.DatetimeIndex([], name="date"))
    load, method = activity_load(rf)
    # the columns the days are made of: each selection of runs below copies every column it holds,
    # and the run table holds about a hundred
    rf = rf[["local_date", "is_run", "distance_m", "timer_s"]].assign(_load=load, _method=method)
    days = pd.date_range(rf["local_date"].min(), rf["local_date"].max(), freq="D", name="date")
    g = rf.groupby("local_date")
    is_run = rf["is_run"]
    out = pd.DataFrame(index=days)
    out["runs"] = rf[is_run].groupby("local_date").size().reindex(days, fill_value=0).astype("int64")
    out["run_distance_m"] = rf[is_run].groupby("local_date")["distance_m"].sum().reindex(days, fill_value=0.0)
    out["run_time_s"] = rf[is_run].groupby("local_date")["timer_s"].sum().reindex(days, fill_value=0.0)
    out["cross_training_min"] = (rf[~is_run].groupby("local_date")["timer_s"].sum() / 60.0).reindex(
        days, fill_value=0.0)
    active = g.size().reindex(days, fill_value=0)
    out["rest_day"] = (active == 0).to_numpy()
    out["load"] = g["_load"].sum().reindex(days, fill_value=0.0)
    # the day's one method, else "mixed" (counted per group, not a Python call per day)
    method_g = g["_method"]
    first = method_g.first()
    methods = pd.Series(np.where(method_g.nunique().to_numpy() == 1, first.to_numpy(dtype=object), "mixed"),
                        index=first.index, dtype=object)
    out["load_method"] = methods.reindex(days).astype(object).where(active.to_numpy() > 0, "none")
    run_day = out["runs"].to_numpy() > 0
    rest = out["rest_day"].to_numpy()
    out["consecutive_run_days"] = _streak(run_day)
    out["days_since_rest"] = _streak(~rest)
    out["rest_days_7d"] = out["rest_day"].astype(int).rolling(7, min_periods=1).sum().astype("int64")
    out["rest_days_28d"] = out["rest_day"].astype(int).rolling(28, min_periods=1).sum().astype("int64")
    daily_load = out["load"].to_numpy(float)
    out["acute_load"] = fm.ewma(daily_load, ACUTE_DAYS)
    out["chronic_load"] = fm.ewma(daily_load, CHRONIC_DAYS)
    out["form"] = out["chronic_load"] - out["acute_load"]
    out["acwr"] = (out["acute_load"] / out["chronic_load"]).where(out["chronic_load"] > 0)
    mean7 = out["load"].rolling(7, min_periods=7).mean()
    sd7 = out["load"].rolling(7, min_periods=7).std()
    out["monotony_7d"] = (mean7 / sd7).where(sd7 > 0)
    out["strain_7d"] = out["load"].rolling(7, min_periods=7).sum() * out["monotony_7d"]
    d7 = out["run_distance_m"].rolling(7, min_periods=7).sum()
    out["distance_7d_m"] = out["run_distance_m"].rolling(7, min_periods=1).sum()
    prev = d7.shift(7)
    out["distance_7d_change_pct"] = ((d7 - prev) / prev * 100.0).where(prev > 0)
    out["cross_training_28d_min"] = out["cross_training_min"].rolling(28, min_periods=1).sum()
    sleep = pd.Series(np.nan, index=days)
    diary = season.diary
    if diary is not None and len(diary.context) and "sleep_h" in diary.context:
        s = diary.context.dropna(subset=["date"]).groupby("date")["sleep_h"].mean().astype(float)
        sleep = s.reindex(days)
    out["sleep_h"] = sleep.to_numpy(float)
    out.index.name = "date"
    return out[cols]
