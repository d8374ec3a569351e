"""The lap table: declared laps in start order, or one lap per session (see
:func:`runtwitch.model.assembly.build`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from runtwitch.model.clocks import _assign_ns
from runtwitch.model.coerce import _coerce_columns
from runtwitch.model.frames import NAT_NS, Columns
from runtwitch.model.schema import LAP_COLUMNS

#: The session columns that make the lap of a session declared without laps.
_SESSION_AS_LAP = ("start", "end", "elapsed_s", "timer_s", "distance_m",
                   "avg_heart_rate_bpm", "max_heart_rate_bpm")


def _finish_laps(laps: dict[Any, Any], n: int, sess: dict[str, Any]) -> Columns:
    """Laps with a start, in start order (stable), with ends filled from durations and indexes.

    ``laps``: the declared laps' columns by name (arrays of ``n`` values;
    empty when the file declares none); ``sess``: the session table's columns
    (as :func:`~runtwitch.model.clocks._finish_sessions` built them). Returns
    the lap table's columns (its frame is built when read).
    """
    n_sessions = len(sess["start"])
    if "start" not in laps or bool(pd.isna(laps["start"]).all()):
        laps, n = {c: sess[c] for c in _SESSION_AS_LAP}, n_sessions
    given = _coerce_columns(laps, n, LAP_COLUMNS)  # no frame in between: it would be taken apart at once
    start = given["start"].asi8
    valid = np.flatnonzero(start != NAT_NS)
    order = valid[np.argsort(start[valid], kind="stable")]
    if len(order) == n and bool((order == np.arange(n)).all()):  # in order (the rule): nothing to take
        # copies: the given arrays may be the caller's (a few values each)
        arrays = {c.name: given[c.name].copy() for c in LAP_COLUMNS}
    else:
        arrays = {c.name: given[c.name].take(order) for c in LAP_COLUMNS}
    elapsed = np.asarray(arrays["elapsed_s"], dtype=np.float64)
    missing_end = (arrays["end"].asi8 == NAT_NS) & ~np.isnan(elapsed)
    if missing_end.any():
        end = pd.Series(arrays["end"], copy=True)  # may be the given (or a session's) own array
        seconds = pd.Series(elapsed)[missing_end]
        filled = pd.Series(arrays["start"])[missing_end] + pd.to_timedelta(seconds, unit="s")
        end[missing_end] = filled
        arrays["end"] = end.array
    arrays["lap"] = np.arange(len(order), dtype="int64")
    arrays["session"] = (_assign_ns(arrays["start"].asi8, sess["start"].asi8).astype("int64") if n_sessions
                         else np.zeros(len(order), dtype="int64"))
    return Columns({c.name: arrays[c.name] for c in LAP_COLUMNS}, pd.RangeIndex(len(order)))

