"""The canonical model: what every importer produces, whatever the file format.

``activity`` (the ``Activity`` and its import report), ``schema`` (columns,
units, valid ranges), ``assembly`` (the cleaning rules and clocks that turn
decoded samples into canonical frames) and ``athlete`` (the runner's profile).
"""

from runtwitch.model.activity import Activity, ActivityMeta, Damage, ImportReport
from runtwitch.model.assembly import activity_from_samples
from runtwitch.model.athlete import Athlete
from runtwitch.model.schema import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "Activity", "ActivityMeta", "Athlete", "Damage", "ImportReport",
           "activity_from_samples"]
