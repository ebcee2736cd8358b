"""``hk bench attribution``: one attribution worker draining a storefront topic pre-loaded with the real mix,
beside a bare consumer reading the same topic in the same run.

The mix: explicit, coupon, click (the order names its click) and last-click orders (a click by the customer
within the window), unattributed orders, one- to three-brand baskets, refunds, and 10 % of events sent twice.
Clicks are sent just before their order, as a storefront would. Timed from the worker's start until every
record the attribution rules emit for the workload is on ``hk.attributions``; then the topic's records are
compared with the rules run in-process over the same events (each customer's events keep their order on its
partition, so the answer is the same): a fast run that is not exact fails.
"""
from __future__ import annotations

import random
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import psutil
from confluent_kafka import Consumer, TopicPartition

from services.common import topics
from services.common.events import STOREFRONT_TYPES, dumps, loads

from . import baselines
from .aggregator import _cpu, _faust_discard, _routed, attribution_records, produce
from .chaos import Stack
from .pipeline import _fig, with_and_without_models
from .profile import profiled
from .workload import Workload, generate

def bench_attribution(n_events: int, profile: Path | None = None, seed: int = 7) -> dict:
    """The worker as shipped, and beside it in the same run the worker without the multi-touch models (their
    cost: issue 20's "at most 20 % more CPU per order")."""
    return with_and_without_models(_attribution, n_events, profile, seed, "attribution.cpu_us_per_order",
                                   "attribution.models_cpu_ratio")


def _attribution(n_events: int, profile: Path | None, seed: int, models: bool) -> dict:
    workload = with_clicks(generate(n_events, seed=seed, run=uuid.uuid4().hex[:6]), seed)
    stack = Stack(workers=(), fields={"log_level": "WARNING", "attribution_models": models}).start()
    try:
        produce(stack.settings, [_routed(stack.settings, e) for e in workload.setup])
        expected = attribution_records(workload, stack.settings)
        storefront = [e for e in workload.events if e["type"] in STOREFRONT_TYPES]
        produce(stack.settings, [_routed(stack.settings, e) for e in storefront])
        orders = sum(e["type"] == "order" for e in storefront)
        out = stack.settings.topic(topics.ATTRIBUTIONS)
        started = time.perf_counter()
        stack.procs.start("attribution")
        pid = stack.procs.procs["attribution"].pid
        with profiled({"attribution": pid}, profile):
            wait_records(stack.settings.kafka_bootstrap, out, stack.partitions, len(expected), 1800)
        elapsed = time.perf_counter() - started
        cpu_s = _cpu(psutil.Process(pid))
        stack.procs.stop("attribution")
        exact(stack.settings.kafka_bootstrap, out, stack.partitions, expected)
        ceiling = baselines.consume_and_discard(stack.settings.kafka_bootstrap,
                                                stack.settings.topic(topics.STOREFRONT), stack.partitions)[1]
        faust_s = _faust_discard(stack, len(storefront), "attribution")
        rss = dict(stack.peak_rss_mb)
    finally:
        stack.close()
    rules = Counter(r["rule"] for _, r in expected if r["kind"] == "order_line")
    print(f"attribution{'' if models else ' (rules only)'}: {len(storefront):,} storefront events ({orders:,} orders; lines by rule {dict(rules)}) → "
          f"{len(expected):,} records in {elapsed:.1f}s; {cpu_s:.1f} CPU s; bare consumer {ceiling:,.0f} events/s; "
          f"Faust alone, discarding: {faust_s:.1f}s", flush=True)
    return {"attribution.orders_per_s": _fig(orders / elapsed, "orders/s", ceiling * orders / len(storefront)),
            "attribution.cpu_us_per_order": _fig(cpu_s / orders * 1e6, "µs"),
            "attribution.faust_discard_orders_per_s": _fig(orders / faust_s, "orders/s"),
            "_attribution_s": round(elapsed, 1), "_peak_rss_mb": rss}


def with_clicks(w: Workload, seed: int) -> Workload:
    """The workload with a quarter of its explicit orders turned into click and last-click orders: each gets one
    to three clicks by its customer in the hour before it (by the order's influencer), sent just before it; the
    click order names its last click, the last-click order names none."""
    rnd, converted, events = random.Random(seed + 1), {}, []
    for e in w.unique:
        if e["type"] == "order" and e.get("influencer_id") and rnd.random() < 0.25:
            placed = datetime.fromisoformat(e["placed_at"])
            clicks = [{"type": "click", "click_id": f"{e['order_id']}-k{k}", "customer_id": e["customer_id"],
                       "influencer_id": e["influencer_id"], "source": rnd.choice(("instagram", "youtube", "newsletter")),
                       "clicked_at": (placed - timedelta(minutes=rnd.randint(1, 60))).isoformat()}
                      for k in range(rnd.randint(1, 3))]
            order = {k: v for k, v in e.items() if k != "influencer_id"}
            if rnd.random() < 0.5:
                order["click_id"] = max(clicks, key=lambda c: c["clicked_at"])["click_id"]
            converted[e["order_id"]] = (clicks, order)
    sent = set()
    for e in w.events:
        if e["type"] == "order" and e["order_id"] in converted:
            clicks, order = converted[e["order_id"]]
            if e["order_id"] not in sent:
                events += clicks
                sent.add(e["order_id"])
            e = order
        events.append(e)
    return Workload(w.setup, events, w.unique)


def _ends(consumer: Consumer, topic: str, partitions: int) -> int:
    return sum(consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in range(partitions))


def wait_records(bootstrap: str, topic: str, partitions: int, want: int, timeout_s: float) -> None:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"bench-{uuid.uuid4().hex[:6]}"})
    try:
        began = time.perf_counter()
        while (got := _ends(consumer, topic, partitions)) < want:
            if time.perf_counter() - began > timeout_s:
                raise TimeoutError(f"{topic} holds {got:,} of {want:,} records after {timeout_s:.0f}s")
            time.sleep(0.05)
    finally:
        consumer.close()


def exact(bootstrap: str, topic: str, partitions: int, expected: list[tuple[str, dict]]) -> None:
    """Every expected record is on the topic under its key, and nothing else is (a record sent twice is allowed:
    the aggregator's natural keys make it count once)."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"bench-{uuid.uuid4().hex[:6]}",
                         "enable.auto.commit": False, "auto.offset.reset": "earliest"})
    try:
        total = _ends(consumer, topic, partitions)
        consumer.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
        seen: set[bytes] = set()
        read = 0
        while read < total:
            for m in consumer.consume(10_000, timeout=1.0):
                if m.error() is None:
                    read += 1
                    seen.add(m.key() + b" " + dumps(loads(m.value())))
    finally:
        consumer.close()
    want = {key.encode() + b" " + dumps(record) for key, record in expected}
    if seen != want:
        missing, unexpected = sorted(want - seen), sorted(seen - want)
        raise AssertionError(f"hk.attributions is not exact: {len(missing):,} expected records missing "
                             f"(e.g. {missing[:1]}), {len(unexpected):,} unexpected (e.g. {unexpected[:1]})")
    print(f"attribution: exact: {len(want):,} distinct records, {read - len(want):,} sent again", flush=True)
