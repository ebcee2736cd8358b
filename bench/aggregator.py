"""``hk bench aggregator``: one aggregator draining topics pre-loaded with the real mix, beside a bare consumer.

The topics are filled before the worker starts, as the attribution worker and the ingest would have filled
them: influencers and contracts of all three bases (compacted topics), post snapshots, and on
``hk.attributions`` the records the attribution rules emit for a generated storefront workload (explicit
and coupon orders, mixed baskets, refunds, events up to 40 days late, 10 % of them sent twice).

Timed: from the worker's start to the moment Postgres stores, with the facts, offsets that cover every
record of ``hk.attributions`` and ``hk.posts``. Then every figure is compared with the workload's
independently computed answer: a fast run that is not exact fails. The baseline is an aiokafka consumer
reading and discarding ``hk.attributions`` in the same run.
"""
from __future__ import annotations

import time
import uuid
from pathlib import Path

from confluent_kafka import Producer
from sqlalchemy import text

from services.attribution.attributor import Attributor
from services.attribution.contracts import ContractIndex
from services.common import topics
from services.common.db import make_engine
from services.common.events import dumps, loads

from . import baselines
from .chaos import Stack
from .faults import Report, compare
from .pipeline import _fig
from .profile import profiled
from .workload import Workload, expect, generate

STORED = "SELECT coalesce(sum(next_offset), 0) FROM source_offsets"


def bench_aggregator(n_events: int, profile: Path | None = None, seed: int = 7) -> dict:
    workload = generate(n_events, seed=seed, run=uuid.uuid4().hex[:6])
    stack = Stack(workers=(), extra_env={"HK_LOG_LEVEL": "WARNING"}).start()
    try:
        settings = stack.settings
        records = attribution_records(workload, settings)
        loaded = preload(settings, workload, records)
        lines = sum(1 for _, r in records if r["kind"] == "order_line")
        engine = make_engine(settings.database_url)
        started = time.perf_counter()
        stack.procs.start("aggregator")
        with profiled({"aggregator": stack.procs.procs["aggregator"].pid}, profile):
            _wait_stored(engine, loaded, timeout_s=1800)
        elapsed = time.perf_counter() - started
        report = Report(events=len(workload.events), sent_with_retries=len(workload.events), faults=[], crashes=[])
        compare(engine, expect(workload), report)
        engine.dispose()
        if not report.exact:
            raise AssertionError(f"the aggregator is not exact: {report.mismatches}, lost {report.lost}, "
                                 f"duplicated {report.duplicated}")
        _, ceiling = baselines.consume_and_discard(settings.kafka_bootstrap, settings.topic(topics.ATTRIBUTIONS),
                                                   stack.partitions)
        rss = dict(stack.peak_rss_mb)
    finally:
        stack.close()
    print(f"aggregator: {len(records):,} attribution records ({lines:,} order lines) and {loaded - len(records):,} "
          f"posts in {elapsed:.1f}s", flush=True)
    return {"aggregator.lines_per_s": _fig(len(records) / elapsed, "lines/s", ceiling),
            "aggregator.events_per_s": _fig((loaded + len(workload.setup)) / elapsed, "events/s"),
            "_aggregator_s": round(elapsed, 1), "_peak_rss_mb": rss}


def attribution_records(workload: Workload, settings) -> list[tuple[str, dict]]:
    """What the attribution worker sends for the workload's storefront events, in their order."""
    contracts = ContractIndex()
    for event in workload.setup:
        if event["type"] == "contract":
            contracts.upsert(loads(dumps(event)))
    attributor = Attributor(settings, contracts, {}, {}, {})
    records = []
    for event in workload.events:
        if event["type"] in ("order", "refund", "click"):
            records += attributor.handle(loads(dumps(event)))
    return records


def preload(settings, workload: Workload, records: list[tuple[str, dict]]) -> int:
    """Fill the topics; returns how many records went to the topics whose offsets the aggregator stores."""
    producer = Producer({"bootstrap.servers": settings.kafka_bootstrap, "acks": "all", "linger.ms": 20})
    counted = 0
    for event in workload.setup + [e for e in workload.events if e["type"] == "post"]:
        topic, key = topics.ROUTES[event["type"]]
        producer.produce(settings.topic(topic), key=event[key].encode(), value=dumps(event))
        counted += topic not in topics.COMPACTED
        producer.poll(0)
    for key, record in records:
        while True:
            try:
                producer.produce(settings.topic(topics.ATTRIBUTIONS), key=key.encode(), value=dumps(record))
                break
            except BufferError:  # the local queue is full: let deliveries drain it
                producer.poll(0.1)
        producer.poll(0)
    if producer.flush(120):
        raise RuntimeError("the topics were not filled: the broker did not acknowledge every record")
    return counted + len(records)


def _wait_stored(engine, want: int, timeout_s: float) -> None:
    began = time.perf_counter()
    while True:
        with engine.connect() as conn:
            got = conn.execute(text(STORED)).scalar_one()
        if got >= want:
            return
        if time.perf_counter() - began > timeout_s:
            raise TimeoutError(f"stored offsets cover {got:,} of {want:,} records after {timeout_s:.0f}s")
        time.sleep(0.05)
