"""Importers: one module per format, plus the registry that picks among them."""

from runtwitch.io._build import activity_from_samples
from runtwitch.io.batch import ImportResult, read_activities
from runtwitch.io.fit import read_fit
from runtwitch.io.gpx import read_gpx
from runtwitch.io.registry import (
    FunctionImporter,
    Importer,
    find_importer,
    importers,
    read_activity,
    register,
    unregister,
)
from runtwitch.io.tcx import read_tcx

register(FunctionImporter("fit", (".fit",), read_fit, signature=b".FIT", signature_offset=8))
register(FunctionImporter("gpx", (".gpx",), read_gpx, markers=(b"<gpx",)))
register(FunctionImporter("tcx", (".tcx",), read_tcx, markers=(b"<TrainingCenterDatabase",)))

from runtwitch.io import formats as _formats  # noqa: E402  (needs activity_from_samples above)

_formats.register_all()

__all__ = [
    "FunctionImporter",
    "ImportResult",
    "Importer",
    "activity_from_samples",
    "find_importer",
    "importers",
    "read_activities",
    "read_activity",
    "read_fit",
    "read_gpx",
    "read_tcx",
    "register",
    "unregister",
]
