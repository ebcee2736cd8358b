"""Runs the named workloads (each ``runs`` times, the median kept), prints every figure beside its baseline and
target, and merges them into docs/benchmarks.json with the commit they were measured at."""
from __future__ import annotations

import json
import platform
import statistics
import subprocess
import sys
from pathlib import Path

import psutil

from .timing import print_table

OUT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.json"
# figure → (at least | at most, value): issue 7's targets, and issue 17's for attribution, e2e and freshness
TARGETS = {
    "ingest.events_per_s": (">=", 20_000), "ingest.ack_p99_ms": ("<=", 50),
    "attribution.orders_per_s": (">=", 20_000), "attribution.cpu_us_per_order": ("<=", 50),
    "attribution.models_cpu_ratio": ("<=", 1.2),  # issue 20: the models add at most 20 % CPU per order
    "e2e.orders_per_s": (">=", 10_000), "freshness.p50_s": ("<=", 0.3), "freshness.p99_s": ("<=", 1.0),
    "replay.events_per_s": (">=", 50_000), "aggregator.lines_per_s": (">=", 20_000), "rebuild.events_per_s": (">=", 50_000),
}
ONCE = ("soak", "dashboard")
LOWER_IS_BETTER = ("ms", "s")  # units of a time: a ratio over 1 means faster than the baseline  # long workloads: one run


def run(names: list[str], runs: int, workloads: dict, write: bool) -> dict:
    figures: dict = {}
    for name in names:
        results = [workloads[name](figures) for _ in range(1 if name in ONCE else runs)]
        for key in results[0]:
            if key.startswith("_"):
                figures[f"{key}"] = [r[key] for r in results]  # raw detail, printed, not recorded
                continue
            values = [r[key] for r in results]
            fig = dict(values[0], value=statistics.median(v["value"] for v in values), runs=[v["value"] for v in values])
            if "baseline" in fig:
                fig["baseline"] = statistics.median(v["baseline"] for v in values)
                fig["ratio"] = _ratio(fig, values)
            if key in TARGETS:
                op, target = TARGETS[key]
                fig |= {"target": f"{op} {target}", "met": fig["value"] >= target if op == ">=" else fig["value"] <= target}
            figures[key] = fig
    show(figures)
    if write:
        save({k: v for k, v in figures.items() if not k.startswith("_")}, names, runs)
    return figures


def _ratio(fig: dict, values: list[dict]) -> float | None:
    """How many times better than the baseline: value ÷ baseline for a rate, baseline ÷ value for a time.
    A workload that states its own ratio (the dashboard: raw p50 ÷ rollup p50) keeps it."""
    if "ratio" in values[0]:
        return statistics.median(v["ratio"] for v in values)
    if not fig["baseline"] or not fig["value"]:
        return None
    better = fig["baseline"] / fig["value"] if fig["unit"] in LOWER_IS_BETTER else fig["value"] / fig["baseline"]
    return round(better, 3)


def show(figures: dict) -> None:
    rows = [(k, f"{v['value']:,.2f}", v["unit"], f"{v['baseline']:,.2f}" if "baseline" in v else "",
             f"{v['ratio']:.3f}" if v.get("ratio") is not None else "", v.get("target", ""),
             {True: "yes", False: "NO"}.get(v.get("met"), ""), " ".join(f"{x:,.1f}" for x in v.get("runs", [])))
            for k, v in figures.items() if not k.startswith("_")]
    print()
    print_table(("figure", "median", "unit", "baseline", "ratio", "target", "met", "runs"), rows)
    for k, v in figures.items():
        if k.startswith("_"):
            print(f"{k[1:]}: {v}")


def save(figures: dict, names: list[str], runs: int, command: str | None = None) -> None:
    doc = json.loads(OUT.read_text()) if OUT.exists() else {"figures": {}}
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True).stdout.strip())
    # the command as typed (soak and dashboard run once whatever --runs says, so the names alone would mislead)
    command = command or ("hk " + " ".join(sys.argv[1:]) if sys.argv[1:2] == ["bench"]
                          else f"hk bench {' '.join(names)} --runs {runs}")
    for key, fig in figures.items():
        doc["figures"][key] = {**fig, "commit": commit + ("+changes" if dirty else ""), "command": command}
    doc["machine"] = {"cpus": psutil.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30),
                      "python": sys.version.split()[0], "platform": platform.platform()}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    print(f"\nwrote {len(figures)} figures to {OUT}")
