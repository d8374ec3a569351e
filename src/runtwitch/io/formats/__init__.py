"""Further activity formats, one module each, registered through the public importer API.

Each module reads one format (or one family sharing a vocabulary) into the
canonical :class:`~runtwitch.Activity` with :func:`runtwitch.activity_from_samples`,
the same way a third-party plugin would (``docs/extending.md``). :data:`IMPORTERS`
lists them; :func:`register_all` adds them with :func:`runtwitch.register`.
"""

from __future__ import annotations

import contextlib

from runtwitch.io.formats._common import reader_importer
from runtwitch.io.formats.hrm import HrmImporter, read_hrm
from runtwitch.io.formats.sml import moveslink_head, read_moveslink_xml, read_sml
from runtwitch.io.formats.suunto_json import read_suunto_json, suunto_json_head
from runtwitch.io.registry import Importer, register

#: The importers of this package, in sniffing order.
IMPORTERS: tuple[Importer, ...] = (
    reader_importer("sml", read_sml, suffixes=(".sml",), markers=(b"<sml",)),
    HrmImporter(),
    reader_importer("suunto_json", read_suunto_json, sniff=suunto_json_head, sniff_suffixes=(".json",)),
    reader_importer("suunto_xml", read_moveslink_xml, sniff=moveslink_head, sniff_suffixes=(".xml",)),
)


def register_all() -> None:
    """Register every importer of this package that is not registered yet."""
    for imp in IMPORTERS:
        with contextlib.suppress(ValueError):  # already registered
            register(imp)


__all__ = ["IMPORTERS", "read_moveslink_xml", "read_hrm", "read_sml", "read_suunto_json", "register_all"]
