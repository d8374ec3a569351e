"""runtwitch.errors: typed errors that are also the built-ins a user catches, and warnings at the caller."""

from __future__ import annotations

import pickle
import warnings
from pathlib import Path

import pytest

import runtwitch
from tests.conftest import CORPUS


def test_a_missing_file_is_a_file_not_found_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing.fit"
    with pytest.raises(FileNotFoundError) as info:
        runtwitch.read_activity(missing)
    assert isinstance(info.value, runtwitch.MissingFileError)
    assert isinstance(info.value, runtwitch.RuntwitchError) and isinstance(info.value, runtwitch.FileError)
    assert str(missing) in str(info.value) and "cannot be read" in str(info.value)
    for read in (runtwitch.read_fit, runtwitch.read_gpx, runtwitch.read_tcx, runtwitch.read_diary):
        with pytest.raises(FileNotFoundError):
            read(missing)


def test_an_unreadable_path_is_an_os_error(tmp_path: Path) -> None:
    folder = tmp_path / "run.fit"
    folder.mkdir()
    with pytest.raises(OSError, match="directory") as info:
        runtwitch.read_fit(folder)
    assert isinstance(info.value, runtwitch.UnreadableFileError)
    assert not isinstance(info.value, FileNotFoundError)


def test_content_errors_are_value_errors(tmp_path: Path) -> None:
    bad = tmp_path / "notes.fit"
    bad.write_text("plain text, not FIT")
    with pytest.raises(ValueError, match=r"expected '\.FIT'") as info:
        runtwitch.read_fit(bad)
    assert isinstance(info.value, runtwitch.ParseError)
    empty = tmp_path / "empty.gpx"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="empty"):
        runtwitch.read_gpx(empty)
    for cls in (runtwitch.ParseError, runtwitch.CorruptFileError, runtwitch.EmptyFileError,
                runtwitch.UnknownFormatError, runtwitch.NotAnActivityError, runtwitch.LimitExceededError,
                runtwitch.UnsafeXMLError, runtwitch.DiaryError, runtwitch.UnknownTimeZoneError):
        assert issubclass(cls, ValueError) and issubclass(cls, runtwitch.RuntwitchError), cls


def test_errors_survive_pickling_with_their_attributes(tmp_path: Path) -> None:
    err = runtwitch.TruncatedFileError("a.fit", "file ends early", offset=768)
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is runtwitch.TruncatedFileError and str(back) == str(err) and back.offset == 768
    missing = pickle.loads(pickle.dumps(runtwitch.MissingFileError("b.fit", "cannot be read")))
    assert isinstance(missing, FileNotFoundError) and missing.path == "b.fit"
    na = pickle.loads(pickle.dumps(runtwitch.NotAnActivityError("s.fit", "settings")))
    assert na.file_type == "settings" and "settings" in str(na)


def test_a_bad_time_zone_is_one_error_wherever_it_is_given(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("date\n2026-06-01\n")
    (tmp_path / "athlete.toml").write_text('timezone = "Mars/Olympus"\n')
    attempts = {
        "Athlete": lambda: runtwitch.Athlete(tz="Mars/Olympus"),
        "read_diary": lambda: runtwitch.read_diary(tmp_path / "d.csv", tz="Mars/Olympus"),
        "athlete.toml": lambda: runtwitch.Athlete.from_toml(tmp_path / "athlete.toml"),
        "analyze": lambda: runtwitch.analyze([tmp_path], tz="Mars/Olympus", progress=False),
    }
    for where, attempt in attempts.items():
        with pytest.raises(runtwitch.UnknownTimeZoneError, match="IANA") as info:
            attempt()
        assert isinstance(info.value, ValueError), where
        assert info.value.tz == "Mars/Olympus", where
    with pytest.raises(runtwitch.UnknownTimeZoneError, match=r"athlete\.toml"):
        runtwitch.Athlete.from_toml(tmp_path / "athlete.toml")


@pytest.mark.corpus
def test_warnings_point_at_the_callers_line() -> None:
    path = CORPUS / "fit" / "runalyze__One-second-jump-to-past.fit"  # one record dropped: a warning
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = _line_after() + 1
        runtwitch.read_activity(path)
    assert caught and all(w.filename == __file__ and w.lineno == line for w in caught), [
        (w.filename, w.lineno) for w in caught]


def _line_after() -> int:
    import inspect

    frame = inspect.currentframe()
    assert frame is not None and frame.f_back is not None
    return frame.f_back.f_lineno
