"""Whole exports and files that belong together, for batch imports.

- **Which files are activities.** A folder search takes files with an
  importer's own suffix, sniffs files with a generic suffix an importer asks
  for (``.json``, ``.xml``, ``.csv``: taken only when an importer recognises
  their content, so a diary or an export's summary JSON is left alone), and
  searches ``.zip`` archives like folders (:mod:`runtwitch.io.archive`): a
  member is reported as ``archive.zip!path/inside``.
- **Strava bulk exports** (a ``.zip`` or its unpacked folder) carry an
  ``activities.csv`` index. Its rows give each file's activity name, id, date
  and type: the name goes to ``meta.extra["activity_name"]``, the type becomes
  the sport when the file does not name one, and every file the index lists
  but the export lacks gets a ``missing`` result.
- **Companion files**: an importer may read files beside the one it is given
  (a Polar HRM merges its GPX track). Such an importer has a
  ``companions(path) -> list[str]`` method; a batch then imports the pair
  once and reports the companion as ``skipped`` (merged).
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from runtwitch.errors import NotAnActivityError, RuntwitchError, UnknownFormatError
from runtwitch.io import archive
from runtwitch.io._xmlrecords import sport_from_text
from runtwitch.io.registry import find_importer, importers
from runtwitch.model.activity import Activity

#: File name of a Strava bulk export's index.
STRAVA_INDEX = "activities.csv"
#: Columns that identify a Strava index.
STRAVA_COLUMNS = ("Activity ID", "Filename")
#: Strava activity types whose sport names differ from runtwitch's words (others: see sport_from_text).
STRAVA_SPORTS = {
    "ride": "cycling",
    "virtualride": "cycling",
    "ebikeride": "cycling",
    "run": "running",
    "virtualrun": "running",
    "trailrun": "running",
    "swim": "swimming",
    "walk": "walking",
    "hike": "hiking",
    "nordicski": "cross_country_skiing",
    "alpineski": "alpine_skiing",
    "rowing": "rowing",
    "workout": "training",
    "weighttraining": "training",
}


def _suffixes() -> tuple[tuple[str, ...], tuple[str, ...]]:
    own = tuple(s.lower() for imp in importers() for s in imp.suffixes)
    sniffed = tuple(s.lower() for imp in importers() for s in getattr(imp, "sniff_suffixes", ()))
    return own, sniffed


def _key(name: str) -> str:
    lower = name.lower()
    return lower[:-3] if lower.endswith(".gz") else lower


def wanted(path: str) -> bool:
    """Whether a file found in a folder is imported: an importer's suffix, an archive, or sniffed content."""
    own, sniffed = _suffixes()
    key = _key(path)
    if key.endswith(own) or archive.is_archive_name(path):
        return True
    if key.endswith(sniffed):
        with contextlib.suppress(RuntwitchError):
            find_importer(path)
            return True
    return False


def _wanted_entry(entry: str, own: tuple[str, ...], sniffed: tuple[str, ...]) -> bool:
    key = _key(entry)
    if key.endswith(own):
        return True
    if key.endswith(sniffed):
        head = io.BytesIO(archive.read_head(entry, 1 << 16))
        head.name = entry
        with contextlib.suppress(RuntwitchError):
            find_importer(head)
            return True
    return False


def expand_archives(files: Sequence[str]) -> list[str]:
    """Replace each ``.zip`` file by its activity members (``archive.zip!inner``).

    An archive that cannot be listed (damaged, a zip bomb, unsafe names) or
    that holds no activity file stays in the list as itself: importing it
    raises the reason (:func:`check_archive`).
    """
    own, sniffed = _suffixes()
    out: list[str] = []
    for f in files:
        if not (archive.is_archive_name(f) and os.path.isfile(f)):
            out.append(f)
            continue
        try:
            found = [e for e in _members(f) if _wanted_entry(e, own, sniffed)]
        except RuntwitchError:
            found = []
        out.extend(found or [f])
    return out


def _members(path: str) -> list[str]:
    st = os.stat(path)
    return list(_listing(path, st.st_mtime_ns, st.st_size))


@functools.lru_cache(maxsize=8)
def _listing(path: str, mtime_ns: int, size: int) -> tuple[str, ...]:
    return tuple(archive.members(path))


def check_archive(path: str) -> None:
    """Raise why an archive yields no activity: its listing error, or that it holds no activity file."""
    names = _members(path)
    raise NotAnActivityError(path, "zip", f"archive holds no activity file ({len(names)} members)")


@dataclass(frozen=True)
class IndexRow:
    """One row of a Strava ``activities.csv``."""

    activity_id: str
    name: str
    type: str
    date: str
    index: str


@dataclass
class Plan:
    """What a batch imports, what it reports without importing, and how it annotates the results.

    Attributes
    ----------
    entries
        Files and archive members to import, in order.
    notes
        ``(path, status, reason, reason type)`` of inputs reported without an
        import: files an export index lists but the export lacks (``missing``),
        companions merged into another file (``skipped``).
    index
        Strava index rows by the file or member they describe.
    """

    entries: list[str]
    notes: list[tuple[str, str, str, str]] = field(default_factory=list)
    index: dict[str, IndexRow] = field(default_factory=dict)

    def annotate(self, path: str, act: Activity | None) -> None:
        """Add a Strava index row's name, id, date and type to an imported activity."""
        row = self.index.get(_norm(path))
        if row is None or act is None:
            return
        act.meta.extra.update(
            {
                "activity_name": row.name,
                "strava_activity_id": row.activity_id,
                "strava_activity_type": row.type,
                "strava_activity_date": row.date,
                "export_index": row.index,
            }
        )
        sport = strava_sport(row.type)
        if act.meta.sport == "generic" and sport != "generic":
            act.meta.sport = sport
            act.meta.extra["sport_source"] = "strava_activities_csv"
            if len(act.sessions):
                generic = act.sessions["sport"].isna() | (act.sessions["sport"] == "generic")
                act.sessions = act.sessions.assign(sport=act.sessions["sport"].mask(generic, sport))


