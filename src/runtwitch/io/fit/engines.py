"""The two FIT decoding engines: each fills a Collector and says where and why it stopped.

- :func:`decode_numpy` (the default): frame every message in one pass, decode
  records (``runtwitch.io.fit.bulk``) and stored heart rate
  (``runtwitch.io.fit.hr``) in bulk with numpy, the other messages one by one.
- :func:`decode_fitdecode` (the reference): fitdecode's streaming reader,
  message by message.
- :func:`decode_fitparse` (an optional extra, ``pip install runtwitch[fitparse]``):
  fitparse 1.2's reader, message by message, for users who rely on its
  behaviour; it knows an older FIT profile and cannot say where a file broke.

Each returns the collector and the runtwitch error for the damage found (or
None), with the byte offset; ``read_fit`` decides whether to raise or salvage.
"""

from __future__ import annotations

import bisect
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from runtwitch.errors import (
    ChecksumError,
    CorruptFileError,
    EngineUnavailableError,
    FileError,
    LimitExceededError,
    ParseError,
    TruncatedFileError,
)
from runtwitch.io.fit import adapter, bulk, frame, hr, rows
from runtwitch.io.fit.collect import READ_FIELDS, Collector
from runtwitch.io.fit.types import HR_MESG, RECORD_MESG, ROW_MESSAGES, FitFailure
from runtwitch.io.source import Errors
from runtwitch.model.activity import Damage, ImportReport


def decode_fitdecode(
    data: bytes, name: str, errors: Errors, report: ImportReport
) -> tuple[Collector, FileError | None]:
    """Stream the file through fitdecode, collecting the messages the importer uses."""
    col = Collector()

    def header() -> None:
        col.headers += 1

    run = adapter.read_reference(data, strict_crc=errors == "raise", max_messages=frame.MAX_FIT_MESSAGES,
                                 too_many=frame.too_many_messages, on_message=col.add, on_header=header)
    failure: FileError | None = None
    if run.failure is not None:
        failure = _failure_error(run.failure, name)
        failure.__cause__ = run.cause
    for w in run.warnings:
        if w.crc and report.damage is None:
            report.damage = Damage(w.offset, ChecksumError.__name__, f"CRC mismatch: {w.text}")
        else:
            report.warn(f"{name}: FIT decoder: {w.text}")
    return col, failure


#: Messages the collector reads more of than each name's first value (records by row: units
#: and developer indexes; hr: every field with its raw value): decoded whole, the others
#: with ``rows.decode_row(..., values=True)``.
WHOLE_MESSAGES = frozenset({RECORD_MESG, HR_MESG})


