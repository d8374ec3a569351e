"""Deterministic mutation of real files for fuzzing the importers.

Each mutator takes bytes and a ``random.Random`` and returns new bytes. They
cover bit flips, truncation (anywhere, and at message/line boundaries), byte
insertions and deletions, swapped chunks, random headers and repeated chunks.
"""

from __future__ import annotations

import random
from collections.abc import Callable

Mutator = Callable[[bytes, random.Random], bytes]


def bit_flips(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(b))
        b[i] ^= 1 << rng.randrange(8)
    return bytes(b)


def byte_set(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        b[rng.randrange(len(b))] = rng.choice((0x00, 0xFF, 0x7F, 0x80, 0x40, 0x0E, 0x3C, 0x26))
    return bytes(b)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data))]


def truncate_at_boundary(data: bytes, rng: random.Random) -> bytes:
    marks = [i for i, c in enumerate(data[:200_000]) if c in (0x40, 0x0A, 0x3C, 0x3E)] or [len(data) // 2]
    return data[: rng.choice(marks)]


def insert(data: bytes, rng: random.Random) -> bytes:
    i = rng.randrange(len(data) + 1)
    return data[:i] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 16))) + data[i:]


def delete(data: bytes, rng: random.Random) -> bytes:
    i = rng.randrange(len(data))
    return data[:i] + data[i + rng.randint(1, 32) :]


def swap_chunks(data: bytes, rng: random.Random) -> bytes:
    if len(data) < 8:
        return data[::-1]
    n = rng.randint(1, max(1, len(data) // 8))
    a, b = sorted(rng.randrange(len(data) - n) for _ in range(2))
    if b < a + n:
        return data
    return data[:a] + data[b : b + n] + data[a + n : b] + data[a : a + n] + data[b + n :]


def duplicate_chunk(data: bytes, rng: random.Random) -> bytes:
    i = rng.randrange(len(data))
    j = min(len(data), i + rng.randint(1, 512))
    return data[:j] + data[i:j] * rng.randint(1, 4) + data[j:]


def random_header(data: bytes, rng: random.Random) -> bytes:
    n = rng.choice((1, 2, 4, 12, 14, 16))
    return bytes(rng.randrange(256) for _ in range(n)) + data[n:]


MUTATORS: tuple[Mutator, ...] = (
    bit_flips,
    byte_set,
    truncate,
    truncate_at_boundary,
    insert,
    delete,
    swap_chunks,
    duplicate_chunk,
    random_header,
)


def mutations(data: bytes, n: int, seed: int) -> list[tuple[str, bytes]]:
    """``n`` mutated versions of ``data`` (name of the mutator, bytes), reproducible from ``seed``."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        m = rng.choice(MUTATORS)
        mutated = m(data, rng) if data else b""
        if rng.random() < 0.2:  # sometimes stack a second mutation
            m2 = rng.choice(MUTATORS)
            mutated = m2(mutated, rng) if mutated else mutated
        out.append((m.__name__, mutated))
    return out