def strava_sport(activity_type: str) -> str:
    """Sport name of a Strava activity type (``Run`` -> ``running``)."""
    key = activity_type.replace(" ", "").lower()
    return STRAVA_SPORTS.get(key) or sport_from_text(activity_type)


def _norm(path: str) -> str:
    if archive.SEPARATOR in path and not os.path.exists(path):
        return path
    return os.path.normpath(path)


def plan(paths: Sequence[str | os.PathLike[str]], files: Sequence[str]) -> Plan:
    """Plan a batch import of ``files`` (found under ``paths``): companions, export indexes, missing files."""
    present = {_norm(f) for f in files}
    result = Plan(entries=[])
    merged: dict[str, str] = {}
    for f in files:
        if archive.SEPARATOR in f and not os.path.exists(f):
            continue
        for c in companions(f):
            if _norm(c) in present and _norm(c) != _norm(f):
                merged.setdefault(_norm(c), f)
    result.entries = [f for f in files if _norm(f) not in merged]
    result.notes = [
        (c, "skipped", f"read together with {f} (its paired file), not imported on its own", "MergedIntoPair")
        for c, f in merged.items()
    ]
    for base, table, source in _indexes(paths, files):
        for row in table.itertuples(index=False):
            filename = str(getattr(row, "Filename", "") or "").strip()
            if not filename:
                continue
            target = _join(base, filename)
            entry = IndexRow(
                str(row[0]),
                str(row[2]) if len(row) > 2 else "",
                str(row[3]) if len(row) > 3 else "",
                str(row[1]) if len(row) > 1 else "",
                source,
            )
            if _norm(target) in present:
                result.index[_norm(target)] = entry
            else:
                result.notes.append(
                    (
                        target,
                        "missing",
                        f"listed in {source} (activity {entry.activity_id} "
                        f"{entry.name!r}, {entry.date}) but not in the export",
                        "MissingFromExport",
                    )
                )
    return result


def companions(path: str) -> list[str]:
    """Files an import of ``path`` reads besides it (an importer's ``companions``), e.g. an HRM's GPX."""
    try:
        imp = find_importer(path)
    except UnknownFormatError:
        return []
    method = getattr(imp, "companions", None)
    if method is None:
        return []
    try:
        found = method(path)
    except Exception:  # a plugin's companions() must not break a batch
        return []
    return [os.fspath(c) for c in found] if isinstance(found, (list, tuple)) else []


def _join(base: str, filename: str) -> str:
    clean = filename.replace("\\", "/").lstrip("/")
    if archive.SEPARATOR in base and not os.path.isdir(base):
        prefix = base.rstrip("/")
        inner = clean if prefix.endswith(archive.SEPARATOR) else f"/{clean}"
        return f"{prefix}{inner}"
    return os.path.normpath(os.path.join(base, clean))


def _indexes(
    paths: Sequence[str | os.PathLike[str]], files: Sequence[str]
) -> list[tuple[str, pd.DataFrame, str]]:
    """Strava indexes under the folders in ``paths`` and inside the archives ``files`` come from."""
    found: list[tuple[str, pd.DataFrame, str]] = []
    for p in (os.fspath(x) for x in paths):
        if os.path.isdir(p):
            for root, dirs, names in os.walk(p, followlinks=False):
                dirs.sort()
                for n in names:
                    if n.lower() == STRAVA_INDEX:
                        path = os.path.join(root, n)
                        with contextlib.suppress(OSError):
                            _add(found, root, _read_index(Path(path).read_bytes()), path)
    outer = sorted(
        {s[0] for f in files if (s := archive.split_entry(f)) is not None}
        | {
            os.fspath(p)
            for p in paths
            if archive.is_archive_name(os.fspath(p)) and os.path.isfile(os.fspath(p))
        }
    )
    for zip_path in outer:
        try:
            names = _members(zip_path)
        except RuntwitchError:
            continue
        for entry in names:
            inner = entry.rsplit(archive.SEPARATOR, 1)[-1]
            if inner.rsplit("/", 1)[-1].lower() == STRAVA_INDEX:
                with contextlib.suppress(RuntwitchError):
                    base = entry[: len(entry) - len(STRAVA_INDEX)]
                    _add(found, base, _read_index(archive.read_entry(entry)), entry)
    return found


def _add(
    found: list[tuple[str, pd.DataFrame, str]], base: str, table: pd.DataFrame | None, source: str
) -> None:
    if table is not None:
        found.append((base, table, source))


def _read_index(data: bytes) -> pd.DataFrame | None:
    """A Strava ``activities.csv`` (first four columns: id, date, name, type; and ``Filename``), or None."""
    try:
        table = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError):
        return None
    if not all(c in table.columns for c in STRAVA_COLUMNS):
        return None
    first = ["Activity ID", "Activity Date", "Activity Name", "Activity Type"]
    cols = [c for c in first if c in table.columns]
    out: Any = table[cols].copy()
    for c in first:
        if c not in out:
            out[c] = ""
    out = out[first]
    out["Filename"] = table["Filename"]
    return pd.DataFrame(out)
