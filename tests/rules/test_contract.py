"""The features -> rules contract: every feature the rules, patterns and reports read exists, by name."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd
import pytest

import runtwitch
from runtwitch.features.columns import DAILY_COLUMN_NAMES, RUN_COLUMN_NAMES
from runtwitch.rules import RULES, Context
from runtwitch.rules.patterns import FACTORS

SRC = Path(runtwitch.__file__).parent
#: Accessors that read a run feature, and those that read a daily feature, by the name passed to them.
RUN_READERS = {"value", "run_column"}
DAILY_READERS = {"daily", "daily_column"}


def _names_read(folder: str) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(file, name) of every literal feature name passed to an accessor in a folder's modules."""
    run, daily = set(), set()
    for path in sorted((SRC / folder).glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                continue
            func = node.func
            name = getattr(func, "attr", None) or getattr(func, "id", "")
            if name in RUN_READERS:
                run.add((path.name, node.args[0].value))
            elif name in DAILY_READERS:
                daily.add((path.name, node.args[0].value))
    return run, daily


@pytest.mark.parametrize("folder", ["rules", "render"])
def test_every_feature_read_by_name_is_in_the_feature_tables(folder: str) -> None:
    run, daily = _names_read(folder)
    assert not {(f, n) for f, n in run if n not in RUN_COLUMN_NAMES}
    assert not {(f, n) for f, n in daily if n not in DAILY_COLUMN_NAMES}
    if folder == "rules":  # the scan does find the rules' reads
        assert len(run) > 30 and len(daily) >= 4


def test_the_patterns_read_features_of_the_tables() -> None:
    for factor in FACTORS:
        assert factor.column in (DAILY_COLUMN_NAMES if factor.daily else RUN_COLUMN_NAMES), factor.id


def _context() -> Context:
    runs = pd.DataFrame({"timer_s": [3600.0]}, index=pd.Index(["r.fit"], name="activity_id"))
    days = pd.DataFrame({"rest_days_7d": [0]}, index=pd.DatetimeIndex(["2026-06-01"], name="date"))
    ep = pd.Series({"episode_id": "E2", "activity_id": "r.fit"})
    return Context(ep, runs.iloc[0], days.iloc[0], pd.DataFrame([ep]), runs, days)


def test_an_unknown_feature_name_raises_instead_of_reading_as_missing() -> None:
    ctx = _context()
    assert ctx.value("timer_s") == 3600.0 and ctx.value("trimp") is None  # known, not in this row
    with pytest.raises(KeyError, match="'no_such_column' is not a column of the run feature table"):
        ctx.value("no_such_column")
    with pytest.raises(KeyError, match="did you mean timer_s"):
        ctx.value("timer_ss")
    assert ctx.daily("rest_days_7d") == 0
    with pytest.raises(KeyError, match="daily feature table"):
        ctx.daily("no_such_column")


def test_a_column_added_to_the_runs_table_can_be_read_by_a_custom_rule() -> None:
    ctx = _context()
    runs = ctx.runs.assign(my_score=[7.0])
    mine = Context(ctx.episode, runs.iloc[0], ctx.day, ctx.history, runs, ctx.days)
    assert mine.value("my_score") == 7.0


def test_weights_are_data_on_the_rule() -> None:
    fatigue = next(r for r in RULES if r.id == "fatigue_overuse")
    assert fatigue.weights["big_spike_points"] == 0.35
    assert fatigue.with_weights(big_spike_points=0.5).values()["big_spike_points"] == 0.5
    with pytest.raises(KeyError, match="no weights"):
        fatigue.with_weights(nonsense=1.0)
    with pytest.raises(ValueError, match="both a threshold and a weight"):
        runtwitch.Rule("x", "X", "weak", "", (), {"a": runtwitch.rules.Threshold(1.0, "", "")},
                       lambda c, v: runtwitch.rules.Assessment(None), weights={"a": 0.1})
    # no score is written inline any more: every Evidence(...) takes its points from the rule's weights
    causes = ast.parse((SRC / "rules" / "causes.py").read_text(encoding="utf-8"))
    inline = [ast.unparse(n) for n in ast.walk(causes) if isinstance(n, ast.Call)
              and getattr(n.func, "id", "") == "Evidence" and len(n.args) > 1
              and any(isinstance(c, ast.Constant) and isinstance(c.value, float)
                      for c in ast.walk(n.args[1]))]
    assert inline == []
    # 29 on the rules; the medicine rule weighs each class by its evidence (rules/medicines.toml)
    assert sum(len(r.weights) for r in RULES) == 29


def test_the_patterns_use_the_thresholds_in_force() -> None:
    from runtwitch.features.columns import RUN_COLUMNS
    from runtwitch.rules.patterns import patterns

    minutes = [20, 20, 20, 20, 50, 50, 100, 100]
    index = pd.Index([f"r{k}" for k in range(len(minutes))], name="activity_id")
    nan = [float("nan")] * len(minutes)
    runs = pd.DataFrame({c.name: nan for c in RUN_COLUMNS if c.name != "activity_id"}, index=index)
    runs["is_run"] = True
    runs["timer_s"] = [m * 60.0 for m in minutes]
    followed = pd.Series([False, True, False, False, True, False, True, True], index=runs.index)
    assert "long" not in set(patterns(runs, followed)["factor"])  # 90 min: two runs, too few
    shorter = [r.with_thresholds(long_run_min=45) if r.id == "fatigue_overuse" else r for r in RULES]
    p = patterns(runs, followed, rules=shorter).set_index("factor")
    assert p.loc["long", "label"] == "long run (45 min or more)"
    assert (p.loc["long", "runs_with"], p.loc["long", "episodes_with"]) == (4, 3)
