"""runtwitch: a runner's own data, turned into answers about post-run muscle twitches.

Import activity files into tidy pandas frames (``read_activity``, ``read_fit``),
then build features and explanations from them. See ``docs/`` for the schema.
"""

from runtwitch.activity import Activity, ActivityMeta, Damage, ImportReport
from runtwitch.analysis import Analysis, analyze
from runtwitch.athlete import Athlete
from runtwitch.cohort import CohortResult, cohort
from runtwitch.errors import (
    ChecksumError,
    CorruptFileError,
    DataQualityWarning,
    EmptyFileError,
    FileError,
    LimitExceededError,
    NotAnActivityError,
    ParseError,
    PartialImportWarning,
    RuntwitchError,
    RuntwitchWarning,
    TruncatedFileError,
    UnknownFormatError,
)
from runtwitch.features import daily_features, run_features
from runtwitch.io import (
    FunctionImporter,
    Importer,
    ImportResult,
    activity_from_samples,
    find_importer,
    importers,
    read_activities,
    read_activity,
    read_fit,
    read_gpx,
    read_tcx,
    register,
    unregister,
)
from runtwitch.io.diary import Diary, DiaryError, DiaryReport, Problem, read_diary
from runtwitch.link import activity_table, link_context, link_episodes
from runtwitch.rules import Explanation, Rule, explain
from runtwitch.schema import SCHEMA_VERSION

__version__ = "0.1.0.dev0"

__all__ = [
    "SCHEMA_VERSION",
    "Activity",
    "ActivityMeta",
    "Analysis",
    "Athlete",
    "ChecksumError",
    "CohortResult",
    "CorruptFileError",
    "Damage",
    "DataQualityWarning",
    "Diary",
    "DiaryError",
    "DiaryReport",
    "EmptyFileError",
    "Explanation",
    "FileError",
    "FunctionImporter",
    "ImportReport",
    "ImportResult",
    "Importer",
    "LimitExceededError",
    "NotAnActivityError",
    "ParseError",
    "PartialImportWarning",
    "Problem",
    "Rule",
    "RuntwitchError",
    "RuntwitchWarning",
    "TruncatedFileError",
    "UnknownFormatError",
    "__version__",
    "activity_from_samples",
    "activity_table",
    "analyze",
    "cohort",
    "daily_features",
    "explain",
    "find_importer",
    "importers",
    "link_context",
    "link_episodes",
    "read_activities",
    "read_activity",
    "read_diary",
    "read_fit",
    "read_gpx",
    "read_tcx",
    "register",
    "run_features",
    "unregister",
]
