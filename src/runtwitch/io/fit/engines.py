"""The two FIT decoding engines: each fills a Collector and says where and why it stopped.

- :func:`decode_numpy` (the default): frame every message in one pass, decode
  records in bulk with numpy, the other messages one by one
  (``runtwitch.io.fit.bulk``).
- :func:`decode_fitdecode` (the reference): fitdecode's streaming reader,
  message by message.

Each returns the collector and the runtwitch error for the damage found (or
None), with the byte offset; ``read_fit`` decides whether to raise or salvage.
"""

from __future__ import annotations

import bisect
import re
import warnings
from io import BytesIO
from typing import Any

import fitdecode

from runtwitch.errors import (
    ChecksumError,
    CorruptFileError,
    FileError,
    LimitExceededError,
    ParseError,
    TruncatedFileError,
)
from runtwitch.io.fit import bulk as _fitnumpy
from runtwitch.io.fit import frame as _fitframe
from runtwitch.io.fit import rows as _fitrows
from runtwitch.io.fit.collect import Collector
from runtwitch.io.registry import Errors
from runtwitch.model.activity import Damage, ImportReport

_CRC_RE = re.compile(r"(?:footer|header) offset: (\d+)")


def _offset_of(exc: BaseException, reader: Any) -> int | None:
    off = getattr(exc, "offset", None)
    if isinstance(off, int):
        return off
    m = _CRC_RE.search(str(exc))
    if m:
        return int(m.group(1))
    off = getattr(reader, "_chunk_offset", None)  # fitdecode's current chunk start
    return off if isinstance(off, int) else None


def _classify(exc: BaseException, name: str, offset: int | None) -> FileError:
    """The runtwitch error for a fitdecode exception (same wording as the numpy engine's)."""
    if isinstance(exc, fitdecode.FitEOFError):
        kind, msg = "eof", str(exc)
    elif isinstance(exc, fitdecode.FitCRCError):
        kind, msg = "crc", str(exc)
    elif isinstance(exc, fitdecode.FitHeaderError):
        kind, msg = "header", str(exc)
    else:
        kind, msg = "undecodable", f"{type(exc).__name__}: {exc}"
    return _failure_error(_fitframe.FitFailure(kind, offset, msg), name)


def decode_fitdecode(
    data: bytes, name: str, errors: Errors, report: ImportReport
) -> tuple[Collector, FileError | None]:
    """Stream the file through fitdecode, collecting the messages the importer uses."""
    col = Collector()
    crc = fitdecode.CrcCheck.RAISE if errors == "raise" else fitdecode.CrcCheck.WARN
    failure: FileError | None = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reader = fitdecode.FitReader(
            BytesIO(data), check_crc=crc, error_handling=fitdecode.ErrorHandling.WARN
        )
        try:
            for count, frame in enumerate(reader):
                if count >= _fitframe.MAX_FIT_MESSAGES:
                    # fitdecode's current chunk is where the message past the limit starts
                    raise _fitframe.too_many_messages(getattr(reader, "_chunk_offset", None))
                if isinstance(frame, fitdecode.FitDataMessage):
                    col.add(frame)
                elif isinstance(frame, fitdecode.FitHeader):
                    col.headers += 1
        except _fitframe.FitFailure as exc:
            failure = _failure_error(exc, name)
            failure.__cause__ = exc
        except Exception as exc:
            failure = _classify(exc, name, _offset_of(exc, reader))
            failure.__cause__ = exc
    for w in caught:
        msg = str(w.message)
        if "CRC" in msg and report.damage is None:
            off = _offset_of(Exception(msg), None)
            report.damage = Damage(off, ChecksumError.__name__, f"CRC mismatch: {msg}")
        else:
            report.warn(f"{name}: FIT decoder: {msg}")
    return col, failure


