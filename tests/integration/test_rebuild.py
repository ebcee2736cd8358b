"""``hk rebuild`` in the middle of a live stream: a second database rebuilt from the topics while orders keep
arriving, handed to a second aggregator that continues from the offsets the rebuild stored, ends equal to
the live pipeline's database, table by table and row by row. Nothing missed, nothing counted twice."""
from __future__ import annotations

import threading
import uuid

import httpx
import pytest
from sqlalchemy import text

from bench.workload import expect, generate
from services.aggregator.rebuild import rebuild
from services.common.child_env import child_env
from services.common.db import make_engine
from devstack.ports import free_port
from devstack.services import ServiceProcesses

from .topic_reader import group_offsets

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

# every reporting table, without the columns that say when a row was written rather than what it holds
TABLES = {
    "influencers": "influencer_id, name, category, gender, follower_count, platform",
    "contracts": "*", "posts": "*", "attributed_orders": "*", "refunds": "*", "spend": "*",
    "influencer_daily": "*", "daily_totals": "*", "rolling_sums": "*", "contract_windows": "*", "contract_rates": "*",
    "payouts": "*", "model_credits": "*", "model_daily": "*", "model_totals": "*",
}


def rows(engine, table: str) -> list:
    with engine.connect() as conn:
        return sorted(map(tuple, conn.execute(text(f"SELECT {TABLES[table]} FROM {table}"))), key=repr)


def test_a_rebuild_mid_stream_hands_over_and_ends_equal_to_the_live_tables(kafka_bootstrap, postgres, tmp_path, monkeypatch):
    from .pipeline import Pipeline, eventually

    w = generate(3_000, seed=5, run=f"rb{uuid.uuid4().hex[:4]}")
    want = expect(w)
    thirds = [w.events[i::3] for i in range(3)]
    p = Pipeline(kafka_bootstrap, postgres, tmp_path / "live")
    replica = None
    try:
        assert p.post(w.setup).status_code == 202
        contracts = sum(e["type"] == "contract" for e in w.setup)
        eventually(lambda: p.query("SELECT count(*) FROM contracts")[0][0], lambda n: n == contracts, 60, "contracts")
        for chunk in range(0, len(thirds[0]), 200):
            assert p.post(thirds[0][chunk:chunk + 200]).status_code == 202

        # the second third streams in while the rebuild reads: the rebuild stops where the topics ended when it
        # began, and the aggregator that takes over reads the rest
        streaming = threading.Thread(target=lambda: [p.post(thirds[1][i:i + 100]) for i in range(0, len(thirds[1]), 100)])
        streaming.start()
        app_id = f"hk-rebuilt-{uuid.uuid4().hex[:6]}"
        url = postgres.create_database(f"hk_rebuilt_{uuid.uuid4().hex[:8]}")
        done = rebuild(p.settings, url, consumer=f"{app_id}-aggregator", batch_size=500, progress=False)
        streaming.join()
        assert done.records > 0 and not done.skipped and done.offsets and done.group_moved
        # the group's commit, as the broker holds it, is where the facts end: a new member begins there
        committed = group_offsets(kafka_bootstrap, f"{app_id}-aggregator")
        assert {tp: o for tp, o in committed.items() if tp in done.offsets} == done.offsets

        replica = ServiceProcesses(child_env(p.settings.model_copy(update={
            "database_url": url, "app_id": app_id, "aggregator_web_port": free_port(), "log_level": "INFO"})), tmp_path / "rebuilt")
        replica.start("aggregator")
        for chunk in range(0, len(thirds[2]), 200):
            assert p.post(thirds[2][chunk:chunk + 200]).status_code == 202

        live, rebuilt = p.engine, make_engine(url)
        lines = want.order_lines
        for engine, name in ((live, "live"), (rebuilt, "rebuilt")):
            eventually(lambda engine=engine: rows_count(engine), lambda n: n == (lines, want.refund_lines), 180, f"{name}: every line")
        try:  # post snapshots travel on their own topic: they may land a moment after the last line
            differ = lambda: [t for t in TABLES if rows(rebuilt, t) != rows(live, t)]
            eventually(differ, lambda tables: not tables, 60, "tables that differ between the rebuilt and the live database")
        finally:
            rebuilt.dispose()
        assert len(rows(live, "attributed_orders")) == lines
        # the handover, not the natural keys, kept the rebuilt rows single: the new aggregator read on from the
        # rebuild's offsets (a fresh group at offset 0 would have met every rebuilt record again)
        attributions = p.settings.topic("hk.attributions")
        read = metric(replica, 'hk_consumed_events_total{service="aggregator",topic="%s"}' % attributions)
        stored = sum(o for (t, _), o in done.offsets.items() if t == attributions)
        assert 0 < read == total_records(p, attributions) - stored
        # its group was committed there too, so its first assignment fetched no rebuilt record to skip. Each later
        # rebalance (a missed heartbeat on a loaded machine: CI saw 1,315 redelivered) seeks back to Faust's own last
        # commit, which lags what was written, and each seek back over a hole re-reads from where the facts end:
        # either way only records the replica itself read, skipped by offset as redelivered.
        log = (replica.log_dir / "aggregator.log").read_text()
        assignments, seeks = log.count("source partitions; resuming"), log.count("arrived before it; seeking back")
        redelivered = metric(replica, 'hk_aggregator_redelivered_events_total{topic="%s"}' % attributions)
        assert assignments >= 1 and redelivered <= (assignments - 1 + seeks) * read

        with pytest.raises(SystemExit, match="already holds attributed_orders"):  # never on top of facts
            rebuild(p.settings, url, consumer=f"{app_id}-aggregator", progress=False)
        # cut short before the rollups: the offsets stay under the rebuild's own name, so no aggregator
        # started on that database would resume past facts whose rollups were never built
        cut = postgres.create_database(f"hk_cut_{uuid.uuid4().hex[:8]}")
        monkeypatch.setattr("services.aggregator.rebuild.DAILY_FROM_FACTS", text("SELECT 1 / 0"))
        with pytest.raises(Exception, match="division by zero"):
            rebuild(p.settings, cut, consumer="cut-aggregator", progress=False)
        engine = make_engine(cut)
        try:
            with engine.connect() as conn:
                kept = dict(conn.execute(text("SELECT consumer, count(*) FROM source_offsets GROUP BY consumer")).all())
                facts = conn.execute(text("SELECT count(*) FROM attributed_orders")).scalar_one()
                daily = conn.execute(text("SELECT count(*) FROM influencer_daily")).scalar_one()
        finally:
            engine.dispose()
        assert facts > 0 and daily == 0 and set(kept) == {"cut-aggregator.rebuilding"}
    finally:
        if replica is not None:
            replica.stop_all()
        p.close()


def metric(procs: ServiceProcesses, name: str) -> float:
    body = httpx.get(f"http://127.0.0.1:{procs.port('aggregator')}/metrics", timeout=5).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in body.splitlines() if line.startswith(name))


def total_records(p, topic: str) -> int:
    from kafka import KafkaConsumer, TopicPartition
    consumer = KafkaConsumer(bootstrap_servers=p.settings.kafka_bootstrap)
    try:
        parts = [TopicPartition(topic, n) for n in consumer.partitions_for_topic(topic)]
        return sum(consumer.end_offsets(parts).values())
    finally:
        consumer.close()


def rows_count(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (conn.execute(text("SELECT count(*) FROM attributed_orders")).scalar_one(),
                conn.execute(text("SELECT count(*) FROM refunds")).scalar_one())
