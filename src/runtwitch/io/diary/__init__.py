"""The twitch diary: its format (``format``) and the reader (``reader``)."""

from runtwitch.io.diary.format import (
    COLUMNS_BY_NAME,
    DIARY_COLUMNS,
    FORMULA_PREFIXES,
    ROW_COLUMNS_ON_EPISODES,
    SYMPTOM_LABELS,
    SYMPTOMS,
    DiaryColumn,
    TermsRead,
    escape_formula,
    markdown_table,
    normalise_header,
    read_terms,
    symptoms_markdown,
)
from runtwitch.io.diary.reader import (
    MAX_CELL_CHARS,
    MAX_DIARY_BYTES,
    MAX_WEIGHT_GAIN_KG,
    Diary,
    DiaryError,
    DiaryReport,
    Problem,
    read_diary,
    write_diary_csv,
)

__all__ = [
    "COLUMNS_BY_NAME", "DIARY_COLUMNS", "FORMULA_PREFIXES", "MAX_CELL_CHARS", "MAX_DIARY_BYTES",
    "MAX_WEIGHT_GAIN_KG", "ROW_COLUMNS_ON_EPISODES", "SYMPTOMS", "SYMPTOM_LABELS", "Diary", "DiaryColumn",
    "DiaryError", "DiaryReport", "Problem", "TermsRead", "escape_formula", "markdown_table",
    "normalise_header", "read_diary", "read_terms", "symptoms_markdown", "write_diary_csv",
]
