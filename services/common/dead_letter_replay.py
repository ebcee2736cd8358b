"""``hk dead-letters``: read hk.dead-letter, and replay chosen letters to the topics they came from once their
cause is fixed. A letter keeps the original key and bytes; one whose value was cut at 256 KiB is re-read from
its source offset (while that topic retains it). Replaying twice is harmless: attribution drops a retried
order by its id and the aggregator a fact it already holds, so a replay never counts anything twice."""
from __future__ import annotations

import base64
import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from . import topics
from .kafka_security import kafka_python
from .settings import Settings


@dataclass(frozen=True)
class Letter:
    body: dict
    key: bytes | None

    @property
    def source(self) -> str:
        s = self.body["source"]
        return f"{s['topic']}[{s['partition']}]" + (f"@{s['offset']}" if s.get("offset") is not None else "")

    def line(self) -> str:
        errors = self.body.get("errors") or [{}]
        first = errors[0].get("message", "")
        return f"{self.body.get('failed_at')}  {self.body.get('service')}  {self.body.get('reason')}  {self.source}  {first}"


def read(settings: Settings, service: str | None = None, reason: str | None = None,
         since: datetime | None = None) -> list[Letter]:
    """Every letter on the topic now (oldest first per partition) that matches the filters."""
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False,
                             consumer_timeout_ms=2000, **kafka_python(settings))
    try:
        name = settings.topic(topics.DEAD_LETTER)
        parts = [TopicPartition(name, p) for p in consumer.partitions_for_topic(name) or ()]
        consumer.assign(parts)
        consumer.seek_to_beginning()
        ends, out = consumer.end_offsets(parts), []
        while any(consumer.position(tp) < end for tp, end in ends.items()):
            batch = consumer.poll(timeout_ms=2000)
            if not batch:
                break
            for record in (r for records in batch.values() for r in records):
                try:
                    body = json.loads(record.value)
                except ValueError:
                    continue  # not a letter this service wrote
                if not isinstance(body, dict) or "source" not in body:
                    continue
                key = body.get("key_b64")
                letter = Letter(body, base64.b64decode(key) if key else record.key)
                if _matches(letter, service, reason, since):
                    out.append(letter)
        return out
    finally:
        consumer.close()


def _matches(letter: Letter, service: str | None, reason: str | None, since: datetime | None) -> bool:
    b = letter.body
    if service and b.get("service") != service or reason and b.get("reason") != reason:
        return False
    return not since or datetime.fromisoformat(b["failed_at"]) >= since


def summary(letters: list[Letter]) -> list[str]:
    counts = Counter((b.body.get("service"), b.body.get("reason")) for b in letters)
    return [f"{n:>7}  {service}  {reason}" for (service, reason), n in counts.most_common()]


def replay(settings: Settings, letters: list[Letter], dry_run: bool = False) -> tuple[list[str], list[str]]:
    """Re-send each letter's key and value to its source topic, acknowledged (acks=all) before returning.
    Returns (replayed, skipped) as lines saying which and why."""
    producer = None if dry_run else KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all",
                                                  **kafka_python(settings))
    replayed, skipped = [], []
    try:
        for letter in letters:
            if letter.body["source"]["topic"].startswith("file:"):  # hk import's bad rows: not from a topic
                skipped.append(f"{letter.source}: a row of an imported file; fix the file and run hk import again")
                continue
            value = _value(settings, letter)
            if value is None:
                skipped.append(f"{letter.source}: the value was cut at 256 KiB and the source no longer holds it")
                continue
            if producer:
                producer.send(letter.body["source"]["topic"], key=letter.key, value=value).get(timeout=30)
            replayed.append(f"{letter.source} -> {letter.body['source']['topic']} ({len(value)} bytes)")
    finally:
        if producer:
            producer.close()
    return replayed, skipped


def _value(settings: Settings, letter: Letter) -> bytes | None:
    b = letter.body
    if b.get("value_b64") is None:
        return None
    if not b.get("value_truncated"):
        return base64.b64decode(b["value_b64"])
    src = b["source"]
    if src.get("offset") is None:
        return None
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False,
                             consumer_timeout_ms=5000, **kafka_python(settings))
    try:
        tp = TopicPartition(src["topic"], src["partition"])
        consumer.assign([tp])
        consumer.seek(tp, src["offset"])
        for record in consumer:
            return record.value if record.offset == src["offset"] else None  # compacted or deleted away
        return None
    finally:
        consumer.close()
