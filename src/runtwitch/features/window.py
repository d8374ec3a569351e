"""Trailing time windows over a table of runs: the earlier runs each run is compared with.

Features and causes compare a run with the runner's runs of the days before
it (the last 30, 60 or 90 days). Scanning the whole history for every run
makes a season's analysis grow with the square of its length; a
:class:`Trailing` window sorts the start times once and finds each run's
window by binary search, so that every run costs only the runs in its window.
Its :meth:`Trailing.median`, :meth:`Trailing.percentile` and
:meth:`Trailing.max` reduce every row's window at once, and
:func:`pool_medians` takes the medians of any positions chosen per row: the
windows (or pools) holding the same number of values are stacked and reduced
by one numpy call, which gives the same numbers as one call per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
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
        lo, hi = self.bounds(k)
        rows: np.ndarray = np.sort(self._order[lo:hi])
        return rows

    @property
    def order(self) -> np.ndarray:
        """The row positions in start order (stable): each row's window is ``order[lo:hi]`` of its
        :meth:`bounds`."""
        return self._order

    def bounds(self, k: int) -> tuple[int, int]:
        """``(lo, hi)``: the window of row ``k`` is ``order[lo:hi]`` (:attr:`order`), so that a sum
        over it is a difference of prefix sums in start order."""
        lo = int(self._lo[k])
        return lo, max(int(self._hi[k]), lo)

    def stacked(self, rows: np.ndarray, *, cells: int = 1 << 20
                ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """The windows of ``rows`` as matrices, a chunk of rows at a time: ``(chunk, positions,
        inside)``, where row ``i`` of ``positions`` holds the window of ``chunk[i]`` (what
        ``self[chunk[i]]`` gives, in the same order) where ``inside`` is True, and padding after it.

        A loop over rows that only selects from each window becomes one numpy expression per
        chunk; a chunk holds at most about ``cells`` positions (the memory stays bounded however
        many rows share a window).
        """
        rows = np.asarray(rows, dtype=np.intp)
        if len(rows) == 0:
            return
        lo = self._lo[rows]
        size = np.maximum(self._hi[rows], lo) - lo
        width = max(int(size.max()), 1)
        step = max(cells // width, 1)
        columns = np.arange(width)
        padding = len(self._order)  # sorts after every position
        for first in range(0, len(rows), step):
            part = slice(first, first + step)
            inside = columns < size[part, None]
            at = np.minimum(lo[part, None] + columns, len(self._order) - 1)
            positions = np.sort(np.where(inside, self._order[at], padding), axis=1)
            yield rows[part], np.where(inside, positions, 0), inside

    def sizes(self) -> np.ndarray:
        """How many rows each row's window holds (``len(self[k])`` for every row ``k``)."""
        sizes: np.ndarray = np.maximum(self._hi, self._lo) - self._lo
        return sizes

    def median(self, values: np.ndarray, among: np.ndarray | None = None) -> np.ndarray:
        """The median of each row's window: ``np.nanmedian(values[w])`` for every row's window
        ``w`` (its rows where ``among`` is True), NaN where the window holds no finite value.

        Parameters
        ----------
        values
            One value per row (NaN: unknown, left out).
        among
            Boolean per row: the rows that count (None: all).
        """
        return self._reduce(values, among, lambda stacked: np.median(stacked, axis=1))

    def percentile(self, values: np.ndarray, q: float, among: np.ndarray | None = None) -> np.ndarray:
        """The ``q`` th percentile (linear, as ``np.nanpercentile``) of each row's window, as
        :meth:`median`.

        Parameters
        ----------
        values
            One value per row (NaN: unknown, left out).
        q
            The percentile, 0-100.
        among
            Boolean per row: the rows that count (None: all).
        """
        return self._reduce(values, among, lambda stacked: np.percentile(stacked, q, axis=1))

    def max(self, values: np.ndarray, among: np.ndarray | None = None) -> np.ndarray:
        """The largest value of each row's window (``np.nanmax``), as :meth:`median`.

        Parameters
        ----------
        values
            One value per row (NaN: unknown, left out).
        among
            Boolean per row: the rows that count (None: all).
        """
        return self._reduce(values, among, lambda stacked: np.max(stacked, axis=1))

    def _reduce(
        self, values: np.ndarray, among: np.ndarray | None, reduce: Callable[[np.ndarray], np.ndarray]
    ) -> np.ndarray:
        """``reduce`` over the non-NaN values of each row's window, windows of equal size stacked
        (one call per size instead of one per row); NaN where no value of the window is finite."""
        values = np.asarray(values, dtype=float)
        member = np.ones(len(values), dtype=bool) if among is None else np.asarray(among, dtype=bool)
        ordered = values[self._order]
        kept = member[self._order] & ~np.isnan(ordered)
        finite = kept & np.isfinite(ordered)
        # windows are contiguous in start order, so they stay contiguous among the kept values
        kept_before = np.concatenate([[0], np.cumsum(kept)])
        finite_before = np.concatenate([[0], np.cumsum(finite)])
        hi = np.maximum(self._hi, self._lo)
        first = kept_before[self._lo]
        size = kept_before[hi] - first
        has_finite = finite_before[hi] > finite_before[self._lo]
        pool = ordered[kept]
        out = np.full(len(values), np.nan)
        for m, rows in _same_size(np.where(has_finite, size, 0)):
            out[rows] = reduce(pool[first[rows, None] + np.arange(m)])
        return out


def _same_size(size: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """Each size above 0 and the positions of the rows of that size."""
    for m in np.unique(size[size > 0]).tolist():
        yield m, np.flatnonzero(size == m)


def masked_medians(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``np.median`` of each row's values where ``mask`` is True (in row order), NaN for a row with
    none: :func:`pool_medians` of pools given as a mask over a matrix (:meth:`Trailing.stacked`)."""
    out = np.full(len(values), np.nan)
    for m, rows in _same_size(mask.sum(axis=1)):
        out[rows] = np.median(values[rows][mask[rows]].reshape(len(rows), m), axis=1)
    return out


def pool_medians(
    values: np.ndarray, pools: Sequence[np.ndarray], *, around: np.ndarray | None = None
) -> np.ndarray:
    """``np.median(values[pool])`` of each pool of positions, NaN for an empty pool; with
    ``around``, the median absolute deviation ``np.median(np.abs(values[pool] - around[i]))``
    of pool ``i``.

    Pools of the same size are stacked and reduced by one numpy call: the same numbers as one
    call per pool, for a loop that only chooses each row's pool.

    Parameters
    ----------
    values
        The values the pools select from.
    pools
        Integer positions into ``values``, one array per row.
    around
        One center per row (optional).
    """
    out = np.full(len(pools), np.nan)
    size = np.array([len(pool) for pool in pools], dtype=np.int64)
    for _, rows in _same_size(size):
        stacked = values[np.stack([pools[r] for r in rows.tolist()])]
        if around is not None:
            stacked = np.abs(stacked - around[rows, None])
        out[rows] = np.median(stacked, axis=1)
    return out
