"""Where a cohort's athletes are: a folder of athlete folders, or a CSV manifest.

A **folder** holds one sub-folder per athlete; the sub-folder's name is the
athlete's id and it holds the activity files (searched recursively),
``diary.csv`` and ``athlete.toml`` (both optional). Hidden folders are skipped.

A **manifest** is a CSV file with the columns ``athlete_id``, ``path`` and
``role`` (``activity``, ``diary`` or ``athlete``): one row per path, as many
``activity`` rows per athlete as needed (files or folders), at most one diary
and one athlete profile. Relative paths are read from the manifest's folder.
Paths may point anywhere the workers can read.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from runtwitch.errors import FileError

#: File names of the diary and the athlete profile inside an athlete's folder.
DIARY_NAME = "diary.csv"
PROFILE_NAME = "athlete.toml"
MANIFEST_COLUMNS = ("athlete_id", "path", "role")
ROLES = ("activity", "diary", "athlete")


@dataclass(frozen=True)
class AthleteInput:
    """One athlete's inputs (absolute paths), known to the workers by pseudonym only.

    Attributes
    ----------
    athlete
        The pseudonym.
    activities
        Activity files and folders (folders are searched recursively).
    diary, profile
        ``diary.csv`` and ``athlete.toml``, or None.
    roots
        The folders and files whose paths are shown relative in the outputs.
    """

    athlete: str
    activities: tuple[str, ...]
    diary: str | None
    profile: str | None
    roots: tuple[str, ...]


@dataclass(frozen=True)
class Entry:
    """An athlete as found in the source, before pseudonymisation."""

    athlete_id: str
    activities: tuple[str, ...]
    diary: str | None
    profile: str | None
    roots: tuple[str, ...]


def find_athletes(source: str | os.PathLike[str], *, exclude: Sequence[Path] = ()) -> list[Entry]:
    """The athletes of a cohort folder or manifest, sorted by id.

    Raises
    ------
    FileError
        The source does not exist, holds no athlete folder, or the manifest is
        malformed (with the row and what was expected).
    """
    path = Path(os.fspath(source)).expanduser().resolve()
    if path.is_dir():
        return _from_folder(path, [p.resolve() for p in exclude])
    if path.is_file():
        return _from_manifest(path)
    raise FileError(str(path), "does not exist; expected a folder of athlete folders or a CSV manifest")


def _from_folder(root: Path, exclude: list[Path]) -> list[Entry]:
    entries = []
    for child in sorted(root.iterdir()):
        if not child.is_dir() or child.name.startswith(".") or child.resolve() in exclude:
            continue
        folder = str(child.resolve())
        diary = os.path.join(folder, DIARY_NAME)
        profile = os.path.join(folder, PROFILE_NAME)
        entries.append(
            Entry(
                child.name,
                (folder,),
                diary if os.path.isfile(diary) else None,
                profile if os.path.isfile(profile) else None,
                (folder,),
            )
        )
    if not entries:
        raise FileError(
            str(root), "holds no athlete folders; expected one sub-folder per athlete (see docs/cohort.md)"
        )
    return entries


def _from_manifest(path: Path) -> list[Entry]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise FileError(str(path), f"cannot be read as a UTF-8 CSV manifest: {exc}") from exc
    if not rows:
        raise FileError(str(path), "is empty; expected a header row: " + ",".join(MANIFEST_COLUMNS))
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in MANIFEST_COLUMNS if c not in header]
    if missing:
        raise FileError(
            str(path),
            f"has no column {', '.join(map(repr, missing))}; expected " + ",".join(MANIFEST_COLUMNS),
            row=1,
        )
    col = {c: header.index(c) for c in MANIFEST_COLUMNS}
    found: dict[str, dict[str, list[str]]] = {}
    for n, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        cells = cells + [""] * (len(header) - len(cells))
        athlete, raw, role = (cells[col[c]].strip() for c in MANIFEST_COLUMNS)
        if not athlete or not raw:
            raise FileError(str(path), "an athlete_id and a path are needed on every row", row=n)
        role = role.lower()
        if role not in ROLES:
            raise FileError(str(path), f"role {role!r}: expected one of {', '.join(ROLES)}", row=n)
        full = os.path.abspath(os.path.join(path.parent, os.path.expanduser(raw)))
        paths = found.setdefault(athlete, {r: [] for r in ROLES})
        if role != "activity" and paths[role]:
            raise FileError(
                str(path), f"a second {role} for athlete {athlete!r}; expected at most one", row=n
            )
        paths[role].append(full)
    if not found:
        raise FileError(str(path), "lists no athletes", row=2)
    return [
        Entry(
            athlete,
            tuple(p["activity"]),
            p["diary"][0] if p["diary"] else None,
            p["athlete"][0] if p["athlete"] else None,
            tuple(p["activity"] + p["diary"] + p["athlete"]),
        )
        for athlete, p in sorted(found.items())
    ]
