"""The evidence sentences name where the air was measured."""

from __future__ import annotations

import pandas as pd

from runtwitch.rules.base import Context
from runtwitch.rules.causes import RULES


def heat_sentence(**run: object) -> str:
    """The dehydration cause's heat line for a 90-minute run at high heat risk."""
    row = pd.Series({"timer_s": 5400.0, "heat_risk": "high", "wbgt_c": 27.0, **run})
    ctx = Context(pd.Series({"episode_id": "E1"}), row, None, pd.DataFrame(), pd.DataFrame([row]))
    rule = next(r for r in RULES if r.id == "dehydration")
    heat = next(f for f in rule.factors if f.id == "heat")
    return heat.says(ctx, rule.values())


def test_archive_weather_is_named_with_its_distance() -> None:
    line = heat_sentence(air_temp_c=29.2, humidity_pct=70.4, heat_source="archive", humidity_source="archive",
                         weather_distance_km=4.2)
    assert line == ("Heat risk was high (WBGT about 27 °C, from 29 °C and 70 % humidity at the nearest "
                    "archive grid point, 4 km away) over 1 h 30 min; your fluid loss was not measured.")


def test_mixed_sources_and_the_device() -> None:
    line = heat_sentence(air_temp_c=31.0, humidity_pct=60.0, heat_source="diary", humidity_source="table",
                         weather_station="Park", weather_distance_km=0.3)
    assert "from 31 °C as logged in your diary, and 60 % humidity at Park, under 1 km away)" in line
    line = heat_sentence(air_temp_c=24.0, heat_source="device (wrist sensor minus 5.0 °C, assumed; "
                         "low confidence)", humidity_source="none")
    assert line.startswith("Heat risk was high (WBGT about 27 °C) over 1 h 30 min")
