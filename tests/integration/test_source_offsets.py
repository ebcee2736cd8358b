"""Offsets kept with the facts, on a real PostgreSQL: a batch's transaction stores where each source partition's
facts end, a batch written again (the one-by-one retry, a redelivery) never moves them back, a batch that fails
stores nothing, and on assignment the worker reads them back to resume from."""
from __future__ import annotations

import pytest
from faust.types import TP
from sqlalchemy import text

from services.aggregator.batch import Batch, Calendar
from services.aggregator.migrate import migrate
from services.aggregator.progress import Progress
from services.aggregator.writer import write_batch
from services.common.db import make_engine
from services.common.settings import Settings

pytestmark = pytest.mark.postgres
TZ = "Asia/Kolkata"


@pytest.fixture(scope="module")
def engine(postgres):
    url = postgres.create_database("hk_offsets")
    migrate(Settings(env="dev", database_url=url, business_tz=TZ))
    engine = make_engine(url)
    yield engine
    engine.dispose()


def line(order_id: str, revenue: str = "100") -> dict:
    return {"kind": "order_line", "order_id": order_id, "line_no": 0, "customer_id": "c", "influencer_id": "i1",
            "brand": "MuscleBlaze", "product": "p", "quantity": 1, "revenue": revenue,
            "placed_at": "2026-11-20T12:00:00+05:30", "rule": "explicit", "counts_order": True}


def write(engine, records, offsets) -> None:
    batch = Batch(offsets=offsets)
    for r in records:
        batch.add(r)
    write_batch(engine, batch, Calendar(TZ), consumer="hk-aggregator")


def test_a_batch_stores_its_offsets_with_its_facts_and_they_never_move_back(engine):
    write(engine, [line("o1"), line("o2")], {("hk.attributions", 0): 12, ("hk.attributions", 1): 3})
    write(engine, [line("o1")], {("hk.attributions", 0): 11})  # an older batch again: facts and offsets unchanged
    write(engine, [], {("hk.posts", 2): 40})  # a batch of dead letters only still records how far it got
    progress = Progress("hk-aggregator", {"hk.attributions"})
    tps = [TP("hk.attributions", 0), TP("hk.attributions", 1), TP("hk.attributions", 2), TP("hk.posts", 2)]
    assert progress.load(engine, tps) == {tps[0]: 12, tps[1]: 3, tps[3]: 40}
    assert Progress("hk-other", set()).load(engine, tps) == {}  # another consumer group's progress is its own
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM attributed_orders")).scalar() == 2


def test_a_batch_that_fails_stores_no_offset(engine):
    with pytest.raises(ArithmeticError):  # decimal.InvalidOperation: "not money" is not an amount
        write(engine, [line("o3", revenue="not money")], {("hk.attributions", 0): 99})
    assert Progress("hk-aggregator", set()).load(engine, [TP("hk.attributions", 0)]) == {TP("hk.attributions", 0): 12}


@pytest.mark.kafka
@pytest.mark.parametrize("worker,source", [("aggregator", "hk.attributions"), ("attribution", "hk.storefront")])
def test_a_worker_resumes_from_its_stored_offsets_even_when_the_groups_commit_skipped_its_events(
        worker, source, kafka_bootstrap, postgres, tmp_path):
    """The failure faust-streaming causes, made on purpose: the worker's group commit is moved to the end of its
    source topic while 40 orders are not yet counted, and nothing follows them. Resuming from the commit loses
    them: the old aggregator did, and so did the old attribution worker (its offset guard compared events with
    the commit, so it saw no hole; run against this test it counted 12 of 52). Resuming from the offsets stored
    with the output (Postgres for the aggregator, the source_offsets table for attribution) counts every one."""
    from kafka import KafkaConsumer, TopicPartition
    from kafka.structs import OffsetAndMetadata

    from .pipeline import Pipeline, eventually
    from .pipeline import metric

    # dynamic membership here, so that the stopped worker leaves the group and its commit can be moved
    p = Pipeline(kafka_bootstrap, postgres, tmp_path / "logs", group_instance_id="", log_level="INFO")
    try:
        order = lambda i: {"type": "order", "order_id": f"skip-{i}", "customer_id": f"c{i}", "currency": "INR",
                           "placed_at": "2026-11-20T12:00:00+05:30", "influencer_id": "inf-1",
                           "lines": [{"product": "p", "brand": "Gritzo", "quantity": 1, "revenue": "10"}]}
        assert p.post([order(i) for i in range(12)]).status_code == 202
        count = lambda: p.query("SELECT count(*) FROM attributed_orders")[0][0]
        eventually(count, lambda n: n == 12, 60, "the first 12 orders counted")
        p.services.stop(worker)
        assert p.post([order(i) for i in range(12, 52)]).status_code == 202
        topic = p.settings.topic(source)
        consumer = KafkaConsumer(bootstrap_servers=kafka_bootstrap, group_id=f"{p.settings.app_id}-{worker}",
                                 enable_auto_commit=False)
        try:
            parts = [TopicPartition(topic, n) for n in consumer.partitions_for_topic(topic)]
            eventually(lambda: sum(consumer.end_offsets(parts).values()), lambda n: n == 52, 60, "all 52 on the topic")
            consumer.commit({tp: OffsetAndMetadata(end, "", -1) for tp, end in consumer.end_offsets(parts).items()})
        finally:
            consumer.close()
        assert count() == 12
        p.services.start(worker)
        eventually(count, lambda n: n == 52, 90, "the 40 orders the group's commit skipped, counted after all")
        if worker == "aggregator":
            [(stored,)] = p.query("SELECT sum(next_offset) FROM source_offsets WHERE topic = :t", t=topic)
            assert stored == 52
        else:  # the catch-up found the quiet partitions read past their stored offsets and sought them back
            assert metric(p, worker, "hk_attribution_offset_holes_total", topic=topic) >= 1
    finally:
        p.close()
