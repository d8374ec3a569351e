"""``explain``: link each episode to its likely causes, raise red flags, find patterns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from runtwitch.features.columns import run_column
from runtwitch.rules.base import Context, Rule
from runtwitch.rules.causes import RULES
from runtwitch.rules.flags import FLAGS, persistence, signs_flags
from runtwitch.rules.medications import medication_history
from runtwitch.rules.patterns import patterns
from runtwitch.rules.safety import URGENCY, evaluate
from runtwitch.rules.signs import episode_signs

DISCLAIMER = (
    "runtwitch points out likely causes from your own data and says when to see a doctor; "
    "it does not diagnose. Twitching with weakness, that spreads, that keeps coming back or "
    "that disturbs sleep deserves a medical check-up."
)


#: Columns of :attr:`Explanation.safety`.
SAFETY_COLUMNS = ["episode_id", "gate", "urgency", "title", "message", "action", "evidence", "source"]


@dataclass
class Explanation:
    """The result of :func:`explain`.

    Attributes
    ----------
    episodes
        Linked episodes plus ``top_cause``, ``flags`` (list of flag ids) and
        ``urgent`` (list of safety-gate ids).
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
    safety
        One row per safety gate raised (signs that need medical care today or
        now, checked before any cause; :mod:`runtwitch.rules.safety`):
        ``episode_id``, ``gate``, ``urgency`` (``now`` / ``today``),
        ``title``, ``message``, ``action`` (what the tier asks), ``evidence``
        (list of sentences) and ``source``. Shown before everything else.
    """

    episodes: pd.DataFrame
    causes: pd.DataFrame
    flags: pd.DataFrame
    patterns: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    disclaimer: str = DISCLAIMER
    safety: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SAFETY_COLUMNS))

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
    ep_urgent: list[list[str]] = []
    safety_rows: list[dict[str, Any]] = []
    top: list[Any] = []
    persistent = persistence(episodes, runs)  # once, over the sorted history
    medicines = medication_history(_medicine_rows(episodes, runs))
    measured_persistence: set[str] = set()
    for idx, ep in episodes.iterrows():
        run = _row(runs, ep.get("activity_id"))
        # safety first: gates and red flags, before any cause is weighed
        signs = episode_signs(ep, run)
        gates = evaluate(signs)
        ep_urgent.append([g.gate.id for g in gates])
        safety_rows += [
            {
                "episode_id": ep["episode_id"],
                "gate": g.gate.id,
                "urgency": g.gate.urgency,
                "title": g.gate.title,
                "message": g.gate.message,
                "action": URGENCY[g.gate.urgency],
                "evidence": list(g.evidence),
                "source": g.gate.source,
            }
            for g in gates
        ]
        lasting = persistent.loc[[idx]].iloc[0]
        ep_flags.append(signs_flags(signs, persistent=bool(lasting["persistent"])))
        if lasting["persistent"] and lasting["with_measures"]:
            measured_persistence.add(ep["episode_id"])
        if signs.muscles.unknown:
            names = ", ".join(f"'{m}'" for m in signs.muscles.unknown)
            warnings.append(
                f"episode {ep['episode_id']}: {names} not read as a muscle runtwitch knows; not counted "
                "for the 'widespread' flag (the names it reads are in docs/rules.md)"
            )
        warnings += [f"episode {ep['episode_id']}: muscles: {n}" for n in signs.muscles.notes]
        day = None
        if run is not None and days is not None:
            day = _row(days, pd.Timestamp(run["local_date"]))
        ctx = Context(ep, run, day, episodes, runs, days=days, medicines=medicines)
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
        if run is None:
            warnings.append(
                f"episode {ep['episode_id']} ({_day(ep['date'])}) is not linked to a run; "
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
    eps["urgent"] = pd.Series(ep_urgent, index=eps.index, dtype=object)
    flag_rows = []
    for fid, spec in FLAGS.items():
        ids = [eid for eid, fl in zip(eps["episode_id"], ep_flags, strict=True) if fid in fl]
        if ids:
            stronger = fid == "persistent" and measured_persistence & set(ids)
            message = f"{spec.message} {spec.strengthened}" if stronger else spec.message
            flag_rows.append({"flag": fid, "episodes": ids, "message": message})
    flags = pd.DataFrame(flag_rows, columns=["flag", "episodes", "message"])
    safety = pd.DataFrame(safety_rows, columns=SAFETY_COLUMNS)
    followed = pd.Series(False, index=runs.index)
    linked = eps["activity_id"].dropna() if "activity_id" in eps else pd.Series(dtype=object)
    followed[followed.index.isin(list(linked))] = True
    pats = (patterns(runs, followed, days, rules=chosen) if len(runs)
            else patterns(runs.iloc[:0], followed, rules=chosen))
    return Explanation(eps, causes, flags, pats, warnings, safety=safety)


def _day(date: Any) -> str:
    """An episode's date as YYYY-MM-DD, or "no usable date" (a bad diary cell, reported by the reader)."""
    return "no usable date" if pd.isna(date) else f"{pd.Timestamp(date):%Y-%m-%d}"


def _medicine_rows(episodes: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """Dated medicine lists: each run's diary context and each episode's own row."""
    sources = (
        (runs, run_column("local_date"), run_column("diary_medications")),
        (episodes, "date", "medications"),
    )
    parts = [
        pd.DataFrame({"date": frame[date].to_numpy(), "medications": frame[meds].to_numpy()})
        for frame, date, meds in sources
        if date in frame and meds in frame
    ]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["date", "medications"])

