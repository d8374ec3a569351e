"""The features -> rules contract: every feature the rules, patterns and reports read exists, by name."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd
import pytest

import runtwitch
from runtwitch.features.columns import DAILY_COLUMN_NAMES, RUN_COLUMN_NAMES
from runtwitch.rules import RULES, Context
from runtwitch.rules.base import GRADE_MEANING
from runtwitch.rules.score import GRADE_SIGMA

SRC = Path(runtwitch.__file__).parent
#: Accessors that read a run feature, and those that read a daily feature, by the name passed to them.
RUN_READERS = {"value", "run_column"}
DAILY_READERS = {"daily", "daily_column"}


def _names_read(folder: str) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(file, name) of every literal feature name passed to an accessor in a folder's modules (its
    subpackages included)."""
    run, daily = set(), set()
    for path in sorted((SRC / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                continue
            func = node.func
            name = getattr(func, "attr", None) or getattr(func, "id", "")
            if name in RUN_READERS:
                run.add((str(path.relative_to(SRC)), node.args[0].value))
            elif name in DAILY_READERS:
                daily.add((str(path.relative_to(SRC)), node.args[0].value))
    return run, daily


@pytest.mark.parametrize("folder", ["rules", "render"])
def test_every_feature_read_by_name_is_in_the_feature_tables(folder: str) -> None:
    run, daily = _names_read(folder)
    assert not {(f, n) for f, n in run if n not in RUN_COLUMN_NAMES}
    assert not {(f, n) for f, n in daily if n not in DAILY_COLUMN_NAMES}
    if folder == "rules":  # the scan does find the rules' reads
        assert len(run) > 30 and len(daily) >= 3


def test_every_factor_belongs_to_its_rule_and_reads_only_the_feature_tables() -> None:
    from runtwitch.features.columns import RUN_COLUMNS
    from runtwitch.rules.factors import Table

    nan = [float("nan")] * 3
    runs = pd.DataFrame({c.name: nan for c in RUN_COLUMNS if c.name != "activity_id"},
                        index=pd.Index(["a", "b", "c"], name="activity_id"))
    runs["local_date"] = pd.to_datetime(["2026-06-01", "2026-06-02", "2026-06-03"])
    table = Table(runs, None)
    for rule in RULES:
        for f in rule.factors:
            assert f.cause == rule.id
            obs = f.observe(table, rule.values())  # nothing known: nothing made up
            assert obs.x.isna().all() or (obs.x.fillna(0) == 0).all(), f.id


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


def test_priors_are_data_on_the_factors() -> None:
    for rule in RULES:
        assert rule.weights == {}  # no points written by hand: the score comes from the factors
        for f in rule.factors:
            assert f.grade in GRADE_MEANING and f.grade in GRADE_SIGMA, f.id
            assert f.rr_cramp >= 1.0 and f.rr_twitch >= 1.0 and f.source, f.id
    fatigue = next(r for r in RULES if r.id == "fatigue_overuse")
    with pytest.raises(KeyError, match="no weights"):
        fatigue.with_weights(nonsense=1.0)
    with pytest.raises(ValueError, match="both a threshold and a weight"):
        runtwitch.Rule("x", "X", "weak", "", (), {"a": runtwitch.rules.Threshold(1.0, "", "")},
                       lambda c, v: runtwitch.rules.Assessment(None), weights={"a": 0.1})
    # no score is written inline: a built-in rule has no assess of its own
    assert all(r.assess is None for r in RULES)


def test_the_patterns_use_the_thresholds_in_force() -> None:
    from runtwitch.features.columns import RUN_COLUMNS
    from runtwitch.rules.patterns import patterns

    n = 24
    index = pd.Index([f"r{k}" for k in range(n)], name="activity_id")
    nan = [float("nan")] * n
    runs = pd.DataFrame({c.name: nan for c in RUN_COLUMNS if c.name != "activity_id"}, index=index)
    runs["is_run"] = True
    runs["spike_distance_ratio"] = [1.25] * 12 + [1.0] * 12
    followed = pd.Series([k in (0, 3, 6, 9, 15, 20) for k in range(n)], index=runs.index)
    p = patterns(runs, followed).set_index("factor")
    assert (p.loc["spike", "runs_with"], p.loc["spike", "episodes_with"]) == (12, 4)
    assert "one of them can look this strong by chance" in p.loc["spike", "note"]
    stricter = [r.with_thresholds(spike_ratio=1.2) if r.id == "fatigue_overuse" else r for r in RULES]
    assert "spike" not in set(patterns(runs, followed, rules=stricter)["factor"])  # no runs with it left


def test_no_pattern_from_too_few_episodes() -> None:
    from runtwitch.features.columns import RUN_COLUMNS
    from runtwitch.rules.patterns import patterns

    n = 63  # the example: one episode after 3 exposed runs, none after 60 others
    index = pd.Index([f"r{k}" for k in range(n)], name="activity_id")
    runs = pd.DataFrame({c.name: [float("nan")] * n for c in RUN_COLUMNS if c.name != "activity_id"},
                        index=index)
    runs["is_run"] = True
    runs["spike_distance_ratio"] = [1.5] * 3 + [1.0] * 60
    followed = pd.Series([k == 0 for k in range(n)], index=runs.index)
    assert patterns(runs, followed).empty
