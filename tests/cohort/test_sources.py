"""Finding a cohort's athletes: a folder of athlete folders, or a CSV manifest."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtwitch.cohort import find_athletes
from runtwitch.errors import FileError


def test_folder_of_athlete_folders(tmp_path: Path) -> None:
    for name in ("ben", "ada", ".hidden"):
        (tmp_path / name).mkdir()
    (tmp_path / "ada" / "diary.csv").write_text("date\n")
    (tmp_path / "ada" / "athlete.toml").write_text('timezone = "UTC"\n')
    (tmp_path / "stray.fit").write_bytes(b"")
    (tmp_path / "out").mkdir()
    found = find_athletes(tmp_path, exclude=[tmp_path / "out"])
    assert [e.athlete_id for e in found] == ["ada", "ben"]
    ada, ben = found
    assert ada.activities == (str(tmp_path / "ada"),) and ada.diary == str(tmp_path / "ada" / "diary.csv")
    assert ada.profile == str(tmp_path / "ada" / "athlete.toml")
    assert ben.diary is None and ben.profile is None


def test_manifest(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text(
        "athlete_id,path,role\n"
        "u1,runs/u1,activity\n"
        "u1,/data/extra/u1.fit,activity\n"
        "u1,diaries/u1.csv,diary\n"
        "u2,runs/u2,Activity\n"
        ",,\n"
        "u2,u2.toml,athlete\n",
        encoding="utf-8",
    )
    u1, u2 = find_athletes(tmp_path / "m.csv")
    assert u1.activities == (str(tmp_path / "runs" / "u1"), "/data/extra/u1.fit")
    assert u1.diary == str(tmp_path / "diaries" / "u1.csv") and u1.profile is None
    assert u2.profile == str(tmp_path / "u2.toml")
    assert set(u1.roots) == {*u1.activities, u1.diary}


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("athlete,path\nu1,a\n", r"row 1: has no column 'athlete_id', 'role'"),
        ("athlete_id,path,role\nu1,a,notes\n", r"row 2: role 'notes': expected one of activity, diary"),
        ("athlete_id,path,role\nu1,a.csv,diary\nu1,b.csv,diary\n", r"row 3: a second diary for athlete 'u1'"),
        ("athlete_id,path,role\nu1,,activity\n", r"row 2: an athlete_id and a path"),
        ("athlete_id,path,role\n", r"lists no athletes"),
    ],
)
def test_manifest_mistakes_say_where(tmp_path: Path, text: str, match: str) -> None:
    (tmp_path / "m.csv").write_text(text, encoding="utf-8")
    with pytest.raises(FileError, match=match):
        find_athletes(tmp_path / "m.csv")


def test_missing_or_empty_source(tmp_path: Path) -> None:
    with pytest.raises(FileError, match="does not exist"):
        find_athletes(tmp_path / "nowhere")
    with pytest.raises(FileError, match="holds no athlete folders"):
        find_athletes(tmp_path)
