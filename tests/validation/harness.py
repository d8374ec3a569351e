"""The one adapter to the cause engine, and the measurements the validation checks make.

:func:`explain_history` is the only place that knows how runtwitch turns
activities, a diary and a profile into an explanation: when the engine's entry
points move, re-point this function (and :func:`verdicts`, which reads the
result) and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

import runtwitch
from tests.validation import simulate as sim

#: The score from which a cause counts as "confident": the engine's own "likely" level.
CONFIDENT_SCORE = runtwitch.rules.LIKELY_SHARE
#: Days of history before a run may carry a pretend episode (the engine needs a usual to compare with).
WARMUP_DAYS = 21
#: Pretend episodes go into the diary in batches: every STRIDE-th ordinary run of
#: a batch, so at most one run in STRIDE is followed by an episode.
STRIDE = 3


def explain_history(
    activities: Sequence[runtwitch.Activity], diary: runtwitch.Diary, athlete: runtwitch.Athlete
) -> runtwitch.Explanation:
    """Explain every diary episode of one runner: the engine's whole pipeline after import.

    The same steps as :func:`runtwitch.analyze`, minus reading files.
    """
    season = runtwitch.Season.build(list(activities), diary=diary, athlete=athlete)
    runs = runtwitch.run_features(season)
    days = runtwitch.daily_features(season, runs=runs)
    return runtwitch.explain(season.episodes, runs, days)


@dataclass(frozen=True)
class Verdict:
    """What the engine said about one episode.

    ``top`` is the cause the engine presents as the answer (None when no cause
    stands out); ``first`` is the best-ranked cause with any weight at all,
    which may differ once the engine can say "nothing stands out" while still
    ranking weak evidence.
    """

    episode_id: str
    activity_id: str | None
    top: str | None
    top_score: float
    first: str | None
    scores: dict[str, float | None] = field(hash=False)  # None: not assessed

    def score(self, cause: str) -> float:
        """A cause's score (0 when not assessed or not offered by the engine)."""
        v = self.scores.get(cause)
        return 0.0 if v is None else v

    @property
    def confident(self) -> bool:
        return self.top is not None and self.top_score >= CONFIDENT_SCORE


def verdicts(ex: runtwitch.Explanation) -> dict[str, Verdict]:
    """Each episode's verdict, by episode id."""
    out: dict[str, Verdict] = {}
    causes = ex.causes
    for _, ep in ex.episodes.iterrows():
        eid = str(ep["episode_id"])
        rows = causes[causes["episode_id"] == eid]
        scores = {str(c): (None if pd.isna(s) else float(s))
                  for c, s in zip(rows["cause"], rows["score"], strict=True)}
        weighed = rows[rows["score"].fillna(0) > 0].sort_values(["rank", "cause"])
        first = str(weighed["cause"].iloc[0]) if len(weighed) else None
        top = ep.get("top_cause")
        top = None if top is None or (not isinstance(top, str) and pd.isna(top)) else str(top)
        aid = ep.get("activity_id")
        out[eid] = Verdict(eid, None if aid is None or pd.isna(aid) else str(aid), top,
                           (scores.get(top) or 0.0) if top else 0.0, first, scores)
    return out


def engine_causes() -> tuple[str, ...]:
    """The cause identifiers the engine weighs."""
    from runtwitch.rules import RULES  # the engine's cause list (one import, re-point here)

    return tuple(r.id for r in RULES)


def activity_id(run: sim.PlannedRun) -> str:
    """The id runtwitch gives a simulated run's activity (its source name)."""
    return f"{run.key}.sim"


def explain_with(history: sim.History, extra: Sequence[sim.Episode] = ()) -> dict[str, Verdict]:
    """Verdicts for every episode of the history plus ``extra``, keyed by the run each follows."""
    inp = sim.inputs(history, extra)
    ex = explain_history(inp.activities, inp.diary, inp.athlete)
    by_run: dict[str, Verdict] = {}
    for v in verdicts(ex).values():
        if v.activity_id is not None:
            by_run[v.activity_id] = v
    return by_run


# --- base rate ------------------------------------------------------------------------


def ordinary_runs(history: sim.History, warmup_days: int = WARMUP_DAYS) -> list[sim.PlannedRun]:
    """Training runs after the warm-up weeks, not races, not followed by a logged episode."""
    first = history.runs[0].day
    followed = {e.after for e in history.episodes}
    return [r for r in history.runs
            if r.sport == "running" and r.kind != "race" and (r.day - first).days >= warmup_days
            and r.key not in followed]


def pretend_episodes(history: sim.History, runs: Sequence[sim.PlannedRun]) -> list[sim.Episode]:
    """One timed episode after each run (before the next run starts), drawn from the runner's seed."""
    rng = np.random.default_rng([sim.seed_of(history.runner.name, "pretend"), len(history.runs)])
    order = {r.key: k for k, r in enumerate(history.runs)}
    out = []
    for run in runs:
        k = order[run.key]
        nxt = history.runs[k + 1] if k + 1 < len(history.runs) else None
        ep = sim.draw_episode(history.runner, run, rng, nxt=nxt, timed=True,
                              kind=str(rng.choice(["twitch", "cramp"], p=[0.7, 0.3])))
        if ep is not None:
            out.append(ep)
    return out


def base_rate(history: sim.History, stride: int = STRIDE) -> pd.DataFrame:
    """The engine's verdicts on pretend episodes after each ordinary run of one runner.

    Returns
    -------
    pandas.DataFrame
        One row per pretend episode: ``runner``, ``run``, ``run_kind``,
        ``linked`` (the episode was linked to its run), ``top``, ``top_score``,
        ``confident`` and one score column per cause.
    """
    episodes = pretend_episodes(history, ordinary_runs(history))
    rows: list[dict[str, Any]] = []
    kinds = {activity_id(r): r.kind for r in history.runs}
    for b in range(stride):
        batch = episodes[b::stride]
        if not batch:
            continue
        got = explain_with(history, batch)
        for ep in batch:
            aid = f"{ep.after}.sim"
            v = got.get(aid)
            row: dict[str, Any] = {"runner": history.runner.name, "run": aid, "run_kind": kinds[aid],
                                   "linked": v is not None}
            if v is not None:
                row |= {"top": v.top, "top_score": v.top_score, "confident": v.confident,
                        **{f"score:{c}": v.score(c) for c in v.scores}}
            rows.append(row)
    return pd.DataFrame(rows)


def base_rate_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per cause: the share of pretend episodes where it is top, and where it is top and confident."""
    linked = table[table["linked"]]
    n = len(linked)
    causes = sorted({c.split(":", 1)[1] for c in linked.columns if c.startswith("score:")})
    rows = []
    for c in causes:
        top = linked["top"] == c
        rows.append({"cause": c, "top": top.sum() / n if n else np.nan,
                     "confident": (top & linked["confident"]).sum() / n if n else np.nan})
    rows.append({"cause": "(none stands out)", "top": linked["top"].isna().sum() / n if n else np.nan,
                 "confident": np.nan})
    rows.append({"cause": "(any confident)", "top": np.nan,
                 "confident": linked["confident"].sum() / n if n else np.nan})
    out = pd.DataFrame(rows).set_index("cause")
    out.attrs["n"] = n
    return out

