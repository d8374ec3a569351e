"""Safe, tolerant XML parsing for importers (GPX, TCX and XML formats of plugins).

Public: :func:`parse` and the element helpers (:func:`local`,
:func:`children`, :func:`child`, :func:`descendants`, :func:`text`), which
match elements by local name whatever the namespace or prefix.

Safety: defusedxml refuses DTD entity declarations (billion laughs) and
external entities/references (:class:`~runtwitch.errors.UnsafeXMLError`).
Tolerance: a UTF-8 BOM, whitespace before the XML declaration and namespace
prefixes used without a declaration (seen in Strava Android exports:
``gpxdata:``) are repaired, and each repair is reported; with
``errors="raise"`` only the BOM is removed and anything else that is not
well-formed as written is refused.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import defusedxml
import defusedxml.ElementTree as DET

from runtwitch.errors import ParseError, UnsafeXMLError
from runtwitch.io.source import Errors, check_errors
from runtwitch.model.activity import ImportReport

__all__ = ["UnsafeXMLError", "child", "children", "descendants", "local", "parse", "text"]

_BOMS = (b"\xef\xbb\xbf",)
_PREFIX_USE = re.compile(rb"</?([A-Za-z_][\w.-]*):[A-Za-z_]")
_PREFIX_ATTR_USE = re.compile(rb"\s([A-Za-z_][\w.-]*):[A-Za-z_][\w.-]*\s*=")
_PREFIX_DECL = re.compile(rb"xmlns:([A-Za-z_][\w.-]*)\s*=")
_ROOT_TAG = re.compile(rb"<(?![?!])[^>]*?(/?)>", re.S)


def local(tag: str) -> str:
    """Local name of an ElementTree tag (``{ns}name`` or ``prefix:name`` -> ``name``)."""
    if tag.startswith("{"):
        return tag.rsplit("}", 1)[1]
    return tag.rsplit(":", 1)[-1]


def children(el: ET.Element, name: str) -> Iterator[ET.Element]:
    """Direct children with local name ``name``."""
    return (c for c in el if local(c.tag) == name)


def child(el: ET.Element, name: str) -> ET.Element | None:
    """First direct child with local name ``name``."""
    return next(children(el, name), None)


def descendants(el: ET.Element, name: str) -> Iterator[ET.Element]:
    """All descendants with local name ``name``."""
    return (c for c in el.iter() if local(c.tag) == name)


def text(el: ET.Element | None) -> str | None:
    """Stripped text of an element, None if absent or empty."""
    if el is None or el.text is None:
        return None
    t = el.text.strip()
    return t or None


def _declare_missing_prefixes(data: bytes) -> tuple[bytes, list[str]]:
    used = set(_PREFIX_USE.findall(data)) | set(_PREFIX_ATTR_USE.findall(data))
    used -= {b"xml", b"xmlns"}
    declared = set(_PREFIX_DECL.findall(data))
    missing = sorted(used - declared)
    if not missing:
        return data, []
    m = _ROOT_TAG.search(data)
    if m is None:
        return data, []
    decl = b"".join(b' xmlns:%s="urn:runtwitch:undeclared:%s"' % (p, p) for p in missing)
    insert_at = m.end() - 1 - len(m.group(1))
    return data[:insert_at] + decl + data[insert_at:], [p.decode() for p in missing]


def parse(data: bytes, name: str, report: ImportReport, *, errors: Errors = "salvage") -> ET.Element:
    """Parse XML bytes safely and return the root element.

    Parameters
    ----------
    data
        The document (as :func:`runtwitch.io.source.load` returns it).
    name
        The file name, for messages.
    report
        Counts the repairs (``xml_*``) and keeps the warnings.
    errors
        ``"raise"``: the document must be well-formed as written (a byte
        order mark is not a fault); ``"warn"`` and ``"salvage"``: whitespace
        before the XML declaration and undeclared namespace prefixes are
        repaired, counted and (prefixes) warned about.

    Raises
    ------
    UnsafeXMLError
        Entity declarations or external references (refused, never expanded).
    ParseError
        Not well-formed XML even after the documented repairs; the message
        gives line and column.
    """
    for bom in _BOMS:
        if data.startswith(bom):
            data = data[len(bom):]
            report.repair("xml_byte_order_mark_removed", 1)
    if check_errors(errors) != "raise":
        data = _repair(data, name, report)
    try:
        root: ET.Element = DET.fromstring(data, forbid_dtd=False, forbid_entities=True,
                                          forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise UnsafeXMLError(
            name, f"refused unsafe XML ({type(exc).__name__}): entity declarations and external "
            "references are never expanded"
        ) from exc
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        raise ParseError(name, f"not well-formed XML: {exc}", line=line, column=column) from exc
    except LookupError as exc:  # the XML declaration names an encoding Python does not know
        raise ParseError(name, f"the XML declaration names an unknown encoding ({exc}); expected UTF-8",
                         line=1) from exc
    return root


def _repair(data: bytes, name: str, report: ImportReport) -> bytes:
    """Whitespace before the declaration removed, undeclared prefixes declared; each counted."""
    stripped = data.lstrip()
    if len(stripped) != len(data):
        report.repair("xml_leading_whitespace_removed", 1)
        data = stripped
    data, declared = _declare_missing_prefixes(data)
    if declared:
        report.repair("xml_undeclared_prefix_declared", len(declared))
        report.warn(f"{name}: namespace prefixes used without declaration: {', '.join(declared)}")
    return data
