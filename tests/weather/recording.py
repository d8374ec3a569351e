"""A network layer for the tests: recorded archive replies, or a failure, and a log of the calls."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from runtwitch.errors import WeatherFetchError

RECORDED = Path(__file__).resolve().parent / "recorded"


class Recorded:
    """Answers each request from ``recorded/open_meteo_<site>_<start>_<end>.json``; logs the URLs.

    A request for days inside a recorded span gets those days of it, as the
    archive would answer; a request nothing covers gets the archive's
    out-of-range error reply.
    """

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, url: str, timeout_s: float, max_bytes: int) -> bytes:
        self.urls.append(url)
        q = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        site = f"{float(q['latitude']):.2f}_{float(q['longitude']):.2f}"
        first, last = date.fromisoformat(q["start_date"]), date.fromisoformat(q["end_date"])
        for path in sorted(RECORDED.glob(f"open_meteo_{site}_*.json")):
            a, b = (date.fromisoformat(x) for x in path.stem.rsplit("_", 2)[1:])
            if a <= first and last <= b:
                return _days(path, first, last)
        return (RECORDED / "open_meteo_error_out_of_range.json").read_bytes()

    def queries(self) -> list[dict[str, str]]:
        return [{k: v[0] for k, v in parse_qs(urlsplit(u).query).items()} for u in self.urls]


def _days(path: Path, first: date, last: date) -> bytes:
    doc = json.loads(path.read_bytes())
    lo = datetime.combine(first, time(), UTC).timestamp()
    hi = datetime.combine(last, time(23), UTC).timestamp()
    keep = [k for k, t in enumerate(doc["hourly"]["time"]) if lo <= t <= hi]
    doc["hourly"] = {name: [values[k] for k in keep] for name, values in doc["hourly"].items()}
    return json.dumps(doc).encode("utf-8")


class Down:
    """A network that times out on every request; counts the calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, url: str, timeout_s: float, max_bytes: int) -> bytes:
        self.calls += 1
        raise WeatherFetchError(f"archive-api.example timed out after {timeout_s:g} s", network=True)
