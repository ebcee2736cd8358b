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

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil
from confluent_kafka import Producer

from services.attribution.attributor import Attributor
from services.attribution.contracts import ContractIndex
from services.common import topics
from services.common.child_env import child_env
from services.common.db import make_engine
from services.common.events import STOREFRONT_TYPES, decode, dumps, loads
from devstack.ports import free_port, wait_port

from . import baselines
from .chaos import Stack
from .faults import Report, compare
from .pipeline import _fig, count, wait_count, with_and_without_models
from .profile import profiled
from .workload import Workload, expect, generate

STORED = "SELECT coalesce(sum(next_offset), 0) FROM source_offsets"


def bench_aggregator(n_events: int, profile: Path | None = None, seed: int = 7) -> dict:
    """The aggregator as shipped, and beside it in the same run on records without the multi-touch models'
    credits (what they cost the write path: issue 20)."""
    return with_and_without_models(_aggregator, n_events, profile, seed, "aggregator.lines_per_s",
                                   "aggregator.models_rate_ratio")


def _aggregator(n_events: int, profile: Path | None, seed: int, models: bool) -> dict:
    with loaded_topics(n_events, seed, models=models) as (stack, workload, records, loaded):
        engine = make_engine(stack.settings.database_url)
        lines = sum(1 for _, r in records if r["kind"] == "order_line")
        # the onboarding run stored the influencers' and contracts' offsets: the timed run's records come on top
        onboarded = count(engine, STORED)
        cpu = CpuMeter(stack)
        started = time.perf_counter()
        stack.procs.start("aggregator")
        with profiled({"aggregator": stack.procs.procs["aggregator"].pid}, profile):
            wait_count(engine, STORED, onboarded + loaded, 1800, poll_s=0.05)
        elapsed = time.perf_counter() - started
        cpu_s = cpu.used(stack.procs.procs["aggregator"].pid)
        batches = {"batches": stack.metric("aggregator", "hk_aggregator_batch_size_count"),
                   "records": stack.metric("aggregator", "hk_aggregator_batch_size_sum"),
                   "writing_s": round(stack.metric("aggregator", "hk_aggregator_write_seconds_sum"), 1)}
        check_exact(engine, workload, "the aggregator")
        engine.dispose()
        stack.procs.stop("aggregator")
        ceiling = _ceiling(stack)
        faust_s = _faust_discard(stack, loaded)
        rss = dict(stack.peak_rss_mb)
    print(f"aggregator{'' if models else ' (rules only)'}: {len(records):,} attribution records ({lines:,} order lines) and {loaded - len(records):,} "
          f"posts in {elapsed:.1f}s; CPU seconds {cpu_s}; {batches}; Faust alone, discarding: {faust_s:.1f}s", flush=True)
    return {"aggregator.lines_per_s": _fig(len(records) / elapsed, "lines/s", ceiling),
            "aggregator.events_per_s": _fig((loaded + len(workload.setup)) / elapsed, "events/s"),
            "aggregator.faust_discard_per_s": _fig(loaded / faust_s, "events/s"),
            "_aggregator_s": round(elapsed, 1), "_cpu_s": cpu_s, "_peak_rss_mb": rss}


