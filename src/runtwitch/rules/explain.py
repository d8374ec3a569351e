"""``explain``: link each episode to its likely causes, raise red flags, find patterns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd

from runtwitch.features.columns import run_column
from runtwitch.model.display import notebook_html
from runtwitch.model.frames import object_array
from runtwitch.rules import engine as en
from runtwitch.rules.base import Context, Rule, cells
from runtwitch.rules.causes import RULES, with_current_medicines
from runtwitch.rules.flags import FLAGS, persistence, signs_flags
from runtwitch.rules.medications import medication_history
from runtwitch.rules.patterns import COUNT_COLUMNS, patterns_and_counts
from runtwitch.rules.remedies import fit, person
from runtwitch.rules.safety import URGENCY, evaluate
from runtwitch.rules.score import POSSIBLE_SHARE, shares, verdict
from runtwitch.rules.signs import signs_of
from runtwitch.rules.weigh import day_triggers, weigh_episode

DISCLAIMER = (
    "runtwitch points out likely causes from your own data and says when to see a doctor; "
    "it does not diagnose. Twitching with weakness, that spreads, that lasts more than two weeks or "
    "that disturbs sleep deserves a medical check-up."
)


#: Columns of :attr:`Explanation.safety`.
SAFETY_COLUMNS = ["episode_id", "gate", "urgency", "title", "message", "action", "evidence", "source"]


#: The causes a safety gate speaks of too (:mod:`runtwitch.rules.safety`): below a raised gate,
#: such a cause opens with a line saying the urgent sign comes first, so that a low score for the
#: twitch ("unlikely") never reads as a denial of what the gate found (heat exhaustion after a run
#: whose heat explains little of the twitch).
GATE_COVERS: dict[str, tuple[str, ...]] = {
    "heat_exhaustion": ("dehydration",),
    "heatstroke": ("dehydration",),
    "low_sodium": ("dehydration", "electrolyte_imbalance"),
    "muscle_breakdown": ("fatigue_overuse",),
}


@dataclass
class Explanation:
    """The result of :func:`explain`.

    Attributes
    ----------
    episodes
        Linked episodes plus ``top_cause`` (the cause with the largest share
        if it is at least "possible", else None: nothing stands out),
        ``flags`` (list of flag ids), ``urgent`` (list of safety-gate ids),
        ``background`` (the share of the episode no cause explains: what any
        of the runner's usual runs carries), ``log_rr`` (total log relative
        risk of an episode after this run against the runner's usual run),
        ``run_type``, ``changed`` (list of sentences: what changed against
        the runner's usual, shown first) and ``unusual`` (the ids of the
        factors present far more than usual, in the order of their sentences
        in ``changed``).
    causes
        One row per episode and cause: ``episode_id``, ``cause``, ``title``,
        ``score`` (the cause's share of the explanation, 0-1, see
        :mod:`runtwitch.rules.score`; <NA> when not assessed), ``rank`` (by
        share, then by ``log_rr``; <NA> when not assessed), ``status``
        (``assessed`` / ``not assessed``), ``verdict`` (:func:`verdict`),
        ``log_rr`` (the cause's log relative risk: negative when the evidence
        argues against it), ``evidence`` (list of sentences), ``points``
        (share per sentence; they add up to the score), ``direction`` (per
        sentence: ``for``, ``usual`` or ``against``), ``sources`` (per
        sentence: ``measured``, ``logged``, ``predicted`` or ``history``),
        ``missing``, ``remedies`` (every remedy that fits the person),
        ``remedy_notes`` (why some were left out), ``evidence_grade`` and
        ``grade_note``.
    flags
        One row per red flag raised: ``flag``, ``episodes`` (ids), ``message``.
    patterns
        Personal associations, see :func:`runtwitch.rules.patterns.patterns`.
    pattern_counts
        The 2x2 counts of every factor, without the minimums of ``patterns``
        (:func:`runtwitch.rules.patterns.pattern_counts`): what a cohort pools.
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
    pattern_counts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COUNT_COLUMNS))

    def __repr__(self) -> str:
        """One line: episodes, safety gates, red flags and personal patterns (the frames are not shown)."""
        urgent = self.safety["episode_id"].nunique() if len(self.safety) else 0
        return (f"<Explanation of {len(self.episodes)} episodes: {urgent} with urgent signs, "
                f"{len(self.flags)} red flags raised, {len(self.patterns)} personal patterns>")

    def for_episode(self, episode_id: str) -> pd.DataFrame:
        """The ranked causes of one episode."""
        c = self.causes[self.causes["episode_id"] == episode_id]
        return c.sort_values(["rank", "cause"], na_position="last")

    def missing_summary(self) -> pd.Series:
        """What to log next time, with how many episodes would have benefited.

        Each need counts once per episode, however many of its causes ask for
        it; needs that more activity files meet rather than the diary are in
        :data:`runtwitch.rules.weigh.FROM_FILES`.
        """
        pairs = dict.fromkeys((e, m) for e, ms in zip(self.causes["episode_id"], self.causes["missing"],
                                                      strict=True) for m in ms)
        return pd.Series([m for _, m in pairs], dtype=object).value_counts()

    def _repr_html_(self) -> str:
        """Rich display in a notebook: urgent signs, red flags and one summary row per episode, as at
        the top of the report (drawn by :mod:`runtwitch.render.notebook`).

        The renderer is a later stage of the pipeline, looked up when the object
        is displayed (:func:`runtwitch.model.display.notebook_html`).
        """
        return notebook_html("explanation_html", self)


