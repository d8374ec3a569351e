"""The archive client on recorded replies: what it asks for and how it reads the answer."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from runtwitch.errors import WeatherFetchError
from runtwitch.weather import OpenMeteoArchive
from runtwitch.weather.archive import parse_open_meteo, site_key
from tests.weather.recording import RECORDED, Recorded


def test_request_asks_for_utc_hours_in_si_units_with_limits() -> None:
    seen: list[tuple[float, int]] = []

    def transport(url: str, timeout_s: float, max_bytes: int) -> bytes:
        seen.append((timeout_s, max_bytes))
        return Recorded()(url, timeout_s, max_bytes)

    archive = OpenMeteoArchive(transport=transport, timeout_s=4.0, max_bytes=50_000)
    got = archive.hourly(43.65, -79.38, date(2026, 7, 4), date(2026, 7, 5))
    assert seen == [(4.0, 50_000)]
    url = archive.request_url(43.65, -79.38, date(2026, 7, 4), date(2026, 7, 5))
    assert url.startswith("https://archive-api.open-meteo.com/v1/archive?")
    for part in ("latitude=43.6500", "longitude=-79.3800", "start_date=2026-07-04", "end_date=2026-07-05",
                 "temperature_2m,relative_humidity_2m,dew_point_2m,wind_speed_10m", "wind_speed_unit=ms",
                 "timezone=GMT", "timeformat=unixtime"):
        assert part in url
    assert len(got.hours) == 48
    assert got.hours.index[0] == pd.Timestamp("2026-07-04T00:00Z")
    steps = got.hours.index.to_series().diff().dropna()
    assert got.hours.index.tz is not None and (steps == pd.Timedelta("1h")).all()
    assert got.station.id == "open-meteo:43.65,-79.38"
    assert (got.station.lat_deg, got.station.lon_deg, got.station.elevation_m) == (43.6, -79.4, 91.0)
    assert got.hours["air_temp_c"].between(19, 31).all() and got.hours["humidity_pct"].between(40, 85).all()


def test_hours_not_yet_in_the_archive_are_nan() -> None:
    body = (RECORDED / "open_meteo_43.65_-79.38_2026-07-06_2026-07-06.json").read_bytes()
    got = parse_open_meteo(body, 43.65, -79.38)
    assert len(got.hours) == 24 and got.hours.isna().all().all()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ((RECORDED / "open_meteo_error_out_of_range.json").read_bytes(), "refused the request: Parameter"),
        (b"<html>Bad gateway</html>", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"hourly": {"time": [0, 3600], "temperature_2m": [1.0]}}', "one value per hour"),
        (b'{"hourly": {"time": [0], "temperature_2m": [1.0]}, "hourly_units": {"temperature_2m": "K"}}',
         "came in 'K', a unit runtwitch does not know"),
        (b'{"latitude": 1}', "no hourly times"),
    ],
)
def test_bad_replies_are_fetch_errors_not_crashes(body: bytes, message: str) -> None:
    with pytest.raises(WeatherFetchError, match=message) as info:
        parse_open_meteo(body, 0.0, 0.0)
    assert info.value.network is False


def test_stated_units_are_converted() -> None:
    body = ('{"hourly": {"time": [0], "temperature_2m": [86.0], "wind_speed_10m": [18.0]}, '
            '"hourly_units": {"temperature_2m": "°F", "wind_speed_10m": "km/h"}}').encode()
    got = parse_open_meteo(body, 0.0, 0.0)
    assert got.hours["air_temp_c"].iloc[0] == pytest.approx(30.0)
    assert got.hours["wind_mps"].iloc[0] == pytest.approx(5.0)


def test_implausible_values_are_dropped() -> None:
    body = b'{"hourly": {"time": [0, 3600], "temperature_2m": [21.5, 999], "relative_humidity_2m": [50, -3]}}'
    got = parse_open_meteo(body, 0.0, 0.0)
    assert got.hours["air_temp_c"].tolist()[0] == 21.5 and np.isnan(got.hours["air_temp_c"].iloc[1])
    assert np.isnan(got.hours["humidity_pct"].iloc[1]) and got.hours["wind_mps"].isna().all()


def test_sites_snap_positions_to_about_a_kilometre() -> None:
    assert site_key(43.65321, -79.38317) == site_key(43.6519, -79.3849) == "43.65,-79.38"
    assert site_key(-0.001, 0.004) == "0.00,0.00"
