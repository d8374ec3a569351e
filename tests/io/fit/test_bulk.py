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