def _failure_error(exc: _fitframe.FitFailure, name: str) -> FileError:
    """The runtwitch error for where and why the numpy engine stopped."""
    msg, off = str(exc), exc.offset
    if exc.kind == "limit":
        return LimitExceededError(name, msg, offset=off)
    if exc.kind == "eof":
        return TruncatedFileError(name, f"file ends early: {msg}", offset=off)
    if exc.kind == "crc":
        return ChecksumError(name, f"CRC mismatch: {msg}", offset=off)
    if exc.kind == "header":
        if off in (0, None):
            return ParseError(name, f"not a FIT file: {msg}", offset=off)
        return CorruptFileError(name, f"invalid FIT header of a chained file: {msg}", offset=off)
    return CorruptFileError(name, f"undecodable FIT data ({msg})", offset=off)


def decode_numpy(
    data: bytes, name: str, errors: Errors, report: ImportReport
) -> tuple[Collector, FileError | None]:
    """Frame the file, decode records in bulk and the other messages one by one."""
    framed = _fitframe.frame(data)
    col = Collector()
    col.headers = framed.headers
    # Message timestamps are needed only to expand compressed headers and to anchor
    # hr messages (the last timestamp before them); most files have neither.
    needs_stamps = bool(framed.compressed) or any(
        d.global_num == _fitrows.HR_MESG for d in framed.definitions)
    stamps = _fitnumpy.timestamp_index(data, framed) if needs_stamps else {}
    compressed = _fitnumpy.compressed_times(framed, stamps)
    records_by_row = any(d.global_num == _fitframe.RECORD_MESG and d.offsets and _fitnumpy.needs_rows(d)
                         for d in framed.definitions)
    kinds = _fitframe.ROW_MESSAGES | ({_fitframe.RECORD_MESG} if records_by_row else set())
    # Messages to decode one by one, and the definitions that reset accumulators, in file order.
    events: list[tuple[int, int, int, Any]] = [
        (seq, 0, file_index, (g, targets)) for seq, file_index, g, targets in framed.resets if g in kinds]
    for d in framed.definitions:
        if d.global_num in kinds:
            events.extend((s, 1, d.file_index, (d, off)) for s, off in zip(d.seqs, d.offsets, strict=True))
    events.sort(key=lambda e: (e[0], e[1]))
    ts_seqs = sorted(stamps)
    failure: _fitframe.FitFailure | None = framed.failure
    cut = framed.n_messages
    state = _fitrows.RowState()
    current_file = -1
    for seq, kind, file_index, what in events:
        if file_index != current_file:
            state, current_file = _fitrows.RowState(), file_index
        if kind == 0:
            state.reset(*what)
            continue
        d, off = what
        i = bisect.bisect_left(ts_seqs, seq) - 1
        file_start = framed.file_starts[file_index]
        state.last_ts = stamps[ts_seqs[i]] if i >= 0 and ts_seqs[i] >= file_start else 0
        try:
            msg = _fitrows.decode_row(data, d, off, state, compressed.get(seq))
        except Exception as exc:  # fitdecode stops at the same message
            failure = _fitframe.FitFailure("undecodable", off - 1, f"{type(exc).__name__}: {exc}")
            cut = seq
            col.headers = sum(1 for start in framed.file_starts if start <= cut)  # headers read so far
            break
        col.add(msg)
    if not records_by_row:
        col.record_groups = _fitnumpy.decode_record_groups(data, framed, cut)
        col.compressed_ts = compressed
    for w in framed.warnings:
        report.warn(f"{name}: FIT decoder: {w}")
    error = None if failure is None else _failure_error(failure, name)
    if framed.crc_problem is not None:
        off, why = framed.crc_problem
        if errors == "raise":
            if error is None or (error.offset is not None and off < error.offset):
                error = ChecksumError(name, f"CRC mismatch: {why}", offset=off)
                error.__cause__ = _fitframe.FitFailure("crc", off, why)
        else:
            report.damage = Damage(off, ChecksumError.__name__, f"CRC mismatch: {why}")
    if error is not None and failure is not None and error.__cause__ is None:
        error.__cause__ = failure
    return col, error
