"""``hk bench ingest|e2e|replay``: the real stack (Kafka, Postgres, the three services) under a flood of
orders, each figure beside a bare-client ceiling measured in the same run (bench/baselines.py)."""
from __future__ import annotations

import time
import uuid
from decimal import Decimal
from pathlib import Path

from sqlalchemy import text

from services.common.db import make_engine
from services.common.settings import DEV_API_KEY
from services.common.topics import STOREFRONT

from . import baselines
from .chaos import Stack
from .loadgen import encode, post_all
from .profile import profiled
from .workload import generate


def orders(n: int, seed: int = 7) -> tuple[list[dict], list[dict]]:
    """(influencers and contracts, n distinct orders), every order attributed explicitly or by coupon."""
    w = generate(int(n * 1.6), seed=seed, run=uuid.uuid4().hex[:6])
    picked = [e for e in w.unique if e["type"] == "order" and ("influencer_id" in e or "coupon_code" in e)][:n]
    return w.setup, picked


def ingest_url(stack: Stack) -> str:
    return f"http://127.0.0.1:{stack.procs.port('ingest')}/v1/events"


def count(engine, sql: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar_one()


def wait_count(engine, sql: str, want: int, timeout_s: float, poll_s: float = 0.2) -> float:
    """Seconds until ``sql`` counts ``want``; raises with the count reached if it never does."""
    began = time.perf_counter()
    while (got := count(engine, sql)) < want:
        if time.perf_counter() - began > timeout_s:
            raise TimeoutError(f"{sql} reached {got:,} of {want:,} in {timeout_s:.0f}s")
        time.sleep(poll_s)
    return time.perf_counter() - began


def bench_ingest(events: int, connections: int = 8, profile: Path | None = None) -> dict:
    setup, picked = orders(events)
    with _stack(("ingest",)) as stack:
        ceiling = baselines.producer_loop(stack.settings.kafka_bootstrap, "bench.producer-loop", picked)
        bodies = encode(picked, 100)
        post_all(ingest_url(stack), DEV_API_KEY, bodies[:20], connections)  # warm-up: connections and metadata
        with profiled(stack.pids(), profile):
            sent = post_all(ingest_url(stack), DEV_API_KEY, bodies, connections)
    return {"ingest.events_per_s": _fig(sent.rate, "events/s", ceiling),
            "ingest.ack_p99_ms": _fig(sent.p(0.99), "ms"), "ingest.ack_p50_ms": _fig(sent.p(0.5), "ms"),
            "_refused": sent.refused}


def bench_e2e(n_orders: int, workers: int = 1, profile: Path | None = None, partitions: int = 6) -> dict:
    setup, picked = orders(n_orders)
    lines = sum(len(o["lines"]) for o in picked)
    revenue = sum(Decimal(line["revenue"]) for o in picked for line in o["lines"])
    names = ("ingest", *_replicas("attribution", workers), *_replicas("aggregator", workers))
    with _stack(names, partitions=partitions) as stack:
        engine = make_engine(stack.settings.database_url)
        url = ingest_url(stack)
        post_all(url, DEV_API_KEY, encode(setup, 500))
        wait_count(engine, "SELECT count(*) FROM contracts", sum(e["type"] == "contract" for e in setup), 120)
        started = time.perf_counter()
        with profiled(stack.pids(), profile):
            sent = post_all(url, DEV_API_KEY, encode(picked, 100), 8)
            drained = wait_count(engine, "SELECT count(*) FROM attributed_orders", lines, 1800)
        # the consumer ceiling reads the same storefront topic the attribution worker read
        elapsed = time.perf_counter() - started
        print(f"e2e: {n_orders:,} orders ({lines:,} lines) in {elapsed:.1f}s = {n_orders / elapsed:,.0f} orders/s; "
              f"ingest took {sent.elapsed_s:.1f}s", flush=True)
        _, ceiling = baselines.consume_and_discard(stack.settings.kafka_bootstrap, stack.settings.topic(STOREFRONT),
                                                   stack.partitions)
        with engine.connect() as conn:  # a fast run that is not exact does not count
            got = tuple(conn.execute(text("SELECT count(*), coalesce(sum(revenue), 0) FROM attributed_orders")).one())
        engine.dispose()
        rss = dict(stack.peak_rss_mb)
    if got != (lines, revenue):
        raise AssertionError(f"e2e is not exact: (lines, revenue) {got} in Postgres, {(lines, revenue)} sent")
    name = "e2e" if workers == 1 else f"e2e.{workers}_workers_{partitions}_partitions"
    return {f"{name}.orders_per_s": _fig(n_orders / elapsed, "orders/s", ceiling),
            f"{name}.ingest_events_per_s": _fig(sent.rate, "events/s"), "_drain_after_send_s": round(drained, 1),
            "_peak_rss_mb": rss}


def _replicas(service: str, n: int) -> list[str]:
    return [service] + [f"{service}#{i}" for i in range(2, n + 1)]


def _fig(value: float, unit: str, baseline: float | None = None) -> dict:
    fig = {"value": round(value, 2), "unit": unit}
    if baseline:  # the ratio is bench/report's: one rule for rates and times
        fig["baseline"] = round(baseline, 2)
    return fig


def with_and_without_models(run, n_events: int, profile, seed: int, key: str, ratio: str) -> dict:
    """``run(n_events, profile, seed, models=…)`` without the multi-touch models, then as shipped, in the same
    run (what the models cost, issue 20): the shipped figures, ``key`` without them as ``key_rules_only`` and
    the ratio shipped / without as ``ratio``."""
    rules_only = run(n_events, None, seed, models=False)
    figures = run(n_events, profile, seed, models=True)
    value, baseline = figures[key]["value"], rules_only[key]["value"]
    print(f"{key}: {value:,.1f} with the models, {baseline:,.1f} without ({value / baseline - 1:+.1%})", flush=True)
    return {**figures, f"{key}_rules_only": rules_only[key], ratio: _fig(value / baseline, "×")}


class _stack:
    def __init__(self, workers: tuple[str, ...], fields: dict | None = None, partitions: int = 6) -> None:
        self.stack = Stack(workers=workers, partitions=partitions, fields={"log_level": "WARNING", **(fields or {})})

    def __enter__(self) -> Stack:
        return self.stack.start()

    def __exit__(self, *exc) -> None:
        self.stack.close()
