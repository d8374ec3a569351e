"""Importer registry: built-in formats, entry-point plugins and ad-hoc importers.

A format importer is any object with the attributes of :class:`Importer`.
Third-party packages register one under the entry-point group
``runtwitch.importers``; a notebook user can pass one to
:func:`read_activity` or :func:`register` directly. A plugin that fails to load
produces a :class:`~runtwitch.errors.RuntwitchWarning`, never a crash.
See ``docs/extending.md``.
"""

from __future__ import annotations

import os
import warnings
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Literal, Protocol, runtime_checkable

from runtwitch.errors import RuntwitchWarning, UnknownFormatError
from runtwitch.io.source import GZIP_MAGIC, Source, source_name
from runtwitch.model.activity import Activity

ENTRY_POINT_GROUP = "runtwitch.importers"
#: Bytes of the (decompressed) file start handed to ``sniff``.
SNIFF_BYTES = 4096

Errors = Literal["raise", "warn", "salvage"]


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
    """An :class:`Importer` made of a reader function and a sniffer."""

    name: str
    suffixes: Sequence[str]
    reader: Callable[..., Activity]
    signature: bytes = b""
    signature_offset: int = 0
    markers: Sequence[bytes] = ()

    def sniff(self, head: bytes) -> bool:
        """True if ``signature`` sits at ``signature_offset``, or any of ``markers`` is in ``head``."""
        if self.signature:
            start = self.signature_offset
            if head[start:start + len(self.signature)] == self.signature:
                return True
        return any(m in head for m in self.markers)

    def read(self, source: Source, *, errors: Errors = "salvage") -> Activity:
        return self.reader(source, errors=errors)


_registered: dict[str, Importer] = {}
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
        except Exception as exc:
            warnings.warn(
                f"runtwitch importer plugin {ep.name!r} ({ep.value}) failed to load and is "
                f"ignored: {type(exc).__name__}: {exc}",
                RuntwitchWarning,
                stacklevel=3,
            )


def importers() -> list[Importer]:
    """Return every available importer: built-ins, plugins and registered ones."""
    _load_plugins()
    return list(_registered.values())


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
    source: Source, *, importer: Importer | None = None, errors: Errors = "salvage"
) -> Activity:
    """Read any supported activity file into an :class:`Activity`.

    Parameters
    ----------
    source
        Path or binary file object (``.fit``, ``.fit.gz``, ``.gpx``, ``.tcx``,
        any case, or a plugin's format).
    importer
        Use this importer instead of looking one up.
    errors
        Damage handling, see :func:`runtwitch.read_fit`.
    """
    imp = importer if importer is not None else find_importer(source)
    return imp.read(source, errors=errors)
