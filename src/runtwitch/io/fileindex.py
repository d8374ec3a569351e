"""The files an import has read, by size and times: their digests without reading them again.

A cache hit is found by the SHA-256 of the file's bytes
(:func:`runtwitch.io.cache.content_key`), so a warm import used to read and
hash every file of the history: about a sixth of a millisecond per one-hour
FIT file, 0.25 s for 1,500 files and 2.5 s for 15,000. The index, kept in
the cache folder (:data:`INDEX_FILE`), remembers for each file read its size,
modification and change times [ns], inode and device, and the SHA-256 of its
bytes. When all of them still match, the digest is taken from the index and
the file is not read (the rule ``rsync``, ``make`` and git's index use).

What makes it safe:

- the change time (``st_ctime_ns``) cannot be set by a user: editing a file
  and restoring its modification time (``touch -r``) still changes it;
- a file read within :data:`RACY_S` of its last change is not remembered:
  a write in the same tick of the file system's clock (a few milliseconds;
  two seconds on FAT memory cards) would leave its times unchanged;
- a file whose size differs from the bytes read (written meanwhile) is not
  remembered;
- archive members and files read with companions (an HRM's GPX) always go
  through their bytes;
- an index that cannot be read or fails its checksum counts as empty; two
  imports at once each write their own (the last one stays): a file missing
  from it is simply read and hashed again.

A runner who wants every file read again deletes :data:`INDEX_FILE` from
the cache folder, or imports without the cache.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import time
from dataclasses import dataclass, field
from typing import Any

from runtwitch.io.cache import checked_body, write_checked

#: Bumped when what the index holds changes; other versions are stale (``runtwitch cache prune``).
INDEX_FORMAT = 1
#: The index's file in the cache folder.
INDEX_FILE = f"files-v{INDEX_FORMAT}.json"
#: The name of an index of any format (an older one is stale: ``runtwitch cache prune``).
INDEX_NAME = re.compile(r"^files-v\d+\.json$")
#: A file changed less than this before it was read is not remembered [s] (see the module docstring).
RACY_S = 3.0
#: The index keeps at most this many files (the most recently remembered).
MAX_FILES = 200_000


def _stamp(st: os.stat_result) -> list[int]:
    """What must be unchanged for a file's bytes to count as unchanged."""
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


@dataclass
class FileIndex:
    """The digests of files read before, by absolute path (see the module docstring).

    Safe to use from several threads of one process: each call reads or sets
    one item of a dict.
    """

    #: Where the index is kept (None: nowhere; :meth:`save` does nothing).
    path: str | None
    #: absolute path -> size, modification and change times [ns], inode, device, SHA-256 hex digest.
    known: dict[str, list[Any]] = field(default_factory=dict)
    changed: bool = False

    @classmethod
    def open(cls, cache_dir: str | os.PathLike[str]) -> FileIndex:
        """The index kept in ``cache_dir``; empty when there is none or it is damaged."""
        path = os.path.join(cache_dir, INDEX_FILE)
        try:
            with open(path, "rb") as fh:
                doc = json.loads(checked_body(fh.read()))
            known = doc["files"]
            if not isinstance(known, dict):
                raise ValueError("not an index")
        except (OSError, ValueError, KeyError, TypeError):
            known = {}
        return cls(path, known)

    def digest(self, path: str, st: os.stat_result) -> str | None:
        """The SHA-256 (hex) of ``path``'s bytes if the file is unchanged since it was remembered."""
        row = self.known.get(os.path.abspath(path))
        if row is None or len(row) != 6 or row[:5] != _stamp(st) or not isinstance(row[5], str):
            return None
        return row[5]

    def remember(self, path: str, st: os.stat_result, digest: str, n_bytes: int,
                 now_ns: int | None = None) -> None:
        """Remember the digest of ``n_bytes`` read from ``path``, whose stat before reading was ``st``.

        Nothing is remembered for a file changed within :data:`RACY_S` of ``now_ns``
        (default: now), or when ``n_bytes`` is not the file's size.
        """
        now_ns = time.time_ns() if now_ns is None else now_ns
        newest = max(st.st_mtime_ns, st.st_ctime_ns)
        if n_bytes != st.st_size or now_ns - newest < RACY_S * 1e9:
            return
        key = os.path.abspath(path)
        row = [*_stamp(st), digest]
        if self.known.get(key) != row:
            self.known.pop(key, None)  # re-inserted last: the most recent stay when the index is cut
            self.known[key] = row
            self.changed = True

    def save(self) -> None:
        """Write the index atomically if anything was remembered. Raises OSError."""
        if self.path is None or not self.changed:
            return
        files = self.known
        if len(files) > MAX_FILES:
            files = dict(list(files.items())[-MAX_FILES:])
        body = json.dumps({"format": INDEX_FORMAT, "files": files}, separators=(",", ":")).encode("utf-8")
        write_checked(self.path, body)
        self.changed = False


def file_stat(path: str) -> os.stat_result | None:
    """The stat of a regular file at ``path``, or None (an archive member, a folder, gone)."""
    with contextlib.suppress(OSError, ValueError):
        st = os.stat(path)
        if stat.S_ISREG(st.st_mode):
            return st
    return None
