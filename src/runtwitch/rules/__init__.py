"""The cause engine: safety gates, red flags, rules (as data), personal patterns and ``explain``."""

from runtwitch.rules.base import GRADE_MEANING, Assessment, Context, Evidence, Rule, Threshold
from runtwitch.rules.causes import RULES
from runtwitch.rules.explain import DISCLAIMER, Explanation, explain
from runtwitch.rules.flags import FLAGS
from runtwitch.rules.medications import (
    MEDICATION_CLASSES,
    MedicationClass,
    load_medication_classes,
    read_medications,
    register_medication_class,
)
from runtwitch.rules.safety import GATES, Gate
from runtwitch.rules.score import LIKELY_SHARE, POSSIBLE_SHARE, verdict

__all__ = [
    "DISCLAIMER",
    "FLAGS",
    "GATES",
    "GRADE_MEANING",
    "LIKELY_SHARE",
    "MEDICATION_CLASSES",
    "POSSIBLE_SHARE",
    "RULES",
    "Assessment",
    "Context",
    "Evidence",
    "Explanation",
    "Gate",
    "MedicationClass",
    "Rule",
    "Threshold",
    "explain",
    "load_medication_classes",
    "read_medications",
    "register_medication_class",
    "verdict",
]
