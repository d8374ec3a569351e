"""Importer registry: built-in formats, entry-point plugins and ad-hoc importers, in one table.

A format importer is any object with the attributes of :class:`Importer`.
The table holds the built-in importers (:data:`BUILTIN_IMPORTERS`), then the
plugins of installed packages (entry-point group ``runtwitch.importers``,
loaded once, on first use; ``importers(refresh=True)`` reads them again), then
importers registered in this session with :func:`register`. A notebook user
can also pass an importer, or a format name, to :func:`read_activity`. A
plugin that fails to load produces a :class:`~runtwitch.errors.RuntwitchWarning`,
never a crash. See ``docs/extending.md``.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, Protocol, runtime_checkable

from runtwitch.errors import RuntwitchWarning, UnknownFormatError, warn
from runtwitch.io.fit import read_fit
from runtwitch.io.fit.importer import ENGINES as FIT_ENGINES
from runtwitch.io.gpx import ENGINES as GPX_ENGINES
from runtwitch.io.gpx import read_gpx
from runtwitch.io.source import GZIP_MAGIC, Errors, Source, check_errors, source_name
from runtwitch.io.tcx import read_tcx
from runtwitch.model.activity import Activity

ENTRY_POINT_GROUP = "runtwitch.importers"
#: Bytes of the (decompressed) file start handed to ``sniff``.
SNIFF_BYTES = 4096


@runtime_checkable
class Importer(Protocol):
    """What a format importer provides.

    Attributes
    ----------
    name
        Short format name, also ``Activity.meta.format`` (e.g. ``"fit"``).
    suffixes
        File name suffixes, lower-case, with the dot (``(".fit",)``); ``.gz``
        is stripped before matching.
    """

    @property
    def name(self) -> str: ...

    @property
    def suffixes(self) -> Sequence[str]: ...

    def sniff(self, head: bytes) -> bool:
        """Return True if the first bytes of a file look like this format."""
        ...

    def read(self, source: Source, *, errors: Errors = "salvage") -> Activity:
        """Read the file into an Activity (raising runtwitch errors only)."""
        ...


@dataclass(frozen=True)
class FunctionImporter:
    """An :class:`Importer` made of a reader function and a sniffer.

    Attributes
    ----------
    reader
        ``reader(source, *, errors=...) -> Activity`` (also ``engine=`` when
        ``engines`` names any).
    signature, signature_offset, markers
        What :meth:`sniff` looks for in the first bytes.
    engines
        The decoding engines ``reader`` offers through ``engine=`` (FIT: numpy,
        fitdecode); empty when it has no choice.
    """

    name: str
    suffixes: Sequence[str]
    reader: Callable[..., Activity]
    signature: bytes = b""
    signature_offset: int = 0
    markers: Sequence[bytes] = ()
    engines: Sequence[str] = ()

    def sniff(self, head: bytes) -> bool:
        """True if ``signature`` sits at ``signature_offset``, or any of ``markers`` is in ``head``."""
        if self.signature:
            start = self.signature_offset
            if head[start:start + len(self.signature)] == self.signature:
                return True
        return any(m in head for m in self.markers)

    def read(self, source: Source, *, errors: Errors = "salvage", **options: Any) -> Activity:
        """Read ``source`` with the reader function (``options``: e.g. ``engine``)."""
        return self.reader(source, errors=errors, **options)


#: The formats runtwitch reads itself.
BUILTIN_IMPORTERS: tuple[FunctionImporter, ...] = (
    FunctionImporter("fit", (".fit",), read_fit, signature=b".FIT", signature_offset=8,
                     engines=tuple(FIT_ENGINES)),
    FunctionImporter("gpx", (".gpx",), read_gpx, markers=(b"<gpx",), engines=GPX_ENGINES),
    FunctionImporter("tcx", (".tcx",), read_tcx, markers=(b"<TrainingCenterDatabase",)),
)

#: The table: format name -> importer (built-ins, then plugins, then registered ones).
_registered: dict[str, Importer] = {imp.name: imp for imp in BUILTIN_IMPORTERS}
#: Names in the table that came from entry-point plugins.
_plugin_names: set[str] = set()
_plugins_loaded = False


def register(importer: Importer, *, replace: bool = False) -> None:
    """Add an importer for this session (without installing a package).

    Raises
    ------
    ValueError
        An importer of that name exists and ``replace`` is False.
    TypeError
        The object lacks the :class:`Importer` attributes.
    """
    if not isinstance(importer, Importer):
        raise TypeError(
            f"{importer!r} is not an importer: it needs name, suffixes, sniff() and read()"
        )
    if importer.name in _registered and not replace:
        raise ValueError(f"an importer named {importer.name!r} is already registered")
    _registered[importer.name] = importer


def unregister(name: str) -> None:
    """Remove an importer registered under ``name`` (no error if absent)."""
    _registered.pop(name, None)


def _load_plugins() -> None:
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
            imp = obj() if isinstance(obj, type) else obj
            if imp.name not in _registered:
                register(imp)
                _plugin_names.add(imp.name)
        except Exception as exc:
            warn(
                f"runtwitch importer plugin {ep.name!r} ({ep.value}) failed to load and is "
                f"ignored: {type(exc).__name__}: {exc}",
                RuntwitchWarning,
            )


def importers(*, refresh: bool = False) -> list[Importer]:
    """Return every available importer: built-ins, plugins and registered ones.

    Parameters
    ----------
    refresh
        Read the installed plugins again (after installing or removing one in
        a running session); they are otherwise read once, on first use.
    """
    global _plugins_loaded
    if refresh:
        for name in _plugin_names:
            _registered.pop(name, None)
        _plugin_names.clear()
        _plugins_loaded = False
    _load_plugins()
    return list(_registered.values())


def importer_named(name: str) -> Importer:
    """The importer of a format, by name (``"fit"``, ``"gpx"``, a plugin's name).

    Raises
    ------
    ValueError
        No importer has that name.
    """
    available = {imp.name: imp for imp in importers()}
    if name not in available:
        raise ValueError(f"no importer named {name!r}; available: {', '.join(sorted(available))}")
    return available[name]


def _suffix_key(name: str) -> str:
    lower = name.lower()
    return lower[:-3] if lower.endswith(".gz") else lower


def _head(source: Source) -> bytes:
    """First bytes of the (decompressed) content, without consuming a buffer."""
    raw_limit = 16 * SNIFF_BYTES
    try:
        if isinstance(source, (str, os.PathLike)):
            with open(source, "rb") as fh:
                head = fh.read(raw_limit)
        else:
            pos = source.tell()
            head = source.read(raw_limit)
            source.seek(pos)
    except (OSError, ValueError):
        return b""
    if head[:2] == GZIP_MAGIC:
        try:
            head = zlib.decompressobj(wbits=31).decompress(head, SNIFF_BYTES)
        except zlib.error:
            return b""
    return head


def find_importer(source: Source) -> Importer:
    """Pick the importer for a file: by suffix, else by sniffing its first bytes.

    Raises
    ------
    UnknownFormatError
        No importer claims the file.
    """
    available = importers()
    name = source_name(source)
    key = _suffix_key(name)
    for imp in available:
        if any(key.endswith(s.lower()) for s in imp.suffixes):
            return imp
    head = _head(source)
    for imp in available:
        try:
            if imp.sniff(head):
                return imp
        except Exception:
            continue
    known = ", ".join(sorted({s for i in available for s in i.suffixes}))
    raise UnknownFormatError(
        name, f"unknown activity format: no importer recognises the suffix or content (known: {known})"
    )


def read_activity(
    source: Source,
    *,
    importer: Importer | str | None = None,
    errors: Errors = "salvage",
    engine: str | None = None,
) -> Activity:
    """Read any supported activity file into an :class:`Activity`.

    Parameters
    ----------
    source
        Path or binary file object (``.fit``, ``.fit.gz``, ``.gpx``, ``.tcx``,
        any case, or a plugin's format).
    importer
        Use this importer, or the importer of this format name (``"gpx"``),
        instead of picking one by suffix and content.
    errors
        Damage handling: ``"raise"``, ``"warn"`` or ``"salvage"`` (see
        ``docs/errors.md`` and each reader, e.g. :func:`runtwitch.read_fit`).
    engine
        The decoding engine, for formats that offer a choice (FIT: ``"numpy"``,
        the default, ``"fitdecode"`` or ``"fitparse"``; GPX: ``"xml"``, the
        default, or ``"gpxpy"``; docs/formats.md, "Engines"). None: the
        format's default.

    Raises
    ------
    ValueError
        ``errors`` is not a mode, ``importer`` names no importer, or the
        format has no engine of that name.
    """
    errors = check_errors(errors)
    if isinstance(importer, str):
        imp = importer_named(importer)
    else:
        imp = importer if importer is not None else find_importer(source)
    if engine is None:
        return imp.read(source, errors=errors)
    offered = tuple(getattr(imp, "engines", ()))
    if engine not in offered:
        choice = f"engines: {', '.join(offered)}" if offered else "no choice of engine"
        raise ValueError(f"the {imp.name!r} importer has no engine {engine!r} ({choice})")
    read: Callable[..., Activity] = imp.read
    return read(source, errors=errors, engine=engine)