_OBJECT = np.dtype(object)


class _Rows:
    """``frame.loc[key]``, one row at a time, from the frame's cells taken once.

    A row of a wide frame of many dtypes costs a pandas selection each time
    (one lookup per block and per extension column); here the rows asked for
    (``wanted``, or every row) are taken once into an object matrix, and a row
    is one Series made from it. The row is the same Series as ``frame.loc[key]``: the same
    values of the same types, index, name and dtype (object, as pandas makes
    it for a frame of mixed dtypes). A frame whose rows pandas makes otherwise
    (one dtype, repeated labels) is left to ``frame.loc``.
    """

    def __init__(self, frame: pd.DataFrame | None, wanted: Iterable[Any] | None = None) -> None:
        self.frame = frame
        self.cells: np.ndarray | None = None  # the rows read, one object per cell (when taken)
        self.names: list[Any] = [] if frame is None else frame.columns.tolist()
        #: the row of ``cells`` holding each frame row read, by position (every row, or those of ``wanted``)
        self.slot: dict[int, int] = {}
        #: each key asked for (``wanted``) that is a label of the frame: its row of ``cells`` and
        #: the label as ``frame.index[k]`` gives it (what the index would answer, without asking it)
        self.found: dict[Any, tuple[int, Any]] = {}
        if frame is None or len(frame) == 0 or not (frame.index.is_unique and frame.columns.is_unique):
            return
        if frame.iloc[0].dtype != object:
            return
        index = frame.index
        if wanted is None:
            keys = None
            rows = np.arange(len(frame))
        else:
            keys = [key for key in dict.fromkeys(wanted) if key is not None and not pd.isna(key)]
            at = index.get_indexer(pd.Index(keys, dtype=object))
            rows = np.sort(at[at >= 0])
        self.slot = {int(r): j for j, r in enumerate(rows.tolist())}
        if keys is not None:
            # a label of a string index read one at a time costs a pyarrow scalar each: the labels
            # of the rows taken are read together (the same str, NA or NaN cells), others one each
            labels = (list(index[rows]) if isinstance(index.dtype, pd.StringDtype)
                      else [index[r] for r in rows.tolist()])
            label_of = dict(zip(rows.tolist(), labels, strict=True))
            self.found = {key: (self.slot[r], label_of[r])
                          for key, r in zip(keys, at.tolist(), strict=True) if r >= 0}
        cells = self.cells = np.empty((len(rows), len(self.names)), dtype=object)
        for c, name in enumerate(frame.columns):
            col = frame[name]
            # numpy columns give numpy scalars, as pandas' row does; others their array's scalars
            if isinstance(col.dtype, np.dtype) and col.dtype.kind == "O":
                cells[:, c] = col.to_numpy()[rows]  # objects (lists too) as they are
            elif isinstance(col.dtype, np.dtype) and col.dtype.kind in "biuf":
                cells[:, c] = list(col.to_numpy()[rows])  # a list keeps the numpy scalars
            else:
                cells[:, c] = object_array(col.array.take(rows))

    def get(self, key: Any) -> pd.Series | None:
        """The row of ``key``, or None without a frame, a key, or a row of that key."""
        found = self.read(key)
        return None if found is None else found[0]

    def read(self, key: Any) -> tuple[pd.Series, dict[Any, Any] | None] | None:
        """The row of ``key`` (:meth:`get`) and its cells by column name (what :func:`cells` of
        the row gives; None when the row was not taken from the cells), or None."""
        frame = self.frame
        if frame is None or key is None or pd.isna(key):
            return None
        hit = self.found.get(key)
        row: pd.Series
        if hit is not None:  # a key asked for: a label of the frame, its cells taken
            j, label = hit
        else:
            if key not in frame.index:
                return None
            if self.cells is None:
                row = frame.loc[key]
                return row, None
            k = cast(int, frame.index.get_loc(key))  # a position: the labels are unique
            found = self.slot.get(k)
            if found is None:  # a row not asked for when the cells were taken
                row = frame.loc[key]
                return row, None
            j, label = found, frame.index[k]
        assert self.cells is not None  # a key is found only where the cells were taken
        values = self.cells[j]
        # a copy of the cells, given whole: pandas copies nothing more and sets the name as it builds
        row = pd.Series(values.copy(), index=frame.columns, dtype=_OBJECT, copy=False,
                        name=label).__finalize__(frame)
        return row, dict(zip(self.names, values.tolist(), strict=True))


