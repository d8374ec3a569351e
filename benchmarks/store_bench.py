"""Benchmark the records file of a cache entry: Arrow IPC (cache format 4) against Parquet (format 3).

    .venv/bin/python benchmarks/store_bench.py [--repeat 40]

For each of the five one-hour runs of ``history_bench.py`` (3,000-5,000
records), the records are written to bytes and read back to numpy columns
both ways, with the options each cache format uses: Parquet with lz4, no
dictionary, no statistics, no stored schema (format 3, the same-run
baseline) and Arrow IPC with lz4 on the calling thread (format 4). Prints the
CPU milliseconds, min / median of ``--repeat`` runs, the ratio and the sizes;
then the whole store of a cache entry (``runtwitch.io.cache.store``) and a
cache hit whose records are read (``load(...).records``), as the library does
them. The formats are compared on the same columns, taken from the imported
frame once.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

import runtwitch
from runtwitch.io import cache as cache_mod
from runtwitch.model.frames import frame_columns

sys.path.insert(0, str(Path(__file__).resolve().parent))
from history_bench import HISTORY_SEEDS as SEEDS  # sibling script, not a package

#: The options of each format's records file: Parquet as cache format 3 wrote it (the baseline),
#: Arrow IPC as runtwitch.io.cache writes it now.

PARQUET = {"compression": "lz4", "use_dictionary": False, "write_statistics": False, "store_schema": False}
IPC_WRITE = ipc.IpcWriteOptions(compression="lz4", use_threads=False)
IPC_READ = ipc.IpcReadOptions(use_threads=False)


def cpu_ms(fn: Callable[[], Any], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        out.append((time.process_time() - t0) * 1000)
    return out


def parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, **PARQUET)
    return bytes(sink.getvalue().to_pybytes())


def ipc_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with ipc.new_file(sink, table.schema, options=IPC_WRITE) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue().to_pybytes())


def parquet_read(data: bytes) -> list[Any]:
    return [c.to_numpy() for c in pq.ParquetFile(pa.BufferReader(data)).read(use_threads=False).columns]


def ipc_read(data: bytes) -> list[Any]:
    return [c.to_numpy() for c in ipc.open_file(pa.BufferReader(data), options=IPC_READ).read_all().columns]


def _mm(xs: list[float]) -> str:
    return f"{min(xs):5.2f} / {statistics.median(xs):5.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=40)
    ap.add_argument(
        "--corpus", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
    )
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    print("records file, CPU ms min / median; Parquet lz4 (format 3) -> Arrow IPC lz4 (format 4)")
    print(f"{'file':48s} {'records':>7s}  {'write':^27s} {'read':^27s} {'bytes per record':^16s}")
    for rel in SEEDS:
        act = runtwitch.read_activity(args.corpus / rel)
        table = pa.table({"__time_ns": act.records.index.asi8, **frame_columns(act.records)})
        pb, ib = parquet_bytes(table), ipc_bytes(table)
        pw, iw = (cpu_ms(partial(write, table), args.repeat) for write in (parquet_bytes, ipc_bytes))
        pr, ir = (cpu_ms(partial(read, data), args.repeat)
                  for read, data in ((parquet_read, pb), (ipc_read, ib)))
        n = len(act.records)
        print(f"{rel:48s} {n:7d}  {_mm(pw)} -> {_mm(iw)} {min(pw) / min(iw):4.1f}x  "
              f"{_mm(pr)} -> {_mm(ir)} {min(pr) / min(ir):4.1f}x  {len(pb) / n:5.1f} -> {len(ib) / n:5.1f}")
    print("\nthe library, CPU ms min / median: store (records file + entry JSON), load + read the records")
    with tempfile.TemporaryDirectory() as tmp:
        for k, rel in enumerate(SEEDS):
            act = runtwitch.read_activity(args.corpus / rel)
            folder = Path(tmp) / str(k)
            stores = cpu_ms(partial(_store_new, folder, act, itertools.count()), args.repeat)
            reads = cpu_ms(partial(_records_of_hit, folder, rel), args.repeat)
            print(f"{rel:48s} store {_mm(stores)}   load + records {_mm(reads)}")


def _store_new(folder: Path, act: runtwitch.Activity, keys: Iterator[int]) -> None:
    """Store ``act`` under a key not used before (an existing entry is not written again)."""
    cache_mod.store(folder, f"k{next(keys)}", act)


def _records_of_hit(folder: Path, source: str) -> int:
    hit = cache_mod.load(folder, "k0", source)
    assert hit is not None
    return len(hit.records)

if __name__ == "__main__":
    main()
