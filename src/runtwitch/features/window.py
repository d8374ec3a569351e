"""Trailing time windows over a table of runs: the earlier runs each run is compared with.

Features and causes compare a run with the runner's runs of the days before
it (the last 30, 60 or 90 days). Scanning the whole history for every run
makes a season's analysis grow with the square of its length; a
:class:`Trailing` window sorts the start times once and finds each run's
window by binary search, so that every run costs only the runs in its window.
"""

from __future__ import annotations

from typing import Literal

import numpy as np


class Trailing:
    """The rows whose start lies in the window of time before each row's start.

    Parameters
    ----------
    start
        Start time of every row [s] (any epoch; NaN rows are in no window).
    seconds
        Length of the window [s]: row ``j`` is in the window of row ``k``
        when ``start[k] - seconds <= start[j]``.
    closed
        ``"left"``: and ``start[j] < start[k]`` (strictly earlier rows);
        ``"both"``: and ``start[j] <= start[k]`` (row ``k`` itself and rows
        that start at the same time included).

    Indexing with a row position gives the positions of the rows in its
    window, in ascending order: ``values[window[k]]`` selects the same values
    in the same order as the boolean mask of the definition, in
    O(log n + rows in the window) instead of O(n).
    """

    def __init__(
        self, start: np.ndarray, seconds: float, *, closed: Literal["left", "both"] = "left"
    ) -> None:
        self._order = np.argsort(start, kind="stable")
        ordered = start[self._order]
        self._lo = np.searchsorted(ordered, start - seconds, "left")
        self._hi = np.searchsorted(ordered, start, "left" if closed == "left" else "right")
        self._hi[~np.isfinite(start)] = 0  # a row without a start has no window

    def __getitem__(self, k: int) -> np.ndarray:
        rows: np.ndarray = np.sort(self._order[self._lo[k]:max(self._hi[k], self._lo[k])])
        return rows
