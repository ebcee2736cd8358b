"""``hk bench freshness|replay``: how soon an acknowledged order is in ``influencer_daily``, and how fast the
reporting tables are rebuilt from the topics.

Freshness: orders are posted at a steady rate; the first order of each request is watched, and a poller
looks for it every 20 ms in ``attributed_orders`` (written in the same transaction as its influencer_daily
row). Latency = first seen - the request's 202, so it includes up to one poll interval.
"""
from __future__ import annotations

import threading
import time
import uuid

from services.aggregator.migrate import migrate
from services.common.child_env import child_env
from services.common.db import make_engine
from services.common.settings import DEV_API_KEY, Settings
from services.common.topics import ATTRIBUTIONS
from devstack.ports import free_port
from devstack.services import ServiceProcesses

from . import baselines
from .loadgen import encode, post_all
from .pipeline import _fig, _stack, ingest_url, orders, wait_count

POLL_S = 0.02


def bench_freshness(rate: float, seconds: float = 30, batch: int = 20) -> dict:
    setup, picked = orders(int(rate * seconds))
    bodies = encode(picked, batch)
    watched = {i: picked[i * batch]["order_id"] for i in range(len(bodies))}
    with _stack(("ingest", "attribution", "aggregator")) as stack:
        engine = make_engine(stack.settings.database_url)
        post_all(ingest_url(stack), DEV_API_KEY, encode(setup, 500))
        wait_count(engine, "SELECT count(*) FROM contracts", sum(e["type"] == "contract" for e in setup), 120)
        seen: dict[str, float] = {}
        stop = threading.Event()
        poller = threading.Thread(target=_poll, args=(engine, set(watched.values()), seen, stop), daemon=True)
        poller.start()
        sent = post_all(ingest_url(stack), DEV_API_KEY, bodies, 4, rate=rate)
        deadline = time.time() + 120
        while len(seen) < len(watched) and time.time() < deadline:
            time.sleep(0.2)
        stop.set()
        poller.join()
        engine.dispose()
    latencies = sorted(seen[watched[i]] - sent.acked_at[i] for i in watched if watched[i] in seen)
    if len(latencies) < len(watched):
        raise RuntimeError(f"{len(watched) - len(latencies)} watched orders never reached Postgres")
    q = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))]
    return {"freshness.p50_s": _fig(q(0.5), "s"), "freshness.p99_s": _fig(q(0.99), "s"),
            "freshness.rate_orders_per_s": _fig(sent.rate, "orders/s"), "_samples": len(latencies)}


def _poll(engine, pending: set[str], seen: dict[str, float], stop: threading.Event) -> None:
    with engine.connect() as conn:
        while pending and not stop.is_set():
            found = conn.exec_driver_sql("SELECT DISTINCT order_id FROM attributed_orders WHERE order_id = ANY(%(ids)s)",
                                         {"ids": list(pending)}).scalars().all()
            conn.commit()
            now = time.time()
            for order_id in found:
                seen[order_id] = now
            pending.difference_update(found)
            time.sleep(POLL_S)


def bench_replay(n_orders: int, batch_size: int = 2000) -> dict:
    """Fill the topics through the pipeline, then rebuild every reporting table into an empty database
    with a fresh aggregator group reading from offset 0."""
    setup, picked = orders(n_orders)
    lines = sum(len(o["lines"]) for o in picked)
    with _stack(("ingest", "attribution", "aggregator")) as stack:
        engine = make_engine(stack.settings.database_url)
        post_all(ingest_url(stack), DEV_API_KEY, encode(setup, 500))
        post_all(ingest_url(stack), DEV_API_KEY, encode(picked, 100), 8)
        wait_count(engine, "SELECT count(*) FROM attributed_orders", lines, 1800)
        engine.dispose()
        stack.procs.stop("aggregator")
        run = uuid.uuid4().hex[:8]
        url = stack.postgres.create_database(f"hk_replay_{run}")
        migrate(Settings(env="dev", database_url=url))
        replay = stack.settings.model_copy(update={"database_url": url, "app_id": f"hk-replay-{run}", "batch_size": batch_size,
                                                   "aggregator_web_port": free_port()})
        procs = ServiceProcesses(child_env(replay), stack.work / "replay-logs")
        replica = make_engine(url)
        try:
            started = time.perf_counter()
            procs.start("aggregator")
            wait_count(replica, "SELECT count(*) FROM attributed_orders", lines, 1800, poll_s=0.1)
            elapsed = time.perf_counter() - started
        finally:
            procs.stop_all()
            replica.dispose()
        records, ceiling = baselines.consume_and_discard(stack.settings.kafka_bootstrap,
                                                         stack.settings.topic(ATTRIBUTIONS), stack.partitions)
    events = records + len(setup)
    return {"replay.events_per_s": _fig(events / elapsed, "events/s", ceiling), "_replay_s": round(elapsed, 1),
            "_events": events}
