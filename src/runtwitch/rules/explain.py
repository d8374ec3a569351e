"""``explain``: link each episode to its likely causes, raise red flags, find patterns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from runtwitch.rules.base import Context, Rule
from runtwitch.rules.causes import RULES
from runtwitch.rules.flags import FLAGS, episode_flags
from runtwitch.rules.patterns import patterns

DISCLAIMER = (
    "runtwitch points out likely causes from your own data and says when to see a doctor; "
    "it does not diagnose. Twitching with weakness, that spreads, that keeps coming back or "
    "that disturbs sleep deserves a medical check-up."
)


@dataclass
class Explanation:
    """The result of :func:`explain`.

    Attributes
    ----------
    episodes
        Linked episodes plus ``top_cause`` and ``flags`` (list of flag ids).
    causes
        One row per episode and cause: ``episode_id``, ``cause``, ``title``,
        ``score`` (0-1, <NA> when not assessed), ``rank`` (<NA> when not
        assessed), ``status`` (``assessed`` / ``not assessed``), ``evidence``
        (list of sentences), ``points`` (score per sentence), ``missing``,
        ``remedies``, ``evidence_grade`` and ``grade_note``.
    flags
        One row per red flag raised: ``flag``, ``episodes`` (ids), ``message``.
    patterns
        Personal associations, see :func:`runtwitch.rules.patterns.patterns`.
    warnings
        Remarks about the inputs.
    """

    episodes: pd.DataFrame
    causes: pd.DataFrame
    flags: pd.DataFrame
    patterns: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    disclaimer: str = DISCLAIMER

    def for_episode(self, episode_id: str) -> pd.DataFrame:
        """The ranked causes of one episode."""
        c = self.causes[self.causes["episode_id"] == episode_id]
        return c.sort_values(["rank", "cause"], na_position="last")

    def missing_summary(self) -> pd.Series:
        """What to log next time, with how many episodes would have benefited."""
        lines = [m for ms in self.causes["missing"] for m in ms]
        return pd.Series(lines, dtype=object).value_counts()


def _row(frame: pd.DataFrame | None, key: Any) -> pd.Series | None:
    if frame is None or key is None or pd.isna(key) or key not in frame.index:
        return None
    row: pd.Series = frame.loc[key]
    return row


def explain(
    episodes: pd.DataFrame,
    runs: pd.DataFrame,
    days: pd.DataFrame | None = None,
    *,
    rules: Sequence[Rule] = RULES,
    thresholds: Mapping[str, Mapping[str, float]] | None = None,
) -> Explanation:
    """Rank the likely causes of each episode, with evidence, and raise red flags.

    Parameters
    ----------
    episodes
        Episodes linked to runs (:func:`runtwitch.link_episodes`).
    runs
        :func:`runtwitch.run_features` (it carries the diary context of each run).
    days
        :func:`runtwitch.daily_features`, for streaks, rest days and load.
    rules
        The causes to weigh; add your own :class:`~runtwitch.rules.base.Rule`
        objects to extend them.
    thresholds
        Overrides, ``{rule id: {threshold name: value}}``; the personal
        patterns use them too.

    Returns
    -------
    Explanation
    """
    warnings: list[str] = []
    chosen = [
        r.with_thresholds(**thresholds[r.id]) if thresholds and r.id in thresholds else r for r in rules
    ]
    if thresholds:
        unknown = set(thresholds) - {r.id for r in rules}
        if unknown:
            raise KeyError(f"thresholds given for unknown rules {sorted(unknown)}")
    cause_rows: list[dict[str, Any]] = []
    ep_flags: list[list[str]] = []
    top: list[Any] = []
    for _, ep in episodes.iterrows():
        run = _row(runs, ep.get("activity_id"))
        day = None
        if run is not None and days is not None:
            day = _row(days, pd.Timestamp(run["local_date"]))
        ctx = Context(ep, run, day, episodes, runs, days)
        results = []
        for rule in chosen:
            a = rule.run(ctx)
            results.append((rule, a))
        assessed = sorted(
            [(r, a) for r, a in results if a.score is not None], key=lambda x: (-(x[1].score or 0.0), x[0].id)
        )
        ranks = {r.id: k + 1 for k, (r, _) in enumerate(assessed)}
        for rule, a in results:
            cause_rows.append(
                {
                    "episode_id": ep["episode_id"],
                    "cause": rule.id,
                    "title": rule.title,
                    "score": a.score,
                    "rank": ranks.get(rule.id),
                    "status": "assessed" if a.score is not None else "not assessed",
                    "evidence": [e.text for e in a.evidence],
                    "points": [e.points for e in a.evidence],
                    "missing": list(a.missing),
                    "remedies": list(rule.remedies),
                    "evidence_grade": rule.evidence_grade,
                    "grade_note": rule.grade_note,
                }
            )
        best = assessed[0] if assessed and (assessed[0][1].score or 0) > 0 else None
        top.append(best[0].id if best else None)
        ep_flags.append(episode_flags(ep, run, episodes, runs))
        if run is None:
            warnings.append(
                f"episode {ep['episode_id']} ({ep['date']:%Y-%m-%d}) is not linked to a run; "
                "only red flags were checked"
            )
    causes = pd.DataFrame(
        cause_rows,
        columns=[
            "episode_id",
            "cause",
            "title",
            "score",
            "rank",
            "status",
            "evidence",
            "points",
            "missing",
            "remedies",
            "evidence_grade",
            "grade_note",
        ],
    )
    causes["score"] = causes["score"].astype("Float64")
    causes["rank"] = causes["rank"].astype("Int64")
    eps = episodes.copy()
    eps["top_cause"] = pd.Series(top, index=eps.index, dtype=object)
    eps["flags"] = pd.Series(ep_flags, index=eps.index, dtype=object)
    flag_rows = []
    for fid, spec in FLAGS.items():
        ids = [eid for eid, fl in zip(eps["episode_id"], ep_flags, strict=True) if fid in fl]
        if ids:
            flag_rows.append({"flag": fid, "episodes": ids, "message": spec.message})
    flags = pd.DataFrame(flag_rows, columns=["flag", "episodes", "message"])
    followed = pd.Series(False, index=runs.index)
    linked = eps["activity_id"].dropna() if "activity_id" in eps else pd.Series(dtype=object)
    followed[followed.index.isin(list(linked))] = True
    pats = (patterns(runs, followed, days, rules=chosen) if len(runs)
            else patterns(runs.iloc[:0], followed, rules=chosen))
    return Explanation(eps, causes, flags, pats, warnings)

