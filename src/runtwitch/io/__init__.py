"""Importers: one module per format, plus the registry that picks among them."""

from runtwitch.io.fit import read_fit
from runtwitch.io.registry import (
    FunctionImporter,
    Importer,
    find_importer,
    importers,
    read_activity,
    register,
    unregister,
)

register(FunctionImporter("fit", (".fit",), read_fit, signature=b".FIT", signature_offset=8))

__all__ = [
    "FunctionImporter",
    "Importer",
    "find_importer",
    "importers",
    "read_activity",
    "read_fit",
    "register",
    "unregister",
]
