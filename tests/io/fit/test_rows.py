"""Messages decoded for their values only against the whole message (the reference)."""

from __future__ import annotations

from typing import Any

import pytest

from runtwitch.io.fit import frame, rows
from runtwitch.io.fit.collect import READ_FIELDS
from runtwitch.io.fit.engines import WHOLE_MESSAGES
from runtwitch.io.fit.types import ROW_MESSAGES
from tests.conftest import corpus_fit_bytes

pytestmark = pytest.mark.corpus


def _read(data: bytes, d: Any, off: int, *, values: bool) -> Any:
    """Each name's first value that is not None, in order (what the importer reads), or the failure."""
    try:
        msg = rows.decode_row(data, d, off, rows.RowState(), None, values=values)
    except Exception as exc:  # the same failure either way
        return type(exc), str(exc)
    out: dict[str, Any] = {}
    for f in msg.fields:
        if f.value is not None and f.name not in out:
            out[f.name] = f.value
    return msg.name, list(out.items())


def test_values_only_equal_whole_messages_on_every_corpus_file() -> None:
    checked = 0
    for path, data in corpus_fit_bytes():
        for d in frame.frame(data).definitions:
            if d.global_num not in ROW_MESSAGES or d.global_num in WHOLE_MESSAGES:
                continue
            for off in d.offsets:
                assert _read(data, d, off, values=True) == _read(data, d, off, values=False), (path.name, off)
                checked += 1
    assert checked > 500


def _read_only(data: bytes, d: Any, off: int, only: frozenset[str] | None) -> Any:
    """The first values of the names in ``only`` (with ``decode_row(..., only=)``), or the failure."""
    try:
        msg = rows.decode_row(data, d, off, rows.RowState(), None, values=True, only=only)
    except Exception as exc:
        return type(exc), str(exc)
    out: dict[str, Any] = {}
    for f in msg.fields:
        if f.value is not None and f.name not in out:
            out[f.name] = f.value
    return msg.name, [(k, v) for k, v in out.items() if only is None or k in only]


def test_fields_read_only_equal_every_field_on_every_corpus_file() -> None:
    """Leaving out the fields no one reads changes neither a value read nor a failure."""
    checked = 0
    for path, data in corpus_fit_bytes():
        for d in frame.frame(data).definitions:
            if d.global_num not in ROW_MESSAGES or d.global_num in WHOLE_MESSAGES or d.mesg_type is None:
                continue
            only = READ_FIELDS.get(d.mesg_type.name)
            if only is None:
                continue
            for off in d.offsets:
                whole = _read_only(data, d, off, None)
                if isinstance(whole[1], list):
                    whole = whole[0], [(k, v) for k, v in whole[1] if k in only]
                assert _read_only(data, d, off, only) == whole, (path.name, off)
                checked += 1
    assert checked > 500
