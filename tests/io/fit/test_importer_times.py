"""Record times of the FIT importer: the common case's shortcut against the general rules."""

from __future__ import annotations

import warnings
from datetime import timedelta

import numpy as np
import pytest

from runtwitch.io.fit import engines, importer
from runtwitch.io.fit.collect import Collector
from runtwitch.io.fit.types import FIT_DATETIME_MIN
from runtwitch.model.activity import ImportReport
from tests.conftest import corpus_fit_bytes


def _with_times(seconds: np.ndarray) -> Collector:
    col = Collector()
    col.table = (seconds, {})
    return col


@pytest.mark.corpus
def test_absolute_times_take_the_shortcut_with_the_same_nanoseconds() -> None:
    shortcut = 0
    for path, data in corpus_fit_bytes():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the damaged files of the corpus
            col, _ = engines.decode_numpy(data, path.name, "salvage", ImportReport())
        ns, _ = importer._record_columns(col, None)
        seconds = col.table[0] if col.table is not None else np.zeros(0)
        np.testing.assert_array_equal(ns, importer._general_ns(seconds, None), err_msg=path.name)
        shortcut += bool(len(seconds)) and bool((seconds >= FIT_DATETIME_MIN).all())
    assert shortcut > 10


@pytest.mark.parametrize("seconds", [
    [FIT_DATETIME_MIN + 0.5, FIT_DATETIME_MIN + 1.25, 1.1e9 + 0.001],  # fractions of a second
    [1.1e9, np.nan], [1.1e9, 5.0], [2.0**33, 1.1e9], [1.1e9, 2.0**33 - 1], [1.1e9, np.inf], [],
])
@pytest.mark.parametrize("anchor", [None, timedelta(seconds=1.0e9)])
def test_the_shortcut_gives_what_the_general_rules_give(seconds: list[float],
                                                        anchor: timedelta | None) -> None:
    values = np.array(seconds, dtype=np.float64)
    ns, _ = importer._record_columns(_with_times(values), anchor)
    np.testing.assert_array_equal(ns, importer._general_ns(values, anchor))
