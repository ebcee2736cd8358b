"""``hk dead-letters`` on the real broker: letters are listed and filtered; a replay puts each chosen letter's
original key and bytes back on its source topic (acknowledged), re-reads a value cut at 256 KiB from its
source offset, reports what it cannot replay, and a dry run sends nothing."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from services.common import topics
from services.common.dead_letter import record
from services.common.dead_letter_replay import read, replay, summary
from services.common.events import FieldError, InvalidEvent
from services.common.settings import Settings
from services.common.topics import create_topics

pytestmark = pytest.mark.kafka


def source_records(settings: Settings, name: str) -> list[tuple[bytes, bytes]]:
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, consumer_timeout_ms=1500)
    parts = [TopicPartition(settings.topic(name), p) for p in consumer.partitions_for_topic(settings.topic(name))]
    consumer.assign(parts)
    consumer.seek_to_beginning()
    out = [(r.key, r.value) for r in consumer]
    consumer.close()
    return out


@pytest.fixture
def letters(kafka_bootstrap):
    s = Settings(kafka_bootstrap=kafka_bootstrap, topic_prefix=f"dl{uuid.uuid4().hex[:6]}.", partitions=2)
    create_topics(s)
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    big = b'{"type":"post",' + b" " * (300 * 1024) + b"}"
    kept = producer.send(s.topic(topics.POSTS), key=b"post-1", value=big).get(timeout=30)  # still on its topic
    other = producer.send(s.topic(topics.INFLUENCERS), key=b"inf-1", value=b"{}").get(timeout=30)  # not what failed
    letters = [
        record("attribution", InvalidEvent("invalid_order", [FieldError("currency", "convert before sending")]),
               topic=s.topic(topics.STOREFRONT), partition=1, offset=7, key=b"cust-1", value=b'{"type":"order","x":1}'),
        record("aggregator", ValueError("year 9999 is out of range"), topic=s.topic(topics.POSTS),
               partition=kept.partition, offset=kept.offset, key=b"post-1", value=big),
        record("attribution", InvalidEvent("order_never_seen", [FieldError("order_id", "never seen")]),
               topic=s.topic(topics.STOREFRONT), partition=0, offset=None, key=b"cust-2", value=b"r" * (300 * 1024)),
        record("aggregator", ValueError("too big"), topic=s.topic(topics.INFLUENCERS), partition=other.partition,
               offset=other.offset, key=b"inf-1", value=b"x" * (300 * 1024)),
        record("import", InvalidEvent("invalid_csv_row", [FieldError("revenue", "not a number")]),
               topic="file:tracking.csv", partition=None, offset=12, key=None, value=b"o-1,abc"),
    ]
    for letter in letters:
        producer.send(s.topic(topics.DEAD_LETTER), key=b"k", value=letter).get(timeout=30)
    producer.close()
    return s, big


def test_letters_are_listed_and_filtered(letters):
    s, _ = letters
    everything = read(s)
    assert [(x.body["service"], x.body["reason"]) for x in sorted(everything, key=lambda x: x.body["reason"])] == [
        ("import", "invalid_csv_row"), ("attribution", "invalid_order"), ("attribution", "order_never_seen"),
        ("aggregator", "processing_error:ValueError"), ("aggregator", "processing_error:ValueError")]
    assert [x.body["reason"] for x in read(s, service="aggregator")] == ["processing_error:ValueError"] * 2
    assert [x.body["reason"] for x in read(s, reason="invalid_order")] == ["invalid_order"]
    assert read(s, since=datetime.now(timezone.utc) + timedelta(minutes=1)) == []
    assert read(s, since=datetime.utcnow() + timedelta(minutes=1)) == []  # no offset: read as UTC
    assert len(read(s, since=datetime.utcnow() - timedelta(minutes=5))) == 5
    assert sorted(summary(everything)) == sorted(["      1  attribution  invalid_order", "      1  attribution  order_never_seen",
                                                  "      2  aggregator  processing_error:ValueError",
                                                  "      1  import  invalid_csv_row"])
    line = read(s, reason="invalid_order")[0].line()
    assert f"attribution  invalid_order  {s.topic(topics.STOREFRONT)}[1]@7  convert before sending" in line


def test_a_replay_sends_the_original_key_and_bytes_back_to_the_source(letters):
    s, big = letters
    before = source_records(s, topics.STOREFRONT)
    done, skipped = replay(s, read(s), dry_run=True)
    assert len(done) == 2 and len(skipped) == 3 and source_records(s, topics.STOREFRONT) == before == []

    done, skipped = replay(s, read(s))
    assert len(done) == 2
    why = {line.split("[", 1)[0]: line.split(": ", 1)[1] for line in skipped}
    assert why == {
        s.topic(topics.STOREFRONT): "the value was cut at 256 KiB and the source no longer holds it",
        s.topic(topics.INFLUENCERS): "the bytes at the source offset are not the ones that failed (the topic was recreated?)",
        "file:tracking.csv": "a row of an imported file; fix the file and run hk import again"}
    assert source_records(s, topics.STOREFRONT) == [(b"cust-1", b'{"type":"order","x":1}')]
    assert source_records(s, topics.POSTS) == [(b"post-1", big), (b"post-1", big)]  # the original, and its replay whole
