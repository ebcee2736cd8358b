"""``hk demo``: Kafka (Apache from Maven jars, or Tansu without Java), Postgres (DATABASE_URL or embedded),
the three services and the simulator; every few seconds, what reached Postgres."""
from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text

from services.common.db import make_engine
from services.importer.run import import_dir
from services.simulator.run import Counters, simulate
from services.simulator.sample import write_sample

from .services import SERVICES, ServiceProcesses
from .stack import run_settings, start_services

if TYPE_CHECKING:
    from .kafka import KafkaBroker
    from .tansu import TansuBroker

REPORT_EVERY_S = 5.0
TOP = """SELECT r.influencer_id, i.name, r.revenue, r.spend, r.roas FROM influencer_rolling r
         LEFT JOIN influencers i USING (influencer_id)
         WHERE r.window_days = 7 AND r.roas IS NOT NULL ORDER BY r.roas DESC LIMIT 5"""
TOTALS = """SELECT count(*) FILTER (WHERE rule <> 'unattributed'), count(*) FILTER (WHERE rule = 'unattributed'),
                   k.total_revenue, k.overall_roas, k.avg_engagement_rate
            FROM attributed_orders CROSS JOIN report_kpis() k GROUP BY k.total_revenue, k.overall_roas, k.avg_engagement_rate"""


def _broker(kafka: str | None) -> tuple[KafkaBroker | TansuBroker | None, str]:
    if kafka:
        return None, kafka
    if shutil.which("java") and shutil.which("mvn"):
        from .kafka import KafkaBroker
        broker: KafkaBroker | TansuBroker = KafkaBroker().start()
        return broker, broker.bootstrap
    from .tansu import TansuBroker
    print("no Java here: using the embedded Tansu broker (demo only)")
    broker = TansuBroker().start()
    return broker, broker.bootstrap


def run_demo(duration: float | None = None, rate: float = 300.0) -> None:
    work = Path(tempfile.mkdtemp(prefix="hk-demo-"))
    work.chmod(0o755)  # the embedded server runs as its own user
    broker, bootstrap = _broker(os.environ.get("HK_KAFKA_BOOTSTRAP"))
    pg, database_url = None, os.environ.get("DATABASE_URL")
    if not database_url:
        from .postgres import EmbeddedPostgres
        pg = EmbeddedPostgres(work / "pg").start()
        database_url = pg.url()
    settings = run_settings(bootstrap, database_url)
    services: ServiceProcesses | None = None
    stop = threading.Event()
    try:
        services = start_services(settings, work / "logs", SERVICES)
        write_sample(work / "sample")  # the same world the simulator streams, 90 days back
        history = import_dir(settings, work / "sample", progress=False)
        print(f"imported the seed's sample history (90 days): {len(history.events):,} events", flush=True)
        ingest = f"http://127.0.0.1:{settings.ingest_port}"
        print(f"\nAPI docs   {ingest}/docs   (OpenAPI {ingest}/openapi.json)\n"
              f"metrics    http://127.0.0.1:{settings.ingest_metrics_port}/metrics  http://127.0.0.1:{settings.attribution_web_port}/metrics  "
              f"http://127.0.0.1:{settings.aggregator_web_port}/metrics\n"
              f"Postgres   {database_url}\nKafka      {bootstrap}\nlogs       {work / 'logs'}\n", flush=True)
        counters = Counters()
        sim = threading.Thread(target=simulate, kwargs=dict(settings=settings, url=ingest, rate=rate,
                                                            duration=duration, stop=stop, counters=counters), daemon=True)
        sim.start()
        _report(make_engine(database_url), counters, sim, stop, services)
    except KeyboardInterrupt:
        print("\nstopping…")
    finally:
        stop.set()
        if services is not None:
            services.stop_all()
        for server in (broker, pg):
            if server is not None:
                server.cleanup()
        if not os.environ.get("HK_DEMO_KEEP"):
            shutil.rmtree(work, ignore_errors=True)


def _report(engine, counters: Counters, sim: threading.Thread, stop: threading.Event, services: ServiceProcesses) -> None:
    started = time.monotonic()
    while sim.is_alive():
        stop.wait(REPORT_EVERY_S)
        if dead := services.dead():
            raise SystemExit(f"{', '.join(dead)} stopped unexpectedly; see {services.log_dir}")
        with engine.connect() as conn:
            attributed, organic, revenue, roas, engagement = conn.execute(text(TOTALS)).one()
            top = conn.execute(text(TOP)).all()
        elapsed = time.monotonic() - started
        print(f"[{elapsed:6.0f}s] events in {counters.sent:,} ({counters.sent / elapsed:,.0f}/s, {counters.failed} failed)  "
              f"order lines attributed {attributed:,}, unattributed {organic:,}  revenue ₹{revenue:,.2f}  ROAS {roas}  "
              f"avg engagement {engagement}%", flush=True)
        for row in top:
            print(f"          {row.name or row.influencer_id:<20} revenue ₹{row.revenue:>12,.2f}  spend ₹{row.spend:>11,.2f}  ROAS {row.roas:>7}")