def bench_rebuild(n_events: int, profile: Path | None = None, seed: int = 7) -> dict:
    """``hk rebuild`` into an empty database, beside the old path over the same topics: a fresh aggregator
    (Faust, a new consumer group) filling another empty database. Both must come out exact."""
    from services.aggregator.rebuild import rebuild
    from services.whatif.reattribute import reattribute
    with loaded_topics(n_events, seed, onboarded=False) as (stack, workload, _records, loaded):
        events = loaded + len(workload.setup)
        # the history hk reattribute reads (the rebuild does not read hk.storefront)
        produce(stack.settings, [_routed(stack.settings, e) for e in workload.events if e["type"] in STOREFRONT_TYPES])
        url = stack.postgres.create_database(f"hk_rebuild_{uuid.uuid4().hex[:8]}")
        with profiled({"rebuild": os.getpid()}, profile):
            # its own consumer name: the old path below is a fresh aggregator whose group must start at 0
            done = rebuild(stack.settings, url, consumer=f"{stack.settings.app_id}-rebuilt", progress=False)
        print(f"rebuild: {done.records:,} of {events:,} events in {done.seconds:.1f}s, skipped {dict(done.skipped)}", flush=True)
        rebuilt = make_engine(url)
        check_exact(rebuilt, workload, "hk rebuild")
        rebuilt.dispose()
        # issue 20: "what if" at the speed of the rebuild: the same history re-attributed, same settings, so exact too
        url = stack.postgres.create_database(f"hk_whatif_{uuid.uuid4().hex[:8]}")
        again = reattribute(stack.settings, url, progress=False)
        print(f"reattribute: {again.records:,} events in {again.seconds:.1f}s, skipped {dict(again.skipped)}", flush=True)
        whatif = make_engine(url)
        check_exact(whatif, workload, "hk reattribute")
        whatif.dispose()
        # the question: a 14-day window (not exact against the workload's 7-day answer, so only timed)
        url = stack.postgres.create_database(f"hk_whatif14_{uuid.uuid4().hex[:8]}")
        wide = reattribute(stack.settings.model_copy(update={"attribution_window_days": 14}), url, progress=False)
        print(f"reattribute --window-days 14: {wide.records:,} events in {wide.seconds:.1f}s", flush=True)
        engine = make_engine(stack.settings.database_url)
        started = time.perf_counter()
        stack.procs.start("aggregator")
        wait_count(engine, STORED, events, 1800, poll_s=0.05)  # the fresh aggregator stores the onboarding's too
        old_s = time.perf_counter() - started
        engine.dispose()
    print(f"rebuild: {done.records:,} events in {done.seconds:.1f}s; the old path (a fresh aggregator) {old_s:.1f}s", flush=True)
    return {"rebuild.events_per_s": _fig(done.rate, "events/s", events / old_s),
            "rebuild.reattribute_s": _fig(again.seconds, "s", done.seconds),
            "rebuild.reattribute_14d_s": _fig(wide.seconds, "s", done.seconds), "_rebuild_s": round(done.seconds, 1),
            "_old_path_s": round(old_s, 1), "_skipped": dict(done.skipped)}


@contextmanager
def loaded_topics(n_events: int, seed: int, onboarded: bool = True, models: bool = True):
    """A broker and Postgres whose topics hold the workload; influencers and contracts stored first when
    ``onboarded`` (the aggregator's figure is its steady state, not onboarding); ``models``: the attribution
    records carry the multi-touch models' credits, as the worker sends them by default."""
    workload = generate(n_events, seed=seed, run=uuid.uuid4().hex[:6])
    stack = Stack(workers=(), fields={"log_level": "WARNING", "attribution_models": models}).start()
    try:
        if onboarded:
            engine = make_engine(stack.settings.database_url)
            onboard(stack, workload, engine)
            engine.dispose()
        else:
            produce(stack.settings, [_routed(stack.settings, e) for e in workload.setup])
        records = attribution_records(workload, stack.settings)
        yield stack, workload, records, preload(stack.settings, workload.events, records)
    finally:
        stack.close()


def check_exact(engine, workload: Workload, what: str) -> None:
    report = Report(events=len(workload.events), sent_with_retries=len(workload.events), faults=[], crashes=[])
    compare(engine, expect(workload), report)
    if not report.exact:
        raise AssertionError(f"{what} is not exact: {report.mismatches}, lost {report.lost}, duplicated {report.duplicated}")


