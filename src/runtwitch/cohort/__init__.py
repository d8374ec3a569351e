"""Many runners at once: a cohort analysed on Dask, one task per athlete, into one Parquet dataset.

``cohort(source, out=...)`` runs :func:`runtwitch.analyze` for every athlete
of a folder or manifest on a ``distributed`` cluster, writes the per-athlete
tables as a Parquet dataset partitioned by pseudonym, pools the athletes'
own risk ratios per run factor, and writes a one-file HTML summary. See
``docs/cohort.md``. Dask is imported only when a cohort runs
(``pip install 'runtwitch[cohort]'``).
"""

from runtwitch.cohort.athlete import AthleteJob, run_athlete
from runtwitch.cohort.columns import TABLES, Table, markdown
from runtwitch.cohort.pooling import RandomEffects, dersimonian_laird, pooled_patterns
from runtwitch.cohort.privacy import pseudonym
from runtwitch.cohort.run import CohortResult, cohort, local_cluster, read_table
from runtwitch.cohort.sources import AthleteInput, find_athletes

__all__ = [
    "TABLES",
    "AthleteInput",
    "AthleteJob",
    "CohortResult",
    "RandomEffects",
    "Table",
    "cohort",
    "dersimonian_laird",
    "find_athletes",
    "local_cluster",
    "markdown",
    "pooled_patterns",
    "pseudonym",
    "read_table",
    "run_athlete",
]
