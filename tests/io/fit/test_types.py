"""Framing notes runs of repeated cycles as ranges; spreading them into arrays, in bulk
with numpy or run by run as lists (the reference), gives the same offsets and sequence
numbers."""

from __future__ import annotations

import numpy as np
import pytest

from runtwitch.io.fit import frame, types
from tests.conftest import corpus_fit_bytes


def _spread_both(d: types.Definition) -> None:
    bulk_offsets, bulk_seqs = types._spread(d.starts, d.numbers, d.runs)
    ref_offsets, ref_seqs = types._spread_lists(d.starts, d.numbers, d.runs)
    assert bulk_offsets.dtype == ref_offsets.dtype == bulk_seqs.dtype == np.int64
    assert np.array_equal(bulk_offsets, ref_offsets) and np.array_equal(bulk_seqs, ref_seqs)


def test_runs_spread_in_bulk_equal_lists_on_every_corpus_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(types, "SPREAD_IN_BULK", 0)  # every definition with runs in bulk
    with_runs = 0
    for _, data in corpus_fit_bytes():
        for d in frame.frame(data).definitions:
            _spread_both(d)
            with_runs += bool(d.runs)
    assert with_runs > 50


@pytest.mark.parametrize("in_bulk", [0, 10_000])
def test_runs_spread_in_file_order(monkeypatch: pytest.MonkeyPatch, in_bulk: int) -> None:
    """Singles before, between and after runs; two runs at one place; interleaved messages."""
    monkeypatch.setattr(types, "SPREAD_IN_BULK", in_bulk)
    runs = [(2, (11,), 5, (2,), 2, 3),  # after the first two singles: 11, 16, 21
            (2, (26,), 5, (8,), 1, 2),  # at the same place, after the run before it
            (3, (101, 104), 10, (31, 32), 3, 2)]  # after the last single, two messages a cycle
    offsets = [1, 6, 11, 16, 21, 26, 31, 100, 101, 104, 111, 114]
    seqs = [0, 1, 2, 4, 6, 8, 9, 30, 31, 32, 34, 35]
    for kept, length in ((runs[:2], 8), (runs, 12)):
        d = types.Definition(20, "<", [], 4, 0, 0)
        d.starts += [1, 6, 100]
        d.numbers += [0, 1, 30]
        d.runs += kept
        assert d.offsets == offsets[:length] and d.seqs == seqs[:length]
        _spread_both(d)
    assert not d.offset_array().flags.writeable and not d.seq_array().flags.writeable
