"""``hk dead-letters``: read hk.dead-letter, and replay chosen letters to the topics they came from once their
cause is fixed. A letter keeps the original key and bytes; one whose value was cut at 256 KiB is re-read from
its source offset (while that topic retains it). Replaying twice is harmless: attribution drops a retried
order by its id and the aggregator a fact it already holds, so a replay never counts anything twice."""
from __future__ import annotations

import base64
import hashlib
import logging
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from . import topics
from .events import InvalidEvent, read_record
from .kafka_security import kafka_python
from .settings import Settings

log = logging.getLogger(__name__)


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


def parse(value: bytes | None, key: bytes | None = None) -> Letter:
    """A record of hk.dead-letter as a Letter (its key is the failed record's), or InvalidEvent saying what keeps
    it from being a dead letter of schemas/dead-letter.v1.json."""
    body = read_record(value, "dead-letter")
    return Letter(body, base64.b64decode(body["key_b64"]) if body["key_b64"] is not None else key)


class Incomplete(RuntimeError):
    """The topic was not read to its end in time: a listing or replay of part of it would mislead."""


def read(settings: Settings, service: str | None = None, reason: str | None = None,
         since: datetime | None = None, deadline_s: float = 120.0) -> list[Letter]:
    """Every letter on the topic now that matches the filters, oldest first (by failed_at)."""
    if since and since.tzinfo is None:
        since = since.replace(tzinfo=timezone.utc)  # a time without an offset is read as UTC
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False,
                             consumer_timeout_ms=2000, **kafka_python(settings))
    try:
        name = settings.topic(topics.DEAD_LETTER)
        parts = [TopicPartition(name, p) for p in consumer.partitions_for_topic(name) or ()]
        consumer.assign(parts)
        consumer.seek_to_beginning()
        ends, out, foreign, give_up = consumer.end_offsets(parts), [], [], time.monotonic() + deadline_s
        while any(consumer.position(tp) < end for tp, end in ends.items()):
            if time.monotonic() > give_up:
                raise Incomplete(f"{name} not read to its end within {deadline_s:.0f}s; nothing listed or replayed")
            batch = consumer.poll(timeout_ms=2000)
            for record in (r for records in batch.values() for r in records):
                try:
                    letter = parse(record.value, record.key)
                except InvalidEvent as exc:
                    foreign.append(f"{record.partition}@{record.offset}: {exc}")
                    continue
                if _matches(letter, service, reason, since):
                    out.append(letter)
        if foreign:  # said, not hidden: something else writes to the topic, or a letter was damaged
            log.warning("%d record(s) on %s are not dead letters (schemas/dead-letter.v1.json) and are not listed; "
                        "the first: %s", len(foreign), name, foreign[0])
        return sorted(out, key=lambda letter: letter.body["failed_at"])
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
            value, why = _value(settings, letter)
            if value is None:
                skipped.append(f"{letter.source}: {why}")
                continue
            try:
                if producer:
                    producer.send(letter.body["source"]["topic"], key=letter.key, value=value).get(timeout=30)
            except Exception as exc:  # noqa: BLE001 — report it and go on: the others may still go
                skipped.append(f"{letter.source}: not acknowledged by the broker ({exc!r}); replay it again")
                continue
            replayed.append(f"{letter.source} -> {letter.body['source']['topic']} ({len(value)} bytes)")
    finally:
        if producer:
            producer.close()
    return replayed, skipped


def _value(settings: Settings, letter: Letter) -> tuple[bytes | None, str]:
    """The letter's original bytes, or None and why not."""
    b = letter.body
    if b.get("value_b64") is None:
        return None, "the letter holds no value (a tombstone): nothing to replay"
    if not b.get("value_truncated"):
        return base64.b64decode(b["value_b64"]), ""
    src, gone = b["source"], "the value was cut at 256 KiB and the source no longer holds it"
    if src.get("offset") is None:
        return None, gone
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False,
                             consumer_timeout_ms=5000, **kafka_python(settings))
    try:
        tp = TopicPartition(src["topic"], src["partition"])
        consumer.assign([tp])
        consumer.seek(tp, src["offset"])
        for record in consumer:
            if record.offset != src["offset"]:  # compacted or deleted away
                return None, gone
            if hashlib.sha256(record.value or b"").hexdigest() != b.get("value_sha256"):
                return None, "the bytes at the source offset are not the ones that failed (the topic was recreated?)"
            return record.value, ""
        return None, gone
    finally:
        consumer.close()
