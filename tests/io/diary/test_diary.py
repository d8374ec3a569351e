"""The twitch diary reader: every kind of mistake, delimiters, blanks and time zones."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

import runtwitch
from runtwitch.io.diary import DIARY_COLUMNS, escape_formula, markdown_table, write_diary_csv
from tests.conftest import ROOT

TODAY = dt.date(2026, 11, 25)

MISTAKES = """date,time,muscles,kind,duration_min,severity,weakness,sleep_disrupted,fluid_during_l,electrolytes,weight_before_kg,weight_after_kg,humidity_pct,Mood
2026-06-07,19:30,left calf; right quadriceps,,40,6,no,,0.4,Yes,70.2,68.9,60,tired
2026-06-07,19:30,left calf; right quadriceps,,40,6,no,,,,,,,
2026-06-08,,,,,,,,1,n,,,180,
2026-06-09,25:99,calf,cramp,abc,14,maybe,1,500,,70,77,,
2030-01-01,,,,,,,,,,,,,
,,,,,,,,,,,,,
06/10/2026,,,,,,,,,,,,,
"""

EXPECTED = [
    (3, "muscles", "left calf;right quadriceps", "a new episode (repeats row 2; left out)"),
    (4, "humidity_pct", "180", "a number from 0 to 100"),
    (5, "time", "25:99", "a local time as HH:MM (00:00-23:59)"),
    (5, "duration_min", "abc", "a number (0 to 1440)"),
    (5, "severity", "14", "a number from 0 to 10"),
    (5, "weakness", "maybe", "yes/no (also y/n, true/false, 1/0)"),
    (5, "fluid_during_l", "500", "a number from 0 to 15; this looks like millilitres – write litres"),
    (5, "weight_after_kg", "77", "at most 5 kg above weight_before_kg (70)"),
    (6, "date", "2030-01-01", "a date not after 2026-11-25"),
    (8, "date", "06/10/2026", "a date as YYYY-MM-DD"),
]


@pytest.fixture
def mistakes(tmp_path: Path) -> Path:
    p = tmp_path / "diary.csv"
    p.write_text(MISTAKES, encoding="utf-8")
    return p


def test_errors_raise_lists_every_problem(mistakes: Path) -> None:
    with pytest.raises(runtwitch.DiaryError) as info:
        runtwitch.read_diary(mistakes, tz="Europe/Paris", errors="raise", today=TODAY)
    got = [(p.row, p.column, p.value, p.expected) for p in info.value.problems]
    assert got == EXPECTED
    assert "row 5, column 'severity'" in str(info.value)


def test_default_mode_blanks_bad_cells_and_keeps_rows(mistakes: Path) -> None:
    d = runtwitch.read_diary(mistakes, tz="Europe/Paris", today=TODAY)
    assert [(p.row, p.column) for p in d.report.problems] == [(r, c) for r, c, _, _ in EXPECTED]
    assert d.report.rows == 6 and d.report.blank_rows == 1
    assert list(d.context["row"]) == [2, 3, 4, 5, 6, 8]  # no row dropped
    assert d.report.duplicate_episodes == [3]
    assert list(d.episodes["episode_id"]) == ["E2", "E5"]
    bad = d.episodes.set_index("row").loc[5]
    assert pd.isna(bad["severity"]) and pd.isna(bad["time"]) and bad["sleep_disrupted"]
    assert bad["kind"] == "cramp" and bad["muscles"] == ["calf"]
    good = d.episodes.set_index("row").loc[2]
    assert good["muscles"] == ["left calf", "right quadriceps"] and good["kind"] == "twitch"
    assert good["onset_utc"] == pd.Timestamp("2026-06-07T17:30Z")  # CEST = UTC+2
    assert d.report.unknown_columns == ["Mood"]
    assert d.context.loc[0, "mood"] == "tired"


def test_semicolon_decimal_comma_export_reads_the_same(tmp_path: Path) -> None:
    comma = ("date,time,muscles,fluid_during_l,weight_before_kg,weight_after_kg,electrolytes\n"
             "2026-06-07,19:30,left calf,\"0,4\",70.2,68.9,yes\n"
             "2026-06-08,,,1.25,,,no\n")
    semi = ("date;time;muscles;fluid_during_l;weight_before_kg;weight_after_kg;electrolytes\n"
            "2026-06-07;19:30;left calf;0,4;70,2;68,9;yes\n"
            "2026-06-08;;;1,25;;;no\n")
    (tmp_path / "a.csv").write_text(comma)
    (tmp_path / "b.csv").write_text(semi)
    a = runtwitch.read_diary(tmp_path / "a.csv", tz="UTC", today=TODAY)
    b = runtwitch.read_diary(tmp_path / "b.csv", tz="UTC", today=TODAY)
    pd.testing.assert_frame_equal(a.context, b.context)
    pd.testing.assert_frame_equal(a.episodes, b.episodes)
    assert a.context.loc[0, "fluid_during_l"] == 0.4 and a.report.problems == []


def test_blank_no_and_zero_stay_distinct(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text(
        "date,electrolytes,carbs_before_g\n2026-06-01,,\n2026-06-02,no,0\n2026-06-03,Y,30\n")
    ctx = runtwitch.read_diary(tmp_path / "d.csv", today=TODAY).context
    assert ctx["electrolytes"].isna().tolist() == [True, False, False]
    assert ctx["electrolytes"].tolist()[1:] == [False, True]
    assert pd.isna(ctx.loc[0, "carbs_before_g"]) and ctx.loc[1, "carbs_before_g"] == 0
    assert str(ctx["electrolytes"].dtype) == "boolean" and str(ctx["carbs_before_g"].dtype) == "Float64"


def test_aliases_and_bom_and_frame_input(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_bytes("\ufeffDate,Muscle,Duration,Meds\n2026-06-01,calf,5,ibuprofen; salbutamol\n"
                                     .encode())
    d = runtwitch.read_diary(tmp_path / "d.csv", today=TODAY)
    assert d.report.renamed_columns == {"Muscle": "muscles", "Duration": "duration_min",
                                        "Meds": "medications"}
    assert d.context.loc[0, "medications"] == ["ibuprofen", "salbutamol"]
    frame = pd.DataFrame({"date": ["2026-06-01"], "muscles": ["calf"], "duration_min": [5]})
    assert runtwitch.read_diary(frame, today=TODAY).episodes.loc[0, "duration_min"] == 5


def test_no_date_column_and_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("when,muscles\n2026-06-01,calf\n")
    with pytest.raises(runtwitch.DiaryError, match="no 'date' column"):
        runtwitch.read_diary(tmp_path / "x.csv")
    (tmp_path / "l.csv").write_bytes("date,notes\n2026-06-01,mollet crampé\n".encode("cp1252"))
    d = runtwitch.read_diary(tmp_path / "l.csv", today=TODAY)
    assert d.context.loc[0, "notes"] == "mollet crampé"
    assert any("not UTF-8" in w for w in d.report.warnings)


def test_nonexistent_local_time_at_dst_change_is_reported(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("date,time,muscles\n2026-03-29,02:30,calf\n")
    d = runtwitch.read_diary(tmp_path / "d.csv", tz="Europe/Paris", today=TODAY)
    assert [(p.row, p.column) for p in d.report.problems] == [(2, "time")]
    assert pd.isna(d.episodes.loc[0, "onset_utc"])


def test_unknown_time_zone_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("date\n2026-06-01\n")
    with pytest.raises(runtwitch.RuntwitchError, match="IANA"):
        runtwitch.read_diary(tmp_path / "d.csv", tz="Mars/Olympus")


def test_formula_cells_are_never_evaluated_and_escaped_on_export(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text('date,notes\n2026-06-01,"=HYPERLINK(""http://x"",""y"")"\n')
    d = runtwitch.read_diary(tmp_path / "d.csv", today=TODAY)
    assert d.context.loc[0, "notes"] == '=HYPERLINK("http://x","y")'  # kept as text
    assert escape_formula("=1+1") == "'=1+1" and escape_formula("calf") == "calf"
    write_diary_csv(d.context, tmp_path / "out.csv")
    assert "'=HYPERLINK" in (tmp_path / "out.csv").read_text()


def test_template_reads_cleanly_and_docs_table_is_current() -> None:
    d = runtwitch.read_diary(ROOT / "sample_data" / "diary_template.csv", tz="Europe/Paris",
                             today=TODAY)
    assert d.report.problems == [] and d.report.unknown_columns == []
    header = (ROOT / "sample_data" / "diary_template.csv").read_text().splitlines()[0].split(",")
    assert header == [c.name for c in DIARY_COLUMNS]
    assert markdown_table() in (ROOT / "docs" / "diary.md").read_text(encoding="utf-8")


def test_diary_without_any_episode(tmp_path: Path) -> None:
    # Found by the fuzzer once pyarrow-backed strings were installed: building the
    # duplicate key of an empty episode frame added strings to floats.
    (tmp_path / "d.csv").write_text("date,time,muscles,kind\n2026-06-01,,,\n")
    d = runtwitch.read_diary(tmp_path / "d.csv", today=TODAY)
    assert len(d.episodes) == 0 and len(d.context) == 1


def test_errors_warn_blanks_cells_and_warns_with_their_number(mistakes: Path) -> None:
    with pytest.warns(runtwitch.DataQualityWarning, match=f"{len(EXPECTED)} problem"):
        d = runtwitch.read_diary(mistakes, tz="Europe/Paris", errors="warn", today=TODAY)
    assert [(p.row, p.column) for p in d.report.problems] == [(r, c) for r, c, _, _ in EXPECTED]


def test_strict_is_a_deprecated_spelling_of_errors_raise(mistakes: Path) -> None:
    with pytest.warns(DeprecationWarning, match="errors='raise'"), pytest.raises(runtwitch.DiaryError):
        runtwitch.read_diary(mistakes, tz="Europe/Paris", strict=True, today=TODAY)


def test_unknown_errors_mode_is_a_value_error(mistakes: Path) -> None:
    with pytest.raises(ValueError, match="errors must be"):
        runtwitch.read_diary(mistakes, errors="bogus")  # type: ignore[arg-type]


def test_a_cell_beyond_the_csv_limit_is_a_diary_error_and_the_limit_stays(tmp_path: Path) -> None:
    import csv

    before = csv.field_size_limit()
    (tmp_path / "d.csv").write_text("date,notes\n2026-06-01,ok\n2026-06-02," + "x" * (before + 1) + "\n")
    with pytest.raises(runtwitch.DiaryError, match="line 3: a cell longer than"):
        runtwitch.read_diary(tmp_path / "d.csv", today=TODAY)
    assert csv.field_size_limit() == before  # no process-wide change