def _faust_discard(stack: Stack, records: int, worker: str = "aggregator") -> float:
    """Seconds for a Faust agent (a new group, the worker's batches) to take every record of the worker's topics
    and discard it."""
    port = free_port()
    # a group of its own; its Faust data beside the run's logs, not in the working directory
    env = child_env(stack.settings.model_copy(update={"app_id": f"{stack.settings.app_id}-discard", "aggregator_web_port": port,
                                                      "data_dir": str(stack.work / "faust-discard-data")}))
    log = stack.work / "logs" / "faust-discard.log"
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bench.faust_discard", worker], env={**os.environ, **env},
                            stdout=open(log, "ab"), stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[1])
    try:
        wait_port(port, 60, proc, log)
        while _consumed(port) < records:
            if time.perf_counter() - started > 1800:
                raise TimeoutError(f"Faust discarded {_consumed(port):,} of {records:,} records in 1800s")
            time.sleep(0.05)
        return time.perf_counter() - started
    finally:
        proc.terminate()
        proc.wait(30)


def _consumed(port: int) -> float:
    body = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in body.splitlines()
               if line.startswith('hk_consumed_events_total{service="discard"') and "hk.influencers" not in line
               and "hk.contracts" not in line)


def _ceiling(stack: Stack) -> float:
    return baselines.consume_and_discard(stack.settings.kafka_bootstrap, stack.settings.topic(topics.ATTRIBUTIONS),
                                         stack.partitions)[1]


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
            records += attributor.handle(decode(dumps(event), settings.currency))  # as the worker decodes it
    return records


def onboard(stack: Stack, workload: Workload, engine) -> None:
    """Influencers and contracts are known before their orders, as in production: an aggregator run before the
    timed one stores them (an order line whose influencer is not yet stored keeps the platform 'unknown')."""
    produce(stack.settings, [_routed(stack.settings, e) for e in workload.setup])
    stack.procs.start("aggregator")
    # both: they travel on topics of their own, so contracts being stored says nothing of the influencers
    # (a line whose influencer is not yet stored has platform 'unknown', and the benchmark is then not exact)
    for table, kind in (("contracts", "contract"), ("influencers", "influencer")):
        wait_count(engine, f"SELECT count(*) FROM {table}", sum(e["type"] == kind for e in workload.setup), 120)
    stack.procs.stop("aggregator")


def preload(settings, events: list[dict], records: list[tuple[str, dict]]) -> int:
    """Fill the source topics; returns how many records the aggregator will store offsets for."""
    posts = [_routed(settings, e) for e in events if e["type"] == "post"]
    produce(settings, posts + [(settings.topic(topics.ATTRIBUTIONS), key, r) for key, r in records])
    return len(posts) + len(records)


def _routed(settings, event: dict) -> tuple[str, str, dict]:
    topic, key = topics.ROUTES[event["type"]]
    return settings.topic(topic), event[key], event


def produce(settings, messages: list[tuple[str, str, dict]]) -> None:
    producer = Producer({"bootstrap.servers": settings.kafka_bootstrap, "acks": "all", "linger.ms": 20})
    for topic, key, value in messages:
        while True:
            try:
                producer.produce(topic, key=key.encode(), value=dumps(value))
                break
            except BufferError:  # the local queue is full: let deliveries drain it
                producer.poll(0.1)
        producer.poll(0)
    if producer.flush(120):
        raise RuntimeError("the topics were not filled: the broker did not acknowledge every record")


class CpuMeter:
    """CPU seconds (user + system) spent by the aggregator and by Postgres (every backend) while timed."""

    def __init__(self, stack: Stack) -> None:
        self.pgdata = stack.postgres.dir / "pgdata"
        self.before = {p.pid: _cpu(p) for p in self._postgres()}

    def _postgres(self) -> list[psutil.Process]:
        master = psutil.Process(int((self.pgdata / "postmaster.pid").read_text().split()[0]))
        return [master, *master.children(recursive=True)]

    def used(self, aggregator_pid: int) -> dict:
        pg = sum(_cpu(p) - self.before.get(p.pid, 0.0) for p in self._postgres())
        return {"aggregator": round(_cpu(psutil.Process(aggregator_pid)), 1), "postgres": round(pg, 1)}


def _cpu(p: psutil.Process) -> float:
    try:
        t = p.cpu_times()
        return t.user + t.system
    except psutil.Error:
        return 0.0
