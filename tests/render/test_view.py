"""The episode view-model the three reports share, and charts that leave matplotlib's state alone."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import runtwitch
from runtwitch.render import episode_views, summary_text, to_json
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def analysis() -> runtwitch.Analysis:
    s = ROOT / "sample_data"
    return runtwitch.analyze([s], diary=s / "diary.csv", athlete=s / "athlete.toml", progress=False)


def test_text_and_json_show_each_episode_as_the_view_model_has_it(analysis: runtwitch.Analysis) -> None:
    views = episode_views(analysis.explanation)
    doc = to_json(analysis)
    text = summary_text(analysis)
    ids = list(analysis.episodes["episode_id"])
    assert [v.id for v in views] == [e["id"] for e in doc["episodes"]] == ids
    for view, ep in zip(views, doc["episodes"], strict=True):
        assert ep["activity_id"] == view.activity_id and ep["flags"] == [f for f, _ in view.flags]
        assert [c["cause"] for c in ep["causes"]] == [c.cause for c in view.causes]
        assert f"{view.id}: {view.when}" in text
        for k, cause in enumerate(view.shown, start=1):
            assert f"  {k}. {cause.title} (score {cause.score:.2f};" in text
        assert len(view.shown) <= 3 and all(c.status == "assessed" and c.score > 0 for c in view.shown)
    json.dumps(doc, allow_nan=False, default=str)


def test_rendering_never_touches_pyplot_or_the_backend() -> None:
    code = (
        "import sys, matplotlib\n"
        "matplotlib.use('svg')\n"
        "import runtwitch.render\n"
        "from runtwitch.render.charts import patterns_chart\n"
        "import pandas as pd\n"
        "p = pd.DataFrame({'label': ['a'], 'relative_risk': [2.0], 'ci_low': [1.0], 'ci_high': [4.0]})\n"
        "assert patterns_chart(p).startswith('data:image/png;base64,')\n"
        "print(matplotlib.get_backend(), 'matplotlib.pyplot' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == ["svg", "False"]


def test_importing_the_reports_does_not_load_matplotlib() -> None:
    code = "import sys, runtwitch, runtwitch.render, runtwitch.cli; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"
