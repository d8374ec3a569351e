"""The record fields decoded together (one cast per layout) against the field-by-field reference."""

from __future__ import annotations

import numpy as np
import pytest

from runtwitch.io.fit import bulk, frame
from runtwitch.io.fit.types import RECORD_MESG
from tests.conftest import corpus_fit_bytes

pytestmark = pytest.mark.corpus


def _same(a: bulk.Column, b: bulk.Column) -> bool:
    return (a.name == b.name and a.units == b.units and a.other_units == b.other_units
            and a.is_dev == b.is_dev and a.dev_data_index == b.dev_data_index
            and a.values.dtype == b.values.dtype == np.float64
            and np.array_equal(a.values, b.values, equal_nan=True)
            and np.array_equal(a.valid, b.valid) and np.array_equal(a.other, b.other))


def test_plain_columns_equal_main_column_on_every_corpus_file() -> None:
    """Every plain field of every record layout of the corpus (all messages, a few, one, none)
    decodes as ``_main_column`` decodes it alone."""
    checked = 0
    for path, data in corpus_fit_bytes():
        arr = np.frombuffer(data, dtype=np.uint8)
        for d in frame.frame(data).definitions:
            if d.global_num != RECORD_MESG or bulk.needs_rows(d):
                continue
            whole = bulk.message_bytes(arr, bulk.int_array(d.offsets), d.size)
            for block in (whole, whole[:3], whole[1:2], whole[:0], whole[::2]):
                n = len(block)
                none = np.zeros(n, dtype=bool)
                plain = bulk._plain_columns(block, d, none)
                for fi, col in plain.items():
                    assert _same(col, bulk._main_column(block, d.fields[fi], d.endian, n, none)), \
                        (path.name, d.fields[fi].num)
                checked += len(plain)
    assert checked > 1000


def test_int_array() -> None:
    assert bulk.int_array([]).dtype == np.int64
    assert bulk.int_array([3, 2**40, 0]).tolist() == [3, 2**40, 0]


def _compressed_times_one_by_one(framed: frame.Framed, stamps: dict[int, float]) -> dict[int, int]:
    """The reference: walk every message in order, as a field-by-field reader does."""
    from runtwitch.io.fit.rows import accumulate

    out: dict[int, int] = {}
    starts = set(framed.file_starts)
    acc = 0
    for s in sorted(set(stamps) | set(framed.compressed) | starts):
        if s in starts:
            acc = 0
        if s in stamps:
            acc = int(stamps[s])
        off = framed.compressed.get(s)
        if off is not None:
            acc = accumulate(off, acc, 5)
            out[s] = acc
    return out


def test_compressed_times_at_once_equal_the_walk_on_every_corpus_file() -> None:
    """Every corpus file with compressed timestamp headers, with its own timestamps and with
    timestamps left out, moved and chained files started at other messages: the stretches between
    anchors are summed at once exactly as the walk accumulates them."""
    import random

    checked = 0
    for path, data in corpus_fit_bytes():
        framed = frame.frame(data)
        if not framed.compressed:
            continue
        stamps = bulk.timestamp_index(data, framed)
        assert bulk.compressed_times(framed, stamps) == _compressed_times_one_by_one(framed, stamps)
        for trial in range(50):
            pick = random.Random(trial)
            some = {s: t + pick.randrange(0, 100) * (trial % 2)
                    for s, t in stamps.items() if pick.random() < 0.4}
            framed.file_starts = sorted({0, *pick.sample(range(framed.n_messages), pick.randrange(0, 4))})
            assert bulk.compressed_times(framed, some) == _compressed_times_one_by_one(framed, some), \
                (path.name, trial)
        checked += 1
    assert checked >= 2  # FR70 and the ANT-FS dump


@pytest.mark.parametrize("damaged", [float("inf"), float("nan"), -1.0, 2.0**32, 2.0**70])
def test_a_timestamp_that_is_no_fit_time_anchors_no_compressed_header(damaged: float) -> None:
    """A damaged timestamp field (an infinite float, or a value no uint32 FIT time can hold) is
    no anchor: the compressed header after it counts on from the anchor before it (the walk raised
    OverflowError on an infinite one; a cast would have given a huge negative time)."""
    framed = frame.Framed(compressed={2: 3, 3: 9}, file_starts=[0])
    clean = _compressed_times_one_by_one(framed, {0: 100.0})
    assert clean == {2: 131, 3: 137}  # 100 = 3 * 32 + 4: offset 3 wraps to 4 * 32 + 3
    assert bulk.compressed_times(framed, {0: 100.0, 1: damaged}) == clean
    assert bulk.compressed_times(framed, {1: damaged}) == {2: 3, 3: 9}


def test_compressed_headers_without_any_anchor_count_from_zero() -> None:
    framed = frame.Framed(compressed={0: 5, 1: 2}, file_starts=[])
    assert bulk.compressed_times(framed, {}) == _compressed_times_one_by_one(framed, {}) == {0: 5, 1: 34}
