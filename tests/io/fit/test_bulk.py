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
