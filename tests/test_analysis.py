"""analyze(): the whole pipeline in one call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import runtwitch
from tests.helpers.history import write_run

START = datetime(2026, 5, 1, 7, 0, tzinfo=UTC)


def test_analyze_still_runs_on_the_good_files(tmp_path: Path) -> None:
    for k in range(2):
        write_run(tmp_path, f"r{k}.fit", START + timedelta(days=k), 20, cooldown_min=5)
    (tmp_path / "bad.fit").write_bytes(b"\x0e\x10garbage")
    result = runtwitch.analyze([tmp_path], tz="UTC")
    assert len(result.activities) == 2
    assert [r.status for r in result.imports if r.path.endswith("bad.fit")] == ["error"]
