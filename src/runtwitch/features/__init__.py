"""Features: the per-run and per-day tables built from a linked Season (columns in ``columns``)."""

from runtwitch.features.cooldown import Cooldown, detect_cooldown
from runtwitch.features.daily import daily_features
from runtwitch.features.runs import run_features

__all__ = ["Cooldown", "daily_features", "detect_cooldown", "run_features"]
