"""An example importer plugin: a simple CSV export (time, heart rate, speed, distance).

The format, as a hypothetical watch app writes it::

    time,hr,speed_kmh,distance_km
    2026-05-01T06:30:00Z,112,0.0,0.000
    2026-05-01T06:30:05Z,118,9.8,0.013

Register it for a session with ``runtwitch.register(SimpleCsvImporter())``, or
ship it in a package with an entry point (see docs/extending.md).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pandas as pd

import runtwitch
from runtwitch.io.source import Source, load, source_name

HEADER = b"time,hr,speed_kmh,distance_km"


class SimpleCsvImporter:
    """Reads the simple CSV export into a canonical Activity."""

    name = "simplecsv"
    suffixes: Sequence[str] = (".rtcsv",)

    def sniff(self, head: bytes) -> bool:
        return head.lstrip(b"\xef\xbb\xbf").startswith(HEADER)

    def read(self, source: Source, *, errors: str = "salvage") -> runtwitch.Activity:
        loaded = load(source)
        name = source_name(source)
        try:
            table = pd.read_csv(io.BytesIO(loaded.data), encoding="utf-8-sig")
        except (ValueError, UnicodeDecodeError) as exc:
            raise runtwitch.ParseError(name, f"not a readable CSV: {exc}") from exc
        missing = {"time", "hr", "speed_kmh", "distance_km"} - set(table.columns)
        if missing:
            raise runtwitch.ParseError(name, f"missing columns {sorted(missing)}; expected {HEADER.decode()}",
                                       line=1)
        samples = pd.DataFrame({
            "time": table["time"],
            "heart_rate_bpm": pd.to_numeric(table["hr"], errors="coerce"),
            "speed_mps": pd.to_numeric(table["speed_kmh"], errors="coerce") / 3.6,
            "distance_m": pd.to_numeric(table["distance_km"], errors="coerce") * 1000.0,
        })
        return runtwitch.activity_from_samples(samples, source=name, format=self.name, sport="running")
