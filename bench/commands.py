"""``hk bench …``: the command line of every benchmark (the workloads themselves live beside this file)."""
from __future__ import annotations

import argparse

FIGURES = ("ingest", "attribution", "e2e", "freshness", "replay", "aggregator", "rebuild", "soak", "dashboard")  # recorded in docs/benchmarks.json
OTHERS = ("rolling", "faults")


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("workloads", nargs="+", choices=FIGURES + OTHERS + ("all",), metavar="WORKLOAD",
                   help=f"any of {', '.join(FIGURES)} (or all), or one of {', '.join(OTHERS)}")
    p.add_argument("--runs", type=int, default=3, help="runs of each workload; the median is reported (soak and dashboard run once)")
    p.add_argument("--write", action="store_true", help="merge the figures into docs/benchmarks.json")
    p.add_argument("--profile", help="ingest/attribution/e2e/aggregator: write py-spy profiles of every service to this directory and summarise them")
    p.add_argument("--orders", type=int, default=60_000, help="e2e/replay: orders sent; ingest: events sent")
    p.add_argument("--minutes", type=float, default=30, help="soak: duration")
    p.add_argument("--rate", type=float, default=None, help="events/s: faults (500), soak (700), freshness (half "
                                                           "the e2e median of this run, else 700)")
    p.add_argument("--workers", type=int, default=1, help="e2e: attribution and aggregator workers of each")
    p.add_argument("--partitions", type=int, default=6, help="e2e: partitions of every topic")
    p.add_argument("--lines", type=int, default=10_000_000, help="dashboard: attributed order lines")
    p.add_argument("--influencers", type=int, default=100_000)
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--repeat", type=int, default=7, help="timed runs per query")
    p.add_argument("--events", type=int, default=None, help="events in the generated workload before retries: "
                                                           "faults (default 1,000,000), attribution, aggregator and rebuild (200,000)")
    p.add_argument("--rounds", type=int, default=5, help="faults: rounds of the fault plan (15 faults each)")
    p.add_argument("--seed", type=int, default=7, help="faults: workload and timing seed")


def run(argv: list[str]) -> None:
    """``hk bench ARGUMENTS``: the runtime's CLI passes them on unread, so it never imports the benchmarks."""
    parser = argparse.ArgumentParser(prog="hk bench", description="benchmarks that print figures beside a baseline "
                                     "measured in the same run (docs/benchmarks.md)")
    configure(parser)
    main(parser.parse_args(argv))


def main(args: argparse.Namespace) -> None:
    names = list(FIGURES) if "all" in args.workloads else args.workloads
    if set(names) & set(OTHERS):
        if len(names) > 1:
            raise SystemExit(f"{' and '.join(set(names) & set(OTHERS))} run alone")
        return _other(names[0], args)
    from pathlib import Path

    from . import aggregator, attribution, freshness, pipeline, report, soak
    profile = Path(args.profile) if args.profile else None

    def dashboard(_figures):
        from .dashboard import run
        return run(args.lines, args.influencers, args.days, args.repeat)

    def fresh_rate(figures) -> float:
        if args.rate:
            return args.rate
        return figures["e2e.orders_per_s"]["value"] / 2 if "e2e.orders_per_s" in figures else 700

    workloads = {
        "ingest": lambda f: pipeline.bench_ingest(args.orders, profile=profile),
        "attribution": lambda f: attribution.bench_attribution(args.events or 200_000, profile=profile),
        "e2e": lambda f: pipeline.bench_e2e(args.orders, args.workers, profile=profile, partitions=args.partitions),
        "freshness": lambda f: freshness.bench_freshness(fresh_rate(f)),
        "replay": lambda f: freshness.bench_replay(args.orders),
        "aggregator": lambda f: aggregator.bench_aggregator(args.events or 200_000, profile=profile),
        "rebuild": lambda f: aggregator.bench_rebuild(args.events or 200_000, profile=profile),
        "soak": lambda f: soak.bench_soak(args.minutes, args.rate or 700),
        "dashboard": dashboard,
    }
    report.run(names, args.runs, workloads, args.write)


def _other(name: str, args: argparse.Namespace) -> None:
    if name == "rolling":
        from .rolling import run
        run(args.influencers, args.days, args.repeat)
        return
    from .faults import print_report, run
    result = run(args.events or 1_000_000, rounds=args.rounds, seed=args.seed, rate=args.rate or 500)
    print_report(result)
    if not result.exact:
        raise SystemExit(1)
