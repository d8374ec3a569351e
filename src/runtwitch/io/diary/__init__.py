"""The twitch diary: its format (``format``) and the reader (``reader``)."""

from runtwitch.io.diary.reader import (
    DIARY_COLUMNS,
    FORMULA_PREFIXES,
    MAX_CELL_CHARS,
    MAX_DIARY_BYTES,
    MAX_WEIGHT_GAIN_KG,
    Diary,
    DiaryColumn,
    DiaryError,
    DiaryReport,
    Problem,
    escape_formula,
    markdown_table,
    normalise_header,
    read_diary,
    write_diary_csv,
)

__all__ = [
    "DIARY_COLUMNS", "FORMULA_PREFIXES", "MAX_CELL_CHARS", "MAX_DIARY_BYTES", "MAX_WEIGHT_GAIN_KG",
    "Diary", "DiaryColumn", "DiaryError", "DiaryReport", "Problem", "escape_formula",
    "markdown_table", "normalise_header", "read_diary", "write_diary_csv",
]
