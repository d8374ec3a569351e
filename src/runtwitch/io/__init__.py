"""Files -> canonical model: one reader per format, the registry that picks among them, batches.

Importer authors build on the public modules ``source`` (paths and buffers,
limits, the ``errors=`` modes) and ``xml`` (safe XML), and on
:func:`runtwitch.activity_from_samples`; see ``docs/extending.md``.
"""

from runtwitch.io import formats as _formats
from runtwitch.io.batch import ImportResult, read_activities
from runtwitch.io.fit import read_fit
from runtwitch.io.gpx import read_gpx
from runtwitch.io.registry import (
    FunctionImporter,
    Importer,
    find_importer,
    importer_named,
    importers,
    read_activity,
    register,
    unregister,
)
from runtwitch.io.tcx import read_tcx
from runtwitch.model.assembly import activity_from_samples

# The further formats join the table through the public register(), as a plugin would.
_formats.register_all()

__all__ = [
    "FunctionImporter",
    "ImportResult",
    "Importer",
    "activity_from_samples",
    "find_importer",
    "importer_named",
    "importers",
    "read_activities",
    "read_activity",
    "read_fit",
    "read_gpx",
    "read_tcx",
    "register",
    "unregister",
]
