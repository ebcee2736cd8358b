"""The attribution worker resumes from where its delivered records end (its source_offsets table), not from the
consumer group's commit, which faust-streaming can move past events no agent saw."""
from __future__ import annotations

import pytest

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


def test_attribution_resumes_from_its_table_even_when_the_groups_commit_skipped_its_events(kafka_bootstrap, postgres,
                                                                                           tmp_path):
    """The failure faust-streaming causes, made on purpose: the attribution group's commit is moved to the end of
    hk.storefront while 40 orders are not yet attributed, and no event follows them. Resuming from the commit
    loses them (the old worker trusted it: its offset guard compared events with the commit, saw no hole and
    exited for nothing); resuming from the stored offsets, sought back by the catch-up, counts every one."""
    from kafka import KafkaConsumer, TopicPartition
    from kafka.structs import OffsetAndMetadata

    from .pipeline import Pipeline, eventually
    from .test_pipeline import metric

    # dynamic membership here, so that the stopped worker leaves the group and its commit can be moved
    p = Pipeline(kafka_bootstrap, postgres, tmp_path / "logs", HK_GROUP_INSTANCE_ID="", HK_LOG_LEVEL="INFO")
    try:
        order = lambda i: {"type": "order", "order_id": f"skip-{i}", "customer_id": f"c{i}", "currency": "INR",
                           "placed_at": "2026-11-20T12:00:00+05:30", "influencer_id": "inf-1",
                           "lines": [{"product": "p", "brand": "Gritzo", "quantity": 1, "revenue": "10"}]}
        assert p.post([order(i) for i in range(12)]).status_code == 202
        count = lambda: p.query("SELECT count(*) FROM attributed_orders")[0][0]
        eventually(count, lambda n: n == 12, 60, "the first 12 orders counted")
        p.services.stop("attribution")
        assert p.post([order(i) for i in range(12, 52)]).status_code == 202
        topic = p.settings.topic("hk.storefront")
        consumer = KafkaConsumer(bootstrap_servers=kafka_bootstrap, group_id=f"{p.settings.app_id}-attribution",
                                 enable_auto_commit=False)
        try:
            parts = [TopicPartition(topic, n) for n in consumer.partitions_for_topic(topic)]
            ends = consumer.end_offsets(parts)
            assert sum(ends.values()) == 52
            consumer.commit({tp: OffsetAndMetadata(end, "", -1) for tp, end in ends.items()})
        finally:
            consumer.close()
        p.services.start("attribution")
        eventually(count, lambda n: n == 52, 90, "the 40 orders the group's commit skipped, counted after all")
        holes = metric(p, "attribution", "hk_attribution_offset_holes_total", topic=topic)
        assert holes >= 1, "the catch-up sought the skipped partitions back"
    finally:
        p.close()
