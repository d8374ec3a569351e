"""The record table of bulk-decoded groups against the column-by-column reference: every corpus FIT file."""

from __future__ import annotations

import contextlib
import gzip
from typing import Any

import numpy as np
import pytest

import runtwitch
from runtwitch.io.fit import collect, engines
from runtwitch.io.fit.collect import _PLAIN_FALLBACK, SEMICIRCLE_TO_DEG, Collector, column_name
from runtwitch.model.activity import ImportReport
from tests.conftest import CORPUS, MANIFEST, assert_same_frames

pytestmark = [pytest.mark.corpus, pytest.mark.filterwarnings("ignore::runtwitch.RuntwitchWarning")]

FIT_FILES = sorted(r["file"] for r in MANIFEST if r["format"] in ("fit", "fit.gz"))


def _reference(col: Collector) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The table as the previous code built it: every group written into file-wide arrays in turn."""
    groups = col.record_groups or []
    total = sum(len(g.seqs) for g in groups)
    time = np.full(total, np.nan)
    values: dict[str, np.ndarray] = {}
    present: dict[str, np.ndarray] = {}
    c_seqs = np.fromiter(col.compressed_ts, dtype=np.int64, count=len(col.compressed_ts))
    c_order = np.argsort(c_seqs)
    c_seqs = c_seqs[c_order]
    c_times = np.fromiter(col.compressed_ts.values(), dtype=np.float64, count=len(c_seqs))[c_order]
    start = 0
    for g in groups:
        n = len(g.seqs)
        sl = slice(start, start + n)
        t = g.time
        if len(c_seqs):
            at = np.minimum(np.searchsorted(c_seqs, g.seqs), len(c_seqs) - 1)
            hit = c_seqs[at] == g.seqs
            t = np.where(hit, c_times[at], t)
        time[sl] = t
        for c in g.columns:
            dev_index = c.dev_data_index if c.is_dev else None
            if not c.valid.any():
                continue
            key = column_name(c.name, c.units, dev_index)
            v = c.values * SEMICIRCLE_TO_DEG if key in ("lat_deg", "lon_deg") and not c.is_dev else c.values
            if key not in values:
                values[key] = np.full(total, np.nan)
                present[key] = np.zeros(total, dtype=bool)
            isset = present[key][sl]
            mask = c.valid & ~isset if (not c.is_dev and c.name in _PLAIN_FALLBACK) else c.valid
            np.copyto(values[key][sl], v, where=mask)
            isset |= mask
        start += n
    if len(groups) > 1:
        seqs = np.concatenate([g.seqs for g in groups])
        if not bool((np.diff(seqs) > 0).all()):
            order = np.argsort(seqs, kind="stable")
            return time[order], {k: v[order] for k, v in values.items() if present[k].any()}
    return time, {k: v for k, v in values.items() if present[k].any()}


def _collector(name: str) -> Any:
    data = (CORPUS / name).read_bytes()
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    try:
        got = engines.decode_numpy(data, name, "salvage", ImportReport())
    except Exception:  # a file the importer refuses: nothing to compare
        return None
    return got[0] if isinstance(got, tuple) else got


@pytest.mark.parametrize("name", FIT_FILES)
def test_record_table_equals_the_reference(name: str) -> None:
    col = _collector(name)
    if col is None or col.record_groups is None:
        pytest.skip("no bulk-decoded records")
    t_ref, v_ref = _reference(col)
    col.table = None
    t_got, v_got = collect.record_table(col)
    np.testing.assert_array_equal(t_got, t_ref)
    assert list(v_got) == list(v_ref)  # the same columns in the same order
    for key, ref in v_ref.items():
        assert v_got[key].dtype == np.float64 and v_got[key].flags.writeable
        np.testing.assert_array_equal(v_got[key], ref, err_msg=key)
        decoded = [c.values for g in col.record_groups for c in g.columns]
        assert not any(np.shares_memory(v_got[key], d) for d in decoded)  # the table's own data


@pytest.mark.parametrize("name", FIT_FILES)
def test_activity_equal_with_every_field_decoded(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The numpy engine decodes only ``READ_FIELDS`` of sessions, laps, events...: what the
    importer reads. Decoding every field gives the same activity (or the same failure)."""

    def read() -> Any:
        try:
            return runtwitch.read_fit(CORPUS / name, errors="salvage")
        except runtwitch.errors.RuntwitchError as exc:
            return type(exc), str(exc)

    chosen = read()
    monkeypatch.setattr(engines, "READ_FIELDS", {})
    whole = read()
    if isinstance(whole, tuple) or isinstance(chosen, tuple):
        assert chosen == whole
        return
    assert_same_frames(chosen, whole)
    assert chosen.report.to_dict() == whole.report.to_dict()


class _Asked(dict):  # type: ignore[type-arg]
    """A collector's dict of one message's values that notes in ``asked`` every field asked of it."""

    def __init__(self, values: dict[str, Any], message: str, asked: set[tuple[str, str]]) -> None:
        super().__init__(values)
        self.message, self.asked = message, asked

    def get(self, key: Any, default: Any = None) -> Any:
        self.asked.add((self.message, key))
        return super().get(key, default)

    def __getitem__(self, key: Any) -> Any:
        self.asked.add((self.message, key))
        return super().__getitem__(key)

    def __contains__(self, key: Any) -> bool:
        self.asked.add((self.message, key))
        return super().__contains__(key)


def test_the_importer_reads_only_the_fields_the_collector_keeps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Found in review: a field the importer reads but ``READ_FIELDS`` does not list would be
    None from both engines; every field asked of the collector's dicts must be listed."""
    keep = collect.Collector._values
    asked: set[tuple[str, str]] = set()
    monkeypatch.setattr(collect.Collector, "_values",
                        staticmethod(lambda frame: _Asked(keep(frame), frame.name, asked)))
    for name in FIT_FILES:
        with contextlib.suppress(runtwitch.errors.RuntwitchError):
            runtwitch.read_fit(CORPUS / name, errors="salvage")
    assert {m for m, _ in asked} >= {"session", "lap", "file_id", "activity"}
    assert not {(m, k) for m, k in asked if k not in collect.READ_FIELDS[m]}
