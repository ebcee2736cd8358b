"""What ``hk rebuild`` reads: every partition of some topics from its beginning to where it ended when the
rebuild began, in large batches, with librdkafka (confluent-kafka).

Why librdkafka and not aiokafka: aiokafka builds each record in Python, a fifth of the rebuild's samples
(py-spy, ``hk bench rebuild``); librdkafka hands over C objects. No consumer group is joined: partitions are
assigned, and the group's name is only used to commit the offsets reached at the end.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import cast

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, TopicPartition

from ..common.kafka_security import librdkafka
from ..common.settings import Settings


class TopicReader:
    def __init__(self, settings: Settings, group: str) -> None:
        self.kafka = Consumer({**librdkafka(settings), "bootstrap.servers": settings.kafka_bootstrap,
                               "group.id": group, "enable.auto.commit": False, "enable.partition.eof": True,
                               "fetch.max.bytes": 64 << 20, "max.partition.fetch.bytes": 8 << 20,
                               "queued.max.messages.kbytes": 256 << 10})

    def ends(self, topics: list[str]) -> dict[tuple[str, int], int]:
        """(topic, partition) → the offset one past its last record now, for partitions holding any."""
        out = {}
        for topic in topics:
            meta = self.kafka.list_topics(topic, timeout=30).topics[topic]
            if meta.error is not None:
                raise KafkaException(meta.error)
            for partition in sorted(meta.partitions):
                low, high = self.kafka.get_watermark_offsets(TopicPartition(topic, partition), timeout=30)
                if high > low:
                    out[(topic, partition)] = high
        return out

    def read(self, ends: dict[tuple[str, int], int], batch_size: int) -> Iterator[list]:
        """Batches of messages below ``ends``, until every partition has reached its end (a compacted
        partition may end past its last record: its end of partition says so)."""
        if not ends:
            return
        left = dict(ends)
        self.kafka.assign([TopicPartition(t, p, OFFSET_BEGINNING) for t, p in ends])
        try:
            while left:
                batch = []
                for m in self.kafka.consume(batch_size, timeout=1.0):
                    # only assigned partitions' records and ends reach tp: any other error is raised first
                    tp = cast("tuple[str, int]", (m.topic(), m.partition()))
                    error = m.error()
                    if error is not None:
                        if error.code() != KafkaError._PARTITION_EOF:
                            raise KafkaException(error)
                        left.pop(tp, None)  # read to the high watermark, which is at or past the end
                        continue
                    offset = cast(int, m.offset())  # a record (no error) always has its offset
                    if offset < ends[tp]:
                        batch.append(m)
                    if offset + 1 >= ends[tp]:
                        left.pop(tp, None)
                if batch:
                    yield batch
        finally:
            self.kafka.unassign()

    def commit(self, offsets: dict[tuple[str, int], int]) -> None:
        """Commit the group at ``offsets`` (refused while the group has a member)."""
        self.kafka.commit(offsets=[TopicPartition(t, p, o) for (t, p), o in offsets.items()], asynchronous=False)

    def close(self) -> None:
        self.kafka.close()
