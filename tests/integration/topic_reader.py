"""Reading a topic from its start in a test, each record through the consumer side of its topic's contract
(schemas/*.v1.json): what the real services wrote must be what their readers accept."""
from __future__ import annotations

import json
import time
from collections.abc import Callable

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

from services.aggregator.records import decode_record
from services.alerts import subscriber
from services.common import dead_letter_replay, topics

CONSUMERS: dict[str, Callable[[bytes], dict]] = {
    topics.DEAD_LETTER: lambda value: dead_letter_replay.parse(value).body,
    topics.ALERTS: subscriber.decode,
    topics.ATTRIBUTIONS: lambda value: decode_record(topics.ATTRIBUTIONS, value, "INR"),
}


def read_topic(bootstrap: str, topic: str, expect: int | None, timeout_s: float = 30) -> list[dict]:
    """At least ``expect`` records of ``topic`` (a prefixed name), or all there are when ``timeout_s`` ends;
    ``expect=None``: every record up to where the topic ends now."""
    decode = next((f for name, f in CONSUMERS.items() if topic.endswith(name)), json.loads)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, consumer_timeout_ms=1000)
    parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
    consumer.assign(parts)
    consumer.seek_to_beginning(*parts)
    records: list[dict] = []
    ends = consumer.end_offsets(parts)
    more = (lambda: any(consumer.position(tp) < ends[tp] for tp in parts)) if expect is None else lambda: len(records) < expect
    deadline = time.monotonic() + timeout_s
    while more() and time.monotonic() < deadline:
        for batch in consumer.poll(timeout_ms=500).values():
            records += [decode(m.value) for m in batch]
    consumer.close()
    return records


def group_offsets(bootstrap: str, group: str) -> dict[tuple[str, int], int]:
    """(topic, partition) → the consumer group's committed offset, as the broker holds it (empty: none)."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        return {(tp.topic, tp.partition): o.offset for tp, o in admin.list_group_offsets({group: None}).get(group, {}).items()}
    finally:
        admin.close()
