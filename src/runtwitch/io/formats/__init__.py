"""Further activity formats, one module each, registered through the public importer API.

Each module reads one format (or one family sharing a vocabulary) into the
canonical :class:`~runtwitch.Activity` with :func:`runtwitch.activity_from_samples`,
the same way a third-party plugin would (``docs/extending.md``). :data:`IMPORTERS`
lists them; :func:`register_all` adds them with :func:`runtwitch.register`.
"""

from __future__ import annotations

import contextlib

from runtwitch.io.formats._common import reader_importer
from runtwitch.io.formats.gcjson import gcjson_head, read_gcjson
from runtwitch.io.formats.hrm import HrmImporter, read_hrm
from runtwitch.io.formats.kml import read_kml
from runtwitch.io.formats.polar_xml import polar_xml_head, read_polar_xml
from runtwitch.io.formats.pwx import read_pwx
from runtwitch.io.formats.sml import moveslink_head, read_moveslink_xml, read_sml
from runtwitch.io.formats.suunto_json import read_suunto_json, suunto_json_head
from runtwitch.io.formats.wahoo_csv import read_wahoo_csv, wahoo_head
from runtwitch.io.registry import Importer, register

#: The importers of this package, in sniffing order.
IMPORTERS: tuple[Importer, ...] = (
    reader_importer("sml", read_sml, suffixes=(".sml",), markers=(b"<sml",)),
    HrmImporter(),
    reader_importer("gcjson", read_gcjson, sniff=gcjson_head, sniff_suffixes=(".json",)),
    reader_importer("kml", read_kml, suffixes=(".kml", ".kmz"), markers=(b"<kml",)),
    reader_importer("pwx", read_pwx, suffixes=(".pwx",), markers=(b"<pwx",)),
    reader_importer("suunto_json", read_suunto_json, sniff=suunto_json_head, sniff_suffixes=(".json",)),
    reader_importer("suunto_xml", read_moveslink_xml, sniff=moveslink_head, sniff_suffixes=(".xml",)),
    reader_importer("polar_xml", read_polar_xml, sniff=polar_xml_head, sniff_suffixes=(".xml",)),
    reader_importer("wahoo_csv", read_wahoo_csv, sniff=wahoo_head, sniff_suffixes=(".csv",)),
)


def register_all() -> None:
    """Register every importer of this package that is not registered yet."""
    for imp in IMPORTERS:
        with contextlib.suppress(ValueError):  # already registered
            register(imp)


__all__ = [
    "IMPORTERS",
    "read_gcjson",
    "read_hrm",
    "read_kml",
    "read_moveslink_xml",
    "read_polar_xml",
    "read_pwx",
    "read_sml",
    "read_suunto_json",
    "read_wahoo_csv",
    "register_all",
]
