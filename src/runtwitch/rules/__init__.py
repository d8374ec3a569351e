"""The cause engine: rules (as data), red flags, personal patterns and ``explain``."""

from runtwitch.rules.base import GRADE_MEANING, Assessment, Context, Evidence, Rule, Threshold
from runtwitch.rules.causes import RULES
from runtwitch.rules.explain import DISCLAIMER, Explanation, explain
from runtwitch.rules.flags import FLAGS
from runtwitch.rules.medications import MEDICATION_CLASSES, MedicationClass, register_medication_class

__all__ = [
    "DISCLAIMER",
    "FLAGS",
    "GRADE_MEANING",
    "MEDICATION_CLASSES",
    "RULES",
    "Assessment",
    "Context",
    "Evidence",
    "Explanation",
    "MedicationClass",
    "Rule",
    "Threshold",
    "explain",
    "register_medication_class",
]
