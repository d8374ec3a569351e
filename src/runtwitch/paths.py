"""Paths as a user writes them: ``~`` and environment variables expanded, everywhere a path is taken."""

from __future__ import annotations

import os
from collections.abc import Sequence


def expand_path(path: str | os.PathLike[str]) -> str:
    """``path`` with ``~``/``~user`` and ``$VAR``/``${VAR}`` expanded, as a shell would.

    Every runtwitch function that takes a path (files, folders, the diary,
    ``athlete.toml``, a weather table, the cache folder) passes it through
    here, so ``"~/my-runs"`` means the same in Python as on the command line.
    A variable that is not set is left as written (and the path is then
    reported as not found).
    """
    return os.path.expandvars(os.path.expanduser(os.fspath(path)))


def first_missing(paths: Sequence[str | os.PathLike[str]]) -> str | None:
    """The first of ``paths`` (expanded) that does not exist, or None when all do.

    An archive member, ``export.zip!inner/path``, exists when its archive does
    (the member itself is checked when it is read).
    """
    for p in (expand_path(x) for x in paths):
        if not os.path.exists(p.split("!", 1)[0]):
            return p
    return None
