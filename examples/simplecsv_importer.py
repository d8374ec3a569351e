"""An example importer plugin: a simple CSV export (time, heart rate, speed, distance).

The format, as a hypothetical watch app writes it::

    time,hr,speed_kmh,distance_km
    2026-05-01T06:30:00Z,112,0.0,0.000
    2026-05-01T06:30:05Z,118,9.8,0.013

Register it for a session with ``runtwitch.register(SimpleCsvImporter())``, or
ship it in a package with an entry point (see docs/extending.md). It uses
public names only: ``runtwitch`` itself and ``runtwitch.io.source``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pandas as pd

import runtwitch
from runtwitch.io.source import Errors, Source, check_errors, load

HEADER = b"time,hr,speed_kmh,distance_km"
NUMBERS = ("hr", "speed_kmh", "distance_km")


class SimpleCsvImporter:
    """Reads the simple CSV export into a canonical Activity."""

    name = "simplecsv"
    suffixes: Sequence[str] = (".rtcsv",)

    def sniff(self, head: bytes) -> bool:
        return head.lstrip(b"\xef\xbb\xbf").startswith(HEADER)

    def read(self, source: Source, *, errors: Errors = "salvage") -> runtwitch.Activity:
        """Read the export; ``errors="raise"`` refuses a cell that is not a number, the other
        modes leave it missing (the cleaning rules then count what they drop or repair)."""
        errors = check_errors(errors)
        loaded = load(source)  # size limits and gzip, like the built-in importers
        name = loaded.name
        try:
            table = pd.read_csv(io.BytesIO(loaded.data), encoding="utf-8-sig", dtype=str)
        except (ValueError, UnicodeDecodeError) as exc:
            raise runtwitch.ParseError(name, f"not a readable CSV: {exc}") from exc
        missing = {"time", *NUMBERS} - set(table.columns)
        if missing:
            raise runtwitch.ParseError(name, f"missing columns {sorted(missing)}; expected {HEADER.decode()}",
                                       line=1)
        values = {c: pd.to_numeric(table[c], errors="coerce") for c in NUMBERS}
        if errors == "raise":
            for c in NUMBERS:
                bad = values[c].isna() & table[c].notna()
                if bad.any():
                    row = int(bad.to_numpy().argmax())
                    raise runtwitch.CorruptFileError(
                        name, f"column {c!r}: {table[c].iloc[row]!r} is not a number", line=row + 2)
        samples = pd.DataFrame({
            "time": table["time"],
            "heart_rate_bpm": values["hr"],
            "speed_mps": values["speed_kmh"] / 3.6,
            "distance_m": values["distance_km"] * 1000.0,
        })
        return runtwitch.activity_from_samples(samples, source=name, format=self.name, sport="running")
