"""Ceilings measured in the same run as the pipeline: what bare Kafka clients do on this machine.

A pipeline figure means something only next to these: the ingest against a kafka-python producer loop
(no HTTP, no validation), the workers against an aiokafka consumer that reads and discards.
"""
from __future__ import annotations

import asyncio
import time

from aiokafka import AIOKafkaConsumer, TopicPartition
from kafka import KafkaProducer

from services.common.events import dumps


def producer_loop(bootstrap: str, topic: str, events: list[dict]) -> float:
    """Events/s of a bare kafka-python producer (acks=all, as the ingest), keyed like the ingest."""
    values = [(e.get("customer_id", e.get("post_id", "k")).encode(), dumps(e)) for e in events]
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    try:
        started = time.perf_counter()
        for key, value in values:
            producer.send(topic, key=key, value=value)
        producer.flush()
        return len(values) / (time.perf_counter() - started)
    finally:
        producer.close()


def consume_and_discard(bootstrap: str, topic: str, partitions: int) -> tuple[int, float]:
    """(messages, messages/s) of an aiokafka consumer reading every partition of a topic from offset 0."""
    return asyncio.run(_consume(bootstrap, topic, partitions))


async def _consume(bootstrap: str, topic: str, partitions: int) -> tuple[int, float]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        parts = [TopicPartition(topic, p) for p in range(partitions)]
        consumer.assign(parts)
        ends = await consumer.end_offsets(parts)
        total = sum(ends.values())
        await consumer.seek_to_beginning(*parts)
        seen, started = 0, time.perf_counter()
        while seen < total:
            batch = await consumer.getmany(timeout_ms=1000, max_records=10_000)
            seen += sum(len(records) for records in batch.values())
        return seen, seen / (time.perf_counter() - started)
    finally:
        await consumer.stop()
