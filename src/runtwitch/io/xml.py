"""Safe, tolerant XML parsing for importers (GPX, TCX and XML formats of plugins).

Public: :func:`parse` (an ElementTree root, for the further XML formats),
:func:`parse_lxml` (an lxml root, for GPX and TCX: the same checks and
repairs, parsed in C) and the element helpers (:func:`local`,
:func:`children`, :func:`child`, :func:`descendants`, :func:`text`), which
match elements by local name whatever the namespace or prefix.

Safety: DTD entity declarations (billion laughs) and external
entities/references are refused (:class:`~runtwitch.errors.UnsafeXMLError`):
by defusedxml in :func:`parse`; in :func:`parse_lxml` by refusing any
``<!ENTITY`` in a document with a ``<!DOCTYPE`` before libxml2 sees it, with
a parser that resolves no entity, loads no DTD, uses no network and keeps
libxml2's size limits (``huge_tree`` off).
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
from functools import lru_cache
from typing import Any

import defusedxml
import defusedxml.ElementTree as DET
from lxml import etree

from runtwitch.errors import ParseError, UnsafeXMLError
from runtwitch.io.source import Errors, check_errors
from runtwitch.model.activity import ImportReport

__all__ = ["UnsafeXMLError", "child", "children", "descendants", "local", "parse", "parse_lxml",
           "text"]

_BOMS = (b"\xef\xbb\xbf",)
_PREFIX_USE = re.compile(rb"</?([A-Za-z_][\w.-]*):[A-Za-z_]")
_PREFIX_ATTR_USE = re.compile(rb"\s([A-Za-z_][\w.-]*):[A-Za-z_][\w.-]*\s*=")
_PREFIX_DECL = re.compile(rb"xmlns:([A-Za-z_][\w.-]*)\s*=")
_ROOT_TAG = re.compile(rb"<(?![?!])[^>]*?(/?)>", re.S)


@lru_cache(maxsize=4096)
def local(tag: str) -> str:
    """Local name of an ElementTree tag (``{ns}name`` or ``prefix:name`` -> ``name``).

    Cached: a document repeats a few dozen tags thousands of times.
    """
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
    data = _prepare(data, name, report, errors)
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


def parse_lxml(data: bytes, name: str, report: ImportReport, *, errors: Errors = "salvage") -> Any:
    """Parse XML bytes safely with lxml and return the root element.

    The same checks, repairs, reports and errors as :func:`parse` (see
    there), parsed by libxml2 in C; GPX and TCX use it. The root is an
    ``lxml.etree`` element without comments or processing instructions, so
    that its children and ``iter()`` hold elements only, as with
    ElementTree.

    Safety, equivalent to defusedxml's: a document with a ``<!DOCTYPE`` that
    contains ``<!ENTITY`` is refused before it is parsed (entity bombs,
    external entities, parameter entities); the parser resolves no entity,
    loads no DTD, opens no network connection and keeps libxml2's limits on
    text size and depth (``huge_tree`` off); a reference to an entity no
    one declared is not well-formed.
    """
    repair = check_errors(errors) != "raise"
    data = _remove_bom(data, report)
    if repair:
        data = _remove_leading_whitespace(data, report)
    if b"<!DOCTYPE" in data and b"<!ENTITY" in data:  # refused before libxml2 reads the DTD
        raise _unsafe(name)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True, remove_pis=True, collect_ids=False)
    try:
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as exc:
            # libxml2 refuses an undeclared prefix, so the scan for them runs only when one is
            # used: the same repair as parse(), without a regex pass over every valid document
            if not (repair and exc.code == etree.ErrorTypes.NS_ERR_UNDEFINED_NAMESPACE):
                raise
            data = _declare_prefixes(data, name, report)
            root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (None, None)
        if exc.code == etree.ErrorTypes.ERR_UNSUPPORTED_ENCODING:
            raise ParseError(name, f"the XML declaration names an unknown encoding ({exc.msg}); expected "
                             "UTF-8", line=line or 1) from exc
        raise ParseError(name, f"not well-formed XML: {exc.msg}", line=line, column=column) from exc
    except (ValueError, LookupError) as exc:  # encodings libxml2 accepts but cannot decode
        raise ParseError(name, f"not well-formed XML: {exc}", line=1) from exc
    if root is None:
        raise ParseError(name, "not well-formed XML: no root element", line=1)
    docinfo = root.getroottree().docinfo
    if docinfo.doctype:  # also in encodings the byte check above cannot read (UTF-16)
        dtd = docinfo.internalDTD
        if dtd is not None and next(iter(dtd.iterentities()), None) is not None:
            raise _unsafe(name)
        # an entity of an external DTD (never loaded) stays an unexpanded reference
        undefined = next(root.iter(etree.Entity), None)
        if undefined is not None:
            raise ParseError(name, f"not well-formed XML: undefined entity {undefined.text}",
                             line=undefined.sourceline)
    return root


def _unsafe(name: str) -> UnsafeXMLError:
    return UnsafeXMLError(name, "refused unsafe XML (an entity declaration): entity declarations and "
                          "external references are never expanded")


def _prepare(data: bytes, name: str, report: ImportReport, errors: Errors) -> bytes:
    """The byte order mark removed; unless ``errors="raise"``, the documented repairs."""
    data = _remove_bom(data, report)
    if check_errors(errors) != "raise":
        data = _declare_prefixes(data=_remove_leading_whitespace(data, report), name=name, report=report)
    return data


def _remove_bom(data: bytes, report: ImportReport) -> bytes:
    for bom in _BOMS:
        if data.startswith(bom):
            data = data[len(bom):]
            report.repair("xml_byte_order_mark_removed", 1)
    return data


def _remove_leading_whitespace(data: bytes, report: ImportReport) -> bytes:
    stripped = data.lstrip()
    if len(stripped) != len(data):
        report.repair("xml_leading_whitespace_removed", 1)
    return stripped


def _declare_prefixes(data: bytes, name: str, report: ImportReport) -> bytes:
    """Undeclared namespace prefixes declared on the root element; counted and warned about."""
    data, declared = _declare_missing_prefixes(data)
    if declared:
        report.repair("xml_undeclared_prefix_declared", len(declared))
        report.warn(f"{name}: namespace prefixes used without declaration: {', '.join(declared)}")
    return data
