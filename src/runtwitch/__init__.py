"""runtwitch: a runner's own data, turned into answers about post-run muscle twitches.

The pipeline, one stage per package (``docs/architecture.md``): import activity
files into tidy pandas frames (``read_activity``, ``read_activities``), link
them with the diary into a ``Season``, build features from it
(``run_features``, ``daily_features``), explain each episode (``explain``) and
render the result; ``analyze`` runs it all.
"""

from runtwitch.analysis import Analysis, analyze
from runtwitch.cohort import CohortResult, cohort
from runtwitch.errors import (
    ChecksumError,
    CorruptFileError,
    DataQualityWarning,
    DiaryError,
    EmptyFileError,
    EngineUnavailableError,
    FileError,
    LimitExceededError,
    MissingFileError,
    NotAnActivityError,
    ParseError,
    PartialImportWarning,
    RuntwitchError,
    RuntwitchWarning,
    TruncatedFileError,
    UnknownFormatError,
    UnknownTimeZoneError,
    UnreadableFileError,
    UnsafeArchiveError,
    UnsafeXMLError,
)
from runtwitch.features import daily_features, run_features
from runtwitch.io import (
    FunctionImporter,
    Importer,
    ImportResult,
    activity_from_samples,
    find_importer,
    importer_named,
    importers,
    read_activities,
    read_activity,
    read_fit,
    read_gpx,
    read_tcx,
    register,
    unregister,
)
from runtwitch.io.diary import Diary, DiaryReport, Problem, read_diary
from runtwitch.model.activity import Activity, ActivityMeta, Damage, ImportReport
from runtwitch.model.athlete import Athlete
from runtwitch.model.schema import SCHEMA_VERSION
from runtwitch.model.timezone import resolve_local_time, zone_at
from runtwitch.rules import Explanation, Rule, explain
from runtwitch.season import Season, activity_table, infer_sport, link_context, link_episodes

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
    "EngineUnavailableError",
    "Explanation",
    "FileError",
    "FunctionImporter",
    "ImportReport",
    "ImportResult",
    "Importer",
    "LimitExceededError",
    "MissingFileError",
    "NotAnActivityError",
    "ParseError",
    "PartialImportWarning",
    "Problem",
    "Rule",
    "RuntwitchError",
    "RuntwitchWarning",
    "Season",
    "TruncatedFileError",
    "UnknownFormatError",
    "UnknownTimeZoneError",
    "UnreadableFileError",
    "UnsafeArchiveError",
    "UnsafeXMLError",
    "__version__",
    "activity_from_samples",
    "activity_table",
    "analyze",
    "cohort",
    "daily_features",
    "explain",
    "find_importer",
    "importer_named",
    "importers",
    "infer_sport",
    "link_context",
    "link_episodes",
    "read_activities",
    "read_activity",
    "read_diary",
    "read_fit",
    "read_gpx",
    "read_tcx",
    "register",
    "resolve_local_time",
    "run_features",
    "unregister",
    "zone_at",
]