def _run_days(runs: pd.DataFrame, ids: Iterable[Any]) -> list[pd.Timestamp] | None:
    """The local dates of the runs of ``ids`` found in ``runs`` (the daily rows :func:`explain` reads);
    None (every day) when the runs' labels repeat."""
    if "local_date" not in runs or not runs.index.is_unique:
        return None
    linked = [i for i in dict.fromkeys(ids) if i is not None and not pd.isna(i) and i in runs.index]
    return [pd.Timestamp(d) for d in runs["local_date"].reindex(linked) if not pd.isna(d)]


def _first_by_label(frame: pd.DataFrame) -> dict[Any, tuple[Any, ...]]:
    """The values of the first row of each index label (what ``frame.loc[[label]].iloc[0]`` gives)."""
    out: dict[Any, tuple[Any, ...]] = {}
    for label, *values in frame.itertuples(name=None):
        out.setdefault(label, tuple(values))
    return out


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
    chosen = [with_current_medicines(r) for r in chosen]
    if thresholds:
        unknown = set(thresholds) - {r.id for r in rules}
        if unknown:
            raise KeyError(f"thresholds given for unknown rules {sorted(unknown)}")
    followed = pd.Series(False, index=runs.index)
    linked = episodes["activity_id"].dropna() if "activity_id" in episodes else pd.Series(dtype=object)
    followed[followed.index.isin(list(linked))] = True
    season = en.Season(runs, days, chosen, followed)  # every factor on every run, once
    without_run = day_triggers(episodes, season, chosen)  # episodes linked to no run: the diary's day
    cause_rows: list[dict[str, Any]] = []
    ep_flags: list[list[str]] = []
    ep_urgent: list[list[str]] = []
    safety_rows: list[dict[str, Any]] = []
    top: list[Any] = []
    extra: dict[str, list[Any]] = {"background": [], "log_rr": [], "run_type": [], "changed": [],
                                   "unusual": []}
    persistent = persistence(episodes, runs)  # once, over the sorted history
    lasting_by = _first_by_label(persistent[["persistent", "with_measures"]])
    run_rows = _Rows(runs, episodes.get("activity_id", ()))  # the rows of the linked runs only
    day_rows = _Rows(days, _run_days(runs, episodes.get("activity_id", ())))  # and their days
    episode_columns = episodes.columns.tolist()
    medicines = medication_history(_medicine_rows(episodes, runs))
    cramps = _cramp_days(episodes)
    measured_persistence: set[str] = set()
    unique_columns = episodes.columns.is_unique
    unique_run_columns = runs.columns.is_unique
    for idx, ep in episodes.iterrows():
        ep_cells = cells(ep, episode_columns)
        # the episode's cells by name, read once (what ep[name] and ep.get give, its columns being
        # unique); the same for the run's cells below
        episode: Mapping[Any, Any] | pd.Series = ep_cells if unique_columns else ep
        get = episode.get
        episode_id = episode["episode_id"]
        run, run_cells = run_rows.read(get("activity_id")) or (None, None)
        if run is not None and run_cells is None:
            run_cells = cells(run, run_rows.names)
        run_at: Mapping[Any, Any] | pd.Series | None = (
            None if run is None else run_cells if unique_run_columns and run_cells is not None else run)
        # safety first: gates and red flags, before any cause is weighed
        signs = signs_of(ep_cells, run_cells)
        gates = evaluate(signs)
        ep_urgent.append([g.gate.id for g in gates])
        safety_rows += [
            {
                "episode_id": episode_id,
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
        is_persistent, with_measures = lasting_by[idx]
        raised = signs_flags(signs, persistent=bool(is_persistent))
        ep_flags.append(raised)
        if is_persistent and with_measures:
            measured_persistence.add(episode_id)
        if signs.muscles.unknown:
            names = ", ".join(f"'{m}'" for m in signs.muscles.unknown)
            warnings.append(
                f"episode {episode_id}: {names} not read as a muscle runtwitch knows; not counted "
                "for the 'widespread' flag (the names it reads are in docs/rules.md)"
            )
        warnings += [f"episode {episode_id}: muscles: {n}" for n in signs.muscles.notes]
        day, day_cells = None, None
        if run_at is not None and days is not None:
            day, day_cells = day_rows.read(pd.Timestamp(run_at["local_date"])) or (None, None)
        ctx = Context(ep, run, day, episodes, runs, days=days, medicines=medicines).with_cells(
            run_cells if run is not None and run.index.is_unique else None, day_cells)
        who = person(raised, [g.gate.id for g in gates], signs.medications)
        results = weigh_episode(ctx, season, chosen, str(get("kind") or "twitch"), who.no_drinking,
                         list(signs.medications), episode, without_run.get(idx))
        share, background, total = shares(en.by_cause(results))
        order = sorted(
            [c for c, r in results.items() if r.assessed],
            key=lambda c: (-share[c], -results[c].log_rr, c),
        )
        ranks = {c: k + 1 for k, c in enumerate(order)}
        covering = {c: g.gate for g in gates for c in GATE_COVERS.get(g.gate.id, ())}
        for rule in chosen:
            res = results[rule.id]
            sc = round(share[rule.id], SCORE_DIGITS) if res.assessed else None
            positive = sum(max(w, 0.0) for _, w, _, _ in res.lines)
            kept, notes = fit(rule, who)
            lines = list(res.lines)
            if rule.id in covering:  # the gate speaks of the same body, first: its score is not the word
                gate = covering[rule.id]
                lines.insert(0, (f"The urgent sign above ({gate.title[0].lower()}{gate.title[1:]}) concerns "
                                 "this too, and comes first: this score weighs only what explains the "
                                 "twitch.", 0.0, "usual", "logged"))
            cause_rows.append(
                {
                    "episode_id": episode_id,
                    "cause": rule.id,
                    "title": rule.title,
                    "score": sc,
                    "rank": ranks.get(rule.id),
                    "status": "assessed" if res.assessed else "not assessed",
                    "verdict": verdict(sc, res.log_rr if res.assessed else None),
                    "log_rr": round(res.log_rr, 4) if res.assessed else None,
                    "evidence": [t for t, _, _, _ in lines],
                    "points": [(sc or 0.0) * max(w, 0.0) / positive if positive > 0 else 0.0
                               for _, w, _, _ in lines],
                    "direction": [d for _, _, d, _ in lines],
                    "sources": [src for _, _, _, src in lines],
                    "missing": list(res.missing),
                    "remedies": kept,
                    "remedy_notes": notes,
                    "evidence_grade": rule.evidence_grade,
                    "grade_note": rule.grade_note,
                }
            )
        # the rounded score the causes table shows, so that a first cause shown as "possible" is named
        best = order[0] if order and round(share[order[0]], SCORE_DIGITS) >= POSSIBLE_SHARE else None
        top.append(best)
        kind = run_at["run_type"] if run_at is not None and isinstance(run_at.get("run_type"), str) else None
        weighed = run is not None or bool(order)  # with no run, the day's triggers may be weighed
        extra["background"].append(round(background, 3) if weighed else None)
        extra["log_rr"].append(round(total, 4) if weighed else None)
        extra["run_type"].append(kind)
        changed, unusual = _changed(results, kind) if run is not None else ([], [])
        extra["changed"].append([*changed, *_prior_cramps(cramps, get("kind"), get("date"))])
        extra["unusual"].append(unusual)
        if run is None:
            warnings.append(
                f"episode {episode_id} ({_day(episode['date'])}) is not linked to a run; "
                "only red flags and the day's logged sleep, caffeine, alcohol and stress were checked"
            )
    causes = pd.DataFrame(cause_rows, columns=CAUSE_COLUMNS)
    causes["score"] = causes["score"].astype("Float64")
    causes["log_rr"] = causes["log_rr"].astype("Float64")
    causes["rank"] = causes["rank"].astype("Int64")
    eps = episodes.copy()
    eps["top_cause"] = pd.Series(top, index=eps.index, dtype=object)
    eps["flags"] = pd.Series(ep_flags, index=eps.index, dtype=object)
    eps["urgent"] = pd.Series(ep_urgent, index=eps.index, dtype=object)
    eps["background"] = pd.Series(extra["background"], index=eps.index, dtype="Float64")
    eps["log_rr"] = pd.Series(extra["log_rr"], index=eps.index, dtype="Float64")
    eps["run_type"] = pd.Series(extra["run_type"], index=eps.index, dtype=object)
    eps["changed"] = pd.Series(extra["changed"], index=eps.index, dtype=object)
    eps["unusual"] = pd.Series(extra["unusual"], index=eps.index, dtype=object)
    flag_rows = []
    episode_ids = list(eps["episode_id"])  # the column's cells, read once for every flag
    for fid, spec in FLAGS.items():
        ids = [eid for eid, fl in zip(episode_ids, ep_flags, strict=True) if fid in fl]
        if ids:
            stronger = fid == "persistent" and measured_persistence & set(ids)
            message = f"{spec.message} {spec.strengthened}" if stronger else spec.message
            flag_rows.append({"flag": fid, "episodes": ids, "message": message})
    flags = pd.DataFrame(flag_rows, columns=["flag", "episodes", "message"])
    safety = pd.DataFrame(safety_rows, columns=SAFETY_COLUMNS)
    pats, counts = patterns_and_counts(runs, followed, days, rules=chosen, observed=season.observed)
    return Explanation(eps, causes, flags, pats, warnings, safety=safety, pattern_counts=counts)


#: Decimals of a cause's score as the causes table holds it (and the top cause is chosen by).
SCORE_DIGITS = 3

#: Columns of :attr:`Explanation.causes`.
CAUSE_COLUMNS = [
    "episode_id", "cause", "title", "score", "rank", "status", "verdict", "log_rr", "evidence", "points",
    "direction", "sources", "missing", "remedies", "remedy_notes", "evidence_grade", "grade_note",
]


#: Prior cramps that make a runner susceptible: at least this many in the 30 days before ...
SUSCEPTIBLE_30D = 1
#: ... or this many in the 90 days before.
SUSCEPTIBLE_90D = 2


def _cramp_days(episodes: pd.DataFrame) -> np.ndarray:
    """The dates of the logged cramps, sorted (int64 nanoseconds; unusable dates left out)."""
    if "kind" not in episodes or "date" not in episodes:
        return np.zeros(0, dtype=np.int64)
    dates = pd.DatetimeIndex(pd.to_datetime(episodes.loc[episodes["kind"] == "cramp", "date"]))
    return np.sort(dates[dates.notna()].as_unit("ns").asi8)


#: A day in nanoseconds.
_DAY_NS = 86_400 * 10**9


def _prior_cramps(cramps: np.ndarray, kind: Any, date: Any) -> list[str]:
    """A line on the runner's earlier cramps (``cramps``: :func:`_cramp_days`) for an episode of
    ``kind`` on ``date``: not a cause of this run, but the strongest predictor of the next cramp
    (Schwellnus et al. 2011; Kona medical records, OR 2.40; Hoffman & Stuempfle 2015)."""
    if kind != "cramp" or pd.isna(date):
        return []
    day = pd.Timestamp(date).value  # nanoseconds, as the cramps
    before = int(np.searchsorted(cramps, day, "left"))  # cramps strictly before the day
    n30 = before - int(np.searchsorted(cramps, day - 30 * _DAY_NS, "left"))
    n90 = before - int(np.searchsorted(cramps, day - 90 * _DAY_NS, "left"))
    if n30 < SUSCEPTIBLE_30D and n90 < SUSCEPTIBLE_90D:
        return []
    return [f"You logged {n90} cramp{'s' if n90 != 1 else ''} in the 90 days before ({n30} in the last 30): "
            "earlier cramps are the strongest predictor of the next one in studies of athletes, whatever "
            "the run."]


#: How a sentence of ``changed`` opens when a factor usual for the runner was absent this time.
NOT_THIS_TIME = "Not this time:"


def _changed(results: Mapping[str, en.CauseResult], kind: str | None) -> tuple[list[str], list[str]]:
    """What changed against the runner's usual: the factors far from their usual, strongest first,
    in sentences; and the ids of those far above their usual, in the order of their sentences."""
    weighed = [wf for r in results.values() for wf in r.weighed if abs(wf.u) >= en.CHANGED_MIN_U]
    weighed.sort(key=lambda wf: (-abs(wf.w), wf.factor.id))
    lines, above = [], []
    for wf in weighed[: en.CHANGED_MAX_LINES]:
        if wf.u > 0:
            lines.append(f"{wf.factor.label.capitalize()} (usually on {wf.p:.0%} of {wf.usual_basis}).")
            above.append(wf.factor.id)
        else:
            lines.append(f"{NOT_THIS_TIME} {wf.factor.label} (usually on {wf.p:.0%} of {wf.usual_basis}).")
    if not any(wf.u > 0 for wf in weighed):
        lines.insert(0, en.NOTHING_STOOD_OUT.format(kind=kind or "comparable"))
    return lines, above


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

