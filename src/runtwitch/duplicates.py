"""One run in two files: the same recording exported twice, or recorded by two devices at once.

A runner's folder often holds one run more than once: the watch's FIT file
and the GPX or TCX a platform exported from it, or a watch and a phone that
both recorded the run. Counted twice, such a run doubles that day's training
load and may hide a rest day. :func:`find_duplicates` finds the recordings
that overlap in time for most of their length and keeps one of each group;
:meth:`runtwitch.Season.build` leaves the others out and says which.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from runtwitch.model.activity import Activity
from runtwitch.model.schema import UNTYPED_SPORTS, is_run

#: Two recordings are one run when they overlap for at least this share of the longer one's
#: time. The same recording in two formats overlaps for all of it (1.0); a watch and a phone
#: started a minute apart on a half-hour run, for about 0.97. Separate recordings of one
#: outing (a warm-up, then the session) do not overlap at all. runtwitch's choice.
DUPLICATE_OVERLAP = 0.8

#: The copy kept of one run: the first format here, the format that usually carries the most
#: (FIT: every sensor and the device's own session; TCX: heart rate, cadence and laps); then the
#: other formats; GPX last (positions first, sensors only in extensions). Then the copy with the
#: most records, then the first by file name.
FORMAT_PREFERENCE = ("fit", "tcx")

#: The columns of :func:`find_duplicates`' result.
DUPLICATE_COLUMNS = ("position", "source", "kept_position", "kept_source", "overlap")


def find_duplicates(activities: Sequence[Activity], *, overlap: float = DUPLICATE_OVERLAP,
                    sport: Callable[[Activity], str | None] | None = None) -> pd.DataFrame:
    """The activities that record the same run as another one, and the one kept of each run.

    Reads only the activities' start, end, format, record count and sport
    (no records are loaded, unless ``sport`` reads them). Courses and
    activities without a start or with no duration are never duplicates, nor
    are two activities of different sports (a run and a ride at the same
    time are two activities, of one person or two).

    Parameters
    ----------
    activities
        Imported activities.
    overlap
        Least share of the longer recording's time the two must overlap
        (:data:`DUPLICATE_OVERLAP`), from 0 (exclusive) to 1.
    sport
        The sport of an activity, asked only of activities that overlap
        another; default: the sport its file names. Sports agree when they are
        equal, both runs (:func:`runtwitch.model.schema.is_run`), or one is
        not known (:data:`UNKNOWN_SPORTS`).

    Returns
    -------
    pandas.DataFrame
        One row per activity left out: ``position`` (in ``activities``),
        ``source``, ``kept_position`` and ``kept_source`` (the copy kept, see
        :data:`FORMAT_PREFERENCE`) and ``overlap`` (the largest share of the
        longer one's time it overlaps another copy, 0-1), in position order.

    Raises
    ------
    ValueError
        ``overlap`` is not in (0, 1].
    """
    if not 0 < overlap <= 1:
        raise ValueError(f"overlap = {overlap!r}: expected a share of time above 0 and at most 1")
    spans: list[tuple[int, int, int]] = []  # (position, start, end [ns]) of every recording with a duration
    for pos, act in enumerate(activities):
        began, ended = act.start, act.end
        if act.meta.kind == "activity" and began is not None and ended is not None and ended > began:
            spans.append((pos, int(began.value), int(ended.value)))
    spans.sort(key=lambda span: span[1])
    group = {pos: pos for pos, _, _ in spans}  # union-find over positions
    shared: dict[int, float] = {}
    named = sport if sport is not None else (lambda act: act.meta.sport)

    @functools.cache
    def sport_of(pos: int) -> str | None:  # asked only of activities that overlap another, once each
        return named(activities[pos])

    def root(p: int) -> int:
        while group[p] != p:
            group[p] = group[group[p]]
            p = group[p]
        return p

    for i, (p, start, end) in enumerate(spans):
        for q, start_q, end_q in spans[i + 1:]:
            if start_q >= end:  # sorted by start: no later span overlaps this one
                break
            share = (min(end, end_q) - start_q) / max(end - start, end_q - start_q)
            if share >= overlap and _agree(sport_of(p), sport_of(q)):
                group[root(q)] = root(p)
                shared[p], shared[q] = max(shared.get(p, 0.0), share), max(shared.get(q, 0.0), share)
    members: dict[int, list[int]] = {}
    for pos, _, _ in spans:
        members.setdefault(root(pos), []).append(pos)
    rows = []
    for same in members.values():
        if len(same) < 2:
            continue
        kept = min(same, key=lambda pos: _preference(activities[pos]))
        rows += [{"position": pos, "source": activities[pos].meta.source, "kept_position": kept,
                  "kept_source": activities[kept].meta.source, "overlap": round(shared[pos], 3)}
                 for pos in same if pos != kept]
    out = pd.DataFrame(rows, columns=list(DUPLICATE_COLUMNS))
    return out.sort_values("position", ignore_index=True).astype(
        {"position": np.int64, "kept_position": np.int64, "overlap": float})


#: Sports that say nothing of what was done: they agree with any sport (a file that names none,
#: or data that show none: ``runtwitch.season.infer_sport`` gives "unknown").
UNKNOWN_SPORTS = frozenset({None, "unknown", *UNTYPED_SPORTS})


def _agree(a: str | None, b: str | None) -> bool:
    """Whether two activities' sports allow them to be one recording (see :func:`find_duplicates`)."""
    return a == b or a in UNKNOWN_SPORTS or b in UNKNOWN_SPORTS or (is_run(a) and is_run(b))


def _preference(act: Activity) -> tuple[int, int, str]:
    """Sort key of the copies of one run: the copy to keep first (see :data:`FORMAT_PREFERENCE`)."""
    fmt = act.meta.format.lower()
    rank = (FORMAT_PREFERENCE.index(fmt) if fmt in FORMAT_PREFERENCE
            else len(FORMAT_PREFERENCE) + (fmt == "gpx"))
    return rank, -int(act.report.rows), act.meta.source
