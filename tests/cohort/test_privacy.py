"""Pseudonyms, the salt, and folder paths kept out of what leaves an athlete's folder."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from runtwitch.cohort.privacy import (
    check_salt,
    default_salt_file,
    load_or_create_salt,
    pseudonym,
    relative_name,
    scrub,
)

SALT = b"0123456789abcdef0123456789abcdef"


def test_pseudonym_is_stable_salted_and_not_the_name() -> None:
    p = pseudonym("ada-martin", SALT)
    assert p == pseudonym("ada-martin", SALT)
    assert p != pseudonym("ada-martin", SALT[::-1])
    assert p != pseudonym("ada-martin2", SALT)
    assert p.startswith("p") and len(p) == 17 and "ada" not in p
    int(p[1:], 16)  # hex after the letter (so that readers never take it for a number)


def test_salt_is_created_once_private_and_beside_the_output(tmp_path: Path) -> None:
    out = tmp_path / "study" / "out"
    path = default_salt_file(out)
    assert path.parent == out.parent and not path.is_relative_to(out)
    out.parent.mkdir()
    first = load_or_create_salt(path)
    assert load_or_create_salt(path) == first
    assert len(first) == 64
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_short_salt_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 16 characters"):
        check_salt("secret")
    assert check_salt("a much longer secret") == b"a much longer secret"


def test_paths_are_relative_to_the_athletes_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ada-martin"
    (folder / "2024").mkdir(parents=True)
    roots = [str(folder)]
    assert relative_name(str(folder / "2024" / "run.fit"), roots) == os.path.join("2024", "run.fit")
    assert relative_name("/elsewhere/ada-martin-run.fit", roots) == "ada-martin-run.fit"
    message = f"{folder}/2024/run.fit at byte 12: truncated; see {folder}"
    cleaned = scrub(message, roots)
    assert "ada-martin" not in cleaned and str(tmp_path) not in cleaned
    assert cleaned.startswith("2024/run.fit at byte 12")


def test_manifest_files_are_named_by_their_file_name(tmp_path: Path) -> None:
    f = tmp_path / "ada-martin" / "diary.csv"
    f.parent.mkdir()
    f.write_text("date\n")
    assert relative_name(str(f), [str(f)]) == "diary.csv"
    assert scrub(f"{f}: no 'date' column", [str(f)]) == "diary.csv: no 'date' column"
