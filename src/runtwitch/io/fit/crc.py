"""The FIT checksum (CRC-16/ARC: reflected polynomial 0xA001, initial value 0).

:func:`crc16` is the checksum the reader uses: fastcrc's ``crc16.arc`` (Rust,
wheels for CPython 3.11+ on Linux, macOS and Windows), about 0.02 ms for a
150 KB file where the numpy method below takes about 0.8 ms (see
``docs/formats.md``, FIT, "Speed"). :func:`crc16_numpy` stays the reference
that the tests hold it to (every corpus file's header and body, random data of
many lengths, ``tests/io/fit/test_fitnumpy.py``).

The numpy method: a byte-at-a-time CRC loop in Python costs about a second per megabyte. CRC is
linear over GF(2), so the data is cut into equal blocks whose CRCs are computed
side by side with numpy (one table look-up per byte *column*), then folded
together: ``crc(A + B) = advance(crc(A), len(B)) ^ crc(B)``, where ``advance``
(the effect of ``len(B)`` zero bytes) is itself linear and so two 256-entry
tables. Leading zero bytes leave a zero CRC unchanged, which lets the first
block be padded. The result equals the FIT SDK's nibble-table ``FitCRC_Get16``
(checked against fitdecode's implementation in ``tests/io/fit/test_fitnumpy.py``).
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
from fastcrc import crc16 as _fastcrc16


def _table() -> np.ndarray:
    t = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        t = np.where(t & 1, (t >> 1) ^ 0xA001, t >> 1)
    return t.astype(np.uint16)


TABLE = _table()
#: Below this size the plain loop is as fast as the vectorised method [bytes].
SMALL = 256


def crc16_loop(data: bytes | memoryview, crc: int = 0) -> int:
    """Reference byte-by-byte CRC (for small inputs)."""
    t = TABLE
    for b in bytes(data):
        crc = (crc >> 8) ^ int(t[(crc ^ b) & 0xFF])
    return crc


@cache
def _advance_tables(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Tables giving the CRC after ``n`` zero bytes, for the low and the high byte of a CRC."""
    c = np.concatenate([np.arange(256), np.arange(256) << 8]).astype(np.uint16)
    for _ in range(n):
        c = (c >> 8) ^ TABLE[c & 0xFF]
    return c[:256].copy(), c[256:].copy()


@cache
def _two_byte_table() -> np.ndarray:
    """CRC state after two zero bytes, for every 16-bit state (slicing by two bytes)."""
    c = np.arange(65536, dtype=np.uint32).astype(np.uint16)
    for _ in range(2):
        c = (c >> 8) ^ TABLE[c & 0xFF]
    return c


def crc16(data: bytes | memoryview) -> int:
    """CRC-16 of ``data`` as the FIT protocol defines it (initial value 0)."""
    return _fastcrc16.arc(data)


def crc16_numpy(data: bytes | memoryview) -> int:
    """CRC-16 of ``data`` with numpy blocks: the reference :func:`crc16` is tested against."""
    n = len(data)
    if n <= SMALL:
        return crc16_loop(data)
    # Blocks of an even number of bytes, read two bytes at a time: XOR-ing a
    # little-endian 16-bit word into the state and stepping two zero bytes is
    # the same as stepping over the two bytes.
    block = max(64, 1 << int(math.log2(math.sqrt(n) / 2)))
    nblocks = -(-n // block)
    arr = np.zeros(nblocks * block, dtype=np.uint8)
    arr[nblocks * block - n:] = np.frombuffer(data, dtype=np.uint8)
    words = arr.view("<u2").reshape(nblocks, block // 2).T.copy()
    t2 = _two_byte_table()
    c = np.zeros(nblocks, dtype=np.uint16)
    for w in words:
        c = t2[c ^ w]
    lo_t, hi_t = _advance_tables(block)
    lo, hi = lo_t.tolist(), hi_t.tolist()
    total = 0
    for v in c.tolist():
        total = lo[total & 0xFF] ^ hi[total >> 8] ^ v
    return total
