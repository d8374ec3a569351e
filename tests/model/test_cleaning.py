"""The time rules' shortcut for the common case against the rules one by one (model/cleaning.py)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import runtwitch
from runtwitch.model import cleaning
from runtwitch.model.activity import ImportReport
from runtwitch.model.cleaning import RECORDING_GAP_S, _keep_rows, _keep_rows_general, _plain_rows
from runtwitch.model.frames import NAT_NS
from tests.conftest import CORPUS, CORPUS_FORMATS

T0 = 1_700_000_000 * 10**9


def _same(t: np.ndarray, segment: np.ndarray | None) -> None:
    """The shortcut (when it applies) keeps what the general rules keep and reports the same."""
    fast_report, slow_report = ImportReport(), ImportReport()
    fast = _keep_rows(t, segment, fast_report, RECORDING_GAP_S)
    slow = _keep_rows_general(t, segment, slow_report, RECORDING_GAP_S)
    for name in ("rows", "t", "recording"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(slow, name), err_msg=name)
    assert fast_report == slow_report
    if fast.plain:  # then nothing to merge or renumber: increasing times, one recording
        assert bool((np.diff(slow.t) > 0).all()) and not slow.recording.any()


@pytest.mark.corpus
def test_the_shortcut_keeps_what_the_rules_keep_on_every_corpus_file(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[np.ndarray, np.ndarray | None]] = []
    original = cleaning._keep_rows

    def spy(t_all: np.ndarray, segment_all: np.ndarray | None, *args: Any) -> Any:
        seen.append((t_all.copy(), None if segment_all is None else segment_all.copy()))
        return original(t_all, segment_all, *args)

    monkeypatch.setattr(cleaning, "_keep_rows", spy)
    files = [p for root in (CORPUS, CORPUS_FORMATS) for p in sorted(root.rglob("*"))
             if p.is_file() and p.name != "MANIFEST.csv"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in files:
            try:
                runtwitch.read_activity(path)
            except (runtwitch.RuntwitchError, ValueError, OSError):  # not every file is an activity
                continue
    monkeypatch.undo()
    assert len(seen) > 100
    plain = 0
    for t, segment in seen:
        _same(t, segment)
        plain += _plain_rows(t, segment) is not None
    assert 0 < plain < len(seen)  # the corpus has both cases


@pytest.mark.parametrize("steps", [
    [1, 1, 1], [1, 0, 1], [1, -1, 1], [1, 7 * 3600, 1], [6 * 3600, 1], [1], [],
])
@pytest.mark.parametrize("missing", [None, 0, -1, 1])
@pytest.mark.parametrize("segments", [None, "one", "two"])
def test_the_shortcut_and_the_rules_agree_on_edge_cases(steps: list[int], missing: int | None,
                                                        segments: str | None) -> None:
    t = T0 + np.concatenate([[0], np.cumsum(np.array(steps, dtype=np.int64) * 10**9)]).astype(np.int64)
    if missing is not None and len(t) > 1:
        t[missing] = NAT_NS
    segment = (None if segments is None else np.zeros(len(t), dtype=np.int64) if segments == "one"
               else (np.arange(len(t)) >= len(t) // 2).astype(np.int64))
    _same(t, segment)


def test_the_shortcut_never_hands_on_the_callers_times() -> None:
    t = T0 + np.arange(5, dtype=np.int64) * 10**9
    kept = _keep_rows(t, None, ImportReport(), RECORDING_GAP_S)
    assert kept.plain and not np.shares_memory(kept.t, t)
    assert kept.rows.tolist() == [0, 1, 2, 3, 4] and not kept.recording.any()


def test_a_cadence_that_counts_every_step_twice_is_halved_and_counted() -> None:
    """The treadmill TCX of the corpus stores steps where TCX holds strides, and reading doubles
    them: 239 steps a minute at 9 min/km. Its cadence is halved and the repair counted; the other
    corpus runs keep theirs (none has a moving median above the threshold)."""
    act = runtwitch.read_activity(CORPUS / "tcx" / "runalyze__Treadmill-doubled-cadence.tcx")
    assert 110 < act.records["cadence_spm"].median() < 130
    assert act.report.repaired["cadence_counted_twice_halved"] == act.records["cadence_spm"].gt(0).sum()
    usual = runtwitch.read_activity(CORPUS / "fit" / "sports-lib__6782987395.fit")
    assert "cadence_counted_twice_halved" not in usual.report.repaired
    assert 150 < usual.records["cadence_spm"].median() < 200


def test_steps_counted_once_needs_enough_moving_samples_and_leaves_stops() -> None:
    from runtwitch.model.cleaning import DOUBLED_CADENCE_MIN_SAMPLES, steps_counted_once

    doubled = np.r_[np.full(DOUBLED_CADENCE_MIN_SAMPLES, 340.0), np.zeros(50), np.full(10, np.nan)]
    report = ImportReport()
    halved = steps_counted_once(doubled, report)
    assert np.nanmax(halved) == 170.0 and (halved == 0).sum() == 50
    assert report.repaired == {"cadence_counted_twice_halved": DOUBLED_CADENCE_MIN_SAMPLES}
    few = doubled[DOUBLED_CADENCE_MIN_SAMPLES - 5:]
    assert steps_counted_once(few, ImportReport()) is few
    sprint = np.r_[np.full(40, 175.0), np.full(20, 260.0)]  # strides, then fast steps: median 175
    assert steps_counted_once(sprint, ImportReport()) is sprint
