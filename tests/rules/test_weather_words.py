"""The evidence sentences name where the air was measured."""

from __future__ import annotations

import pandas as pd

from runtwitch.rules.base import Context
from runtwitch.rules.causes import RULES


def dehydration_evidence(**run: object) -> list[str]:
    row = pd.Series({"timer_s": 5400.0, "sweat_loss_l": 2.0, "sweat_source": "predicted (heat balance)",
                     "fluid_during_l": 0.2, "heat_risk": "high", "wbgt_c": 27.0, **run})
    ctx = Context(pd.Series({"episode_id": "E1"}), row, None, pd.DataFrame(), pd.DataFrame([row]))
    rule = next(r for r in RULES if r.id == "dehydration")
    return [e.text for e in rule.assess(ctx, rule.values()).evidence]


def test_archive_weather_is_named_with_its_distance() -> None:
    ev = dehydration_evidence(air_temp_c=29.2, humidity_pct=70.4, heat_source="archive",
                              humidity_source="archive", weather_distance_km=4.2)
    assert ev[0] == ("1 h 30 min in 29 °C and 70 % humidity at the nearest archive grid point, 4 km away; "
                     "you drank 0.2 L against about 2 L of estimated sweat loss.")
    assert ev[1] == ("Heat risk was high (WBGT about 27 °C, from 29 °C and 70 % humidity at the nearest "
                     "archive grid point, 4 km away).")


def test_mixed_sources_and_the_device() -> None:
    ev = dehydration_evidence(air_temp_c=31.0, humidity_pct=60.0, heat_source="diary",
                              humidity_source="table", weather_station="Park", weather_distance_km=0.3)
    assert "in 31 °C as logged in your diary, and 60 % humidity at Park, under 1 km away;" in ev[0]
    ev = dehydration_evidence(air_temp_c=24.0, heat_source="device (wrist sensor minus 5.0 °C, assumed; "
                              "low confidence)", humidity_source="none")
    assert ev[0].startswith("1 h 30 min; you drank") and ev[1] == "Heat risk was high (WBGT about 27 °C)."