def _failure_error(exc: FitFailure, name: str) -> FileError:
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
    framed = frame.frame(data)
    col = Collector()
    col.headers = framed.headers
    # Message timestamps are needed only to expand compressed headers and to anchor
    # hr messages (the last timestamp before them); most files have neither.
    needs_stamps = bool(framed.compressed) or any(
        d.global_num == HR_MESG for d in framed.definitions)
    stamps = bulk.timestamp_index(data, framed) if needs_stamps else {}
    compressed = bulk.compressed_times(framed, stamps)
    records_by_row = any(d.global_num == RECORD_MESG and d.has_data and bulk.needs_rows(d)
                         for d in framed.definitions)
    # hr messages in bulk when every one can be (a swim can store thousands of them).
    hr_beats = hr.decode_hr(data, framed, stamps) if needs_stamps else None
    kinds = ROW_MESSAGES - ({HR_MESG} if hr_beats is not None else set())
    kinds |= {RECORD_MESG} if records_by_row else set()
    # Messages to decode one by one, and the definitions that reset accumulators, in file order.
    events: list[tuple[int, int, int, Any]] = [
        (seq, 0, file_index, (g, targets)) for seq, file_index, g, targets in framed.resets if g in kinds]
    for d in framed.definitions:
        if d.global_num in kinds:
            events.extend((s, 1, d.file_index, (d, off)) for s, off in zip(d.seqs, d.offsets, strict=True))
    events.sort(key=lambda e: (e[0], e[1]))
    ts_seqs = sorted(stamps)
    failure: FitFailure | None = framed.failure
    cut = framed.n_messages
    state = rows.RowState()
    current_file = -1
    for seq, kind, file_index, what in events:
        if file_index != current_file:
            state, current_file = rows.RowState(), file_index
        if kind == 0:
            state.reset(*what)
            continue
        d, off = what
        i = bisect.bisect_left(ts_seqs, seq) - 1
        file_start = framed.file_starts[file_index]
        state.last_ts = stamps[ts_seqs[i]] if i >= 0 and ts_seqs[i] >= file_start else 0
        try:
            msg = rows.decode_row(data, d, off, state, compressed.get(seq),
                                  values=d.global_num not in WHOLE_MESSAGES,
                                  only=None if d.mesg_type is None else READ_FIELDS.get(d.mesg_type.name))
        except Exception as exc:  # fitdecode stops at the same message
            failure = FitFailure("undecodable", off - 1, f"{type(exc).__name__}: {exc}")
            cut = seq
            col.headers = sum(1 for start in framed.file_starts if start <= cut)  # headers read so far
            break
        col.add(msg)
    if hr_beats is not None:
        col.hr_beats = hr_beats.before(cut)
    if not records_by_row:
        col.record_groups = bulk.decode_record_groups(data, framed, cut)
        col.compressed_ts = compressed
    for w in framed.warnings:
        report.warn(f"{name}: FIT decoder: {w}")
    error = None if failure is None else _failure_error(failure, name)
    if framed.crc_problem is not None:
        off, why = framed.crc_problem
        if errors == "raise":
            if error is None or (error.offset is not None and off < error.offset):
                error = ChecksumError(name, f"CRC mismatch: {why}", offset=off)
                error.__cause__ = FitFailure("crc", off, why)
        else:
            report.damage = Damage(off, ChecksumError.__name__, f"CRC mismatch: {why}")
    if error is not None and failure is not None and error.__cause__ is None:
        error.__cause__ = failure
    return col, error


def _fitparse_message(msg: Any) -> SimpleNamespace:
    """A fitparse message in the shape the collector reads (as fitdecode's): UTC-aware times."""
    fields = []
    for f in msg.fields:
        value = f.value
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)  # fitparse gives FIT times as naive UTC
        fdef = f.field_def
        dev_index = getattr(fdef, "dev_data_index", None)
        fields.append(SimpleNamespace(
            name=f.name, value=value, raw_value=f.raw_value, units=f.units,
            field_def=SimpleNamespace(is_dev=dev_index is not None, dev_data_index=dev_index)))
    return SimpleNamespace(name=msg.name, fields=fields)


def decode_fitparse(
    data: bytes, name: str, errors: Errors, report: ImportReport
) -> tuple[Collector, FileError | None]:
    """Read the file with fitparse (optional extra), collecting the messages the importer uses.

    fitparse stops at the first fault without saying at which byte: the
    failure has no offset, and a salvaged file keeps the messages read before
    it. A checksum mismatch is found after the last message.

    Raises
    ------
    EngineUnavailableError
        fitparse is not installed.
    """
    try:
        import fitparse  # optional extra, imported only when asked for
        import fitparse.utils
    except ImportError as exc:
        raise EngineUnavailableError("fitparse") from exc
    col = Collector()
    col.headers = frame.frame(data).headers  # fitparse does not count a chained file's headers
    failure: FileError | None = None
    try:
        reader = fitparse.FitFile(data, check_crc=True)
        for count, msg in enumerate(reader.get_messages()):
            if count >= frame.MAX_FIT_MESSAGES:
                failure = _failure_error(frame.too_many_messages(None), name)
                break
            col.add(_fitparse_message(msg))
    except fitparse.utils.FitCRCError as exc:
        if errors == "raise":
            failure = ChecksumError(name, f"CRC mismatch (fitparse: {exc})")
        else:
            report.damage = Damage(None, ChecksumError.__name__, f"CRC mismatch (fitparse: {exc})")
    except fitparse.utils.FitEOFError as exc:
        failure = TruncatedFileError(name, f"file ends early (fitparse: {exc})")
    except Exception as exc:  # fitparse raises its own and plain errors on bad data
        failure = CorruptFileError(name, f"undecodable FIT data (fitparse: {type(exc).__name__}: {exc})")
    return col, failure
