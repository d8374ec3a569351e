"""Print the validation tables of the cause engine on simulated runners.

    python -m tests.validation [--seeds 1 2 3] [--archetypes NAME ...] [--weeks 10]

Run from the repository root. Prints:

1. the base-rate table: pretend episodes after every ordinary run of each
   simulated runner (every archetype x every seed); per cause, how often it is
   the top cause and how often it is top and confident (score >=
   ``harness.CONFIDENT_SCORE``), pooled, then the worst cause per runner;
2. the ablation table: each cause's clear scenario and its ablated twin;
3. the history table: a risky run for a runner used to it versus one new to it;
4. the confounder checks.

The same checks run in CI (``tests/validation/test_validation.py``) on fewer runners.
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from tests.validation import harness as hz
from tests.validation import scenarios as sc
from tests.validation import simulate as sim


def _pct(x: float) -> str:
    return "–" if pd.isna(x) else f"{x:.0%}"


def base_rate_tables(
    archetypes: list[str], seeds: list[int], weeks: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    tables, per_runner = [], []
    for name in archetypes:
        for seed in seeds:
            table = hz.base_rate(sim.simulate_runner(name, seed, weeks))
            tables.append(table)
            s = hz.base_rate_summary(table)
            causes = s.drop(index=["(none stands out)", "(any confident)"])
            worst = causes["top"].idxmax()
            per_runner.append({
                "runner": f"{name}#{seed}", "episodes": s.attrs["n"], "most often top": worst,
                "top share": causes.loc[worst, "top"], "none stands out": s.loc["(none stands out)", "top"],
                "any confident": s.loc["(any confident)", "confident"],
            })
    return hz.base_rate_summary(pd.concat(tables, ignore_index=True)), pd.DataFrame(per_runner)


def ablation_table() -> pd.DataFrame:
    rows = []
    engine = set(hz.engine_causes())
    for cause, s in sc.SCENARIOS.items():
        if cause not in engine:
            rows.append({"cause": cause, "runner": f"{s.runner[0]}#{s.runner[1]}",
                         "clear: first": "(no such cause)", "clear score": float("nan"), "ablated: first": "",
                         "ablated score": float("nan"), "passes": False})
            continue
        clear, ablated = sc.scenario_verdict(cause, True), sc.scenario_verdict(cause, False)
        rows.append({"cause": cause, "runner": f"{s.runner[0]}#{s.runner[1]}", "clear: first": clear.first,
                     "clear score": clear.score(cause), "ablated: first": ablated.first,
                     "ablated score": ablated.score(cause),
                     "passes": clear.first == cause and ablated.first != cause})
    return pd.DataFrame(rows)


def history_table() -> pd.DataFrame:
    rows = []
    for cause, case in sc.HISTORY_CASES.items():
        used, new = sc.history_verdicts(cause)
        rows.append({"cause": cause, "factor": case.factor, "used to it": used.score(cause),
                     "new to it": new.score(cause), "passes": used.score(cause) < new.score(cause)})
    return pd.DataFrame(rows)


def confounder_table() -> pd.DataFrame:
    good, poor, unmeasured = (sc.heat_run(x) for x in sc.HYDRATION)
    rows = [
        {"check": "heat, measured good hydration: dehydration not top, not confident, lower than unmeasured",
         "result": f"top {good.top}; dehydration {good.score('dehydration'):.2f} "
                   f"(unmeasured {unmeasured.score('dehydration'):.2f}, "
                   f"poor {poor.score('dehydration'):.2f})",
         "passes": good.top != "dehydration" and good.score("dehydration") < hz.CONFIDENT_SCORE
         and (good.score("dehydration") < unmeasured.score("dehydration") or good.score("dehydration") == 0)},
    ]
    for name in sc.HARD_SESSIONS:
        v = sc.hard_session_without_cooldown(name)
        rows.append({"check": f"{name}, no cool-down: effort >= no cool-down",
                     "result": f"fatigue_overuse {v.score('fatigue_overuse'):.2f}, "
                               f"poor_circulation {v.score('poor_circulation'):.2f}",
                     "passes": v.score("fatigue_overuse") >= v.score("poor_circulation")})
    p = sc.predicted_only()
    rows.append({"check": "predicted fluid and salt only: nothing confident",
                 "result": f"dehydration {p.score('dehydration'):.2f}, "
                           f"electrolyte_imbalance {p.score('electrolyte_imbalance'):.2f}",
                 "passes": max(p.score("dehydration"), p.score("electrolyte_imbalance"))
                 < hz.CONFIDENT_SCORE})
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.validation", description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    names = sorted(sim.ARCHETYPES)
    parser.add_argument("--archetypes", nargs="+", default=names, choices=names)
    parser.add_argument("--weeks", type=int, default=sim.WEEKS)
    args = parser.parse_args()
    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 90)
    t0 = time.perf_counter()
    pooled, per_runner = base_rate_tables(args.archetypes, args.seeds, args.weeks)
    n = pooled.attrs["n"]
    print(f"Base rate: {n} pretend episodes after the ordinary runs of {len(per_runner)} simulated runners "
          f"(confident: score >= {hz.CONFIDENT_SCORE:g})\n")
    table = pooled.assign(top=pooled["top"].map(_pct), confident=pooled["confident"].map(_pct))
    print(table.to_string(), "\n")
    shares = ("top share", "none stands out", "any confident")
    shown = per_runner.assign(**{c: per_runner[c].map(_pct) for c in shares})
    print(shown.to_string(index=False), "\n")
    broken = (per_runner["top share"] > 0.40) | (per_runner["any confident"] > 0.25)
    print(f"Runners breaking the base-rate check (top > 40 % or confident > 25 %): "
          f"{broken.sum()} of {len(per_runner)}\n")
    print("Ablation (clear scenario -> cause on top; evidence removed -> not on top)\n")
    print(ablation_table().round(3).to_string(index=False), "\n")
    print("History (the same risky run: runner used to it without twitching vs runner new to it)\n")
    print(history_table().round(3).to_string(index=False), "\n")
    print("Confounders\n")
    print(confounder_table().to_string(index=False), "\n")
    print(f"({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
