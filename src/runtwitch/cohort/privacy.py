"""Pseudonyms, the salt that makes them, and paths kept out of messages.

An athlete's pseudonym is ``p`` followed by the first :data:`PSEUDONYM_HEX`
hex digits of HMAC-SHA256(salt, athlete id). Without the salt, nobody can
check a guessed name against a pseudonym; with it, the same athlete gets the
same pseudonym in every run, so results can be followed over time. The salt
lives in a file beside the output folder (never inside it) or is given by the
caller; it is never written into the dataset.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from collections.abc import Sequence
from pathlib import Path

#: Hex digits of the HMAC kept in a pseudonym (64 bits: for 10,000 athletes the
#: chance of any two sharing one is about 3e-12; a clash is refused, never merged).
PSEUDONYM_HEX = 16
#: Random bytes of a new salt.
SALT_BYTES = 32
#: Shortest salt accepted from a caller [characters]: a short salt can be guessed.
MIN_SALT_CHARS = 16


def default_salt_file(out: Path) -> Path:
    """Where the salt of an output folder lives: ``<out>.salt`` beside it (not inside)."""
    return out.parent / f"{out.name}.salt"


def load_or_create_salt(path: Path) -> bytes:
    """The salt in ``path``; a new random one is written there (mode 0600) when it is missing."""
    with contextlib.suppress(FileExistsError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(SALT_BYTES) + "\n")
    return check_salt(path.read_text(encoding="utf-8").strip(), str(path))


def check_salt(salt: str | bytes, where: str = "salt") -> bytes:
    """The salt as bytes, refusing one too short to keep pseudonyms from being guessed."""
    raw = salt.encode("utf-8") if isinstance(salt, str) else bytes(salt)
    if len(raw) < MIN_SALT_CHARS:
        raise ValueError(
            f"{where}: a salt of at least {MIN_SALT_CHARS} characters is needed "
            f"(got {len(raw)}); leave it out to have one created"
        )
    return raw


def pseudonym(athlete_id: str, salt: bytes) -> str:
    """The pseudonym of an athlete id under a salt (``p`` + 16 hex digits)."""
    digest = hmac.new(salt, athlete_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return "p" + digest[:PSEUDONYM_HEX]


def relative_name(path: str, roots: Sequence[str]) -> str:
    """How a file is named in the dataset: relative to the athlete's folder, never absolute.

    ``roots`` are the athlete's folders and files (absolute). A file under a
    folder is named relative to it; anything else by its file name.
    """
    p = os.path.abspath(path)
    for root in sorted(roots, key=len, reverse=True):
        if p == root:
            return os.path.basename(root)
        if p.startswith(root.rstrip(os.sep) + os.sep):
            return os.path.relpath(p, root)
    return os.path.basename(p)


def scrub(text: str, roots: Sequence[str]) -> str:
    """A message with the athlete's folder paths removed (file names stay, relative)."""
    prefixes = set()
    for root in roots:
        prefixes.add(root.rstrip(os.sep) + os.sep if os.path.isdir(root) else os.path.dirname(root) + os.sep)
    for prefix in sorted(prefixes, key=len, reverse=True):
        if prefix != os.sep:
            text = text.replace(prefix, "")
    for root in roots:  # a folder named on its own
        if os.path.isdir(root):
            text = text.replace(root.rstrip(os.sep), "<athlete folder>")
    return text
