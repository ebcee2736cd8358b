"""A batch's attribution records sent as Kafka record batches, one per partition, through the Faust app's own
aiokafka producer: a ``send`` per record (a coroutine, a partitioner call, an accumulator lookup) was about a
third of the worker's cost per order. Keys are partitioned as every other client here partitions them
(murmur2, the Java client's), so an influencer's records keep one partition and their order."""
from __future__ import annotations

from typing import Any

from aiokafka.partitioner import DefaultPartitioner

MAX_KEYS_CACHED = 200_000  # influencer ids (and one key per brand for unattributed lines): a bounded set


class RecordBatches:
    def __init__(self, topic: str) -> None:
        self.topic = topic
        self.partition_of: dict[bytes, int] = {}
        self.partitions: list[int] = []

    def _partition(self, key: bytes, partitions: list[int]) -> int:
        p = self.partition_of.get(key)
        if p is None:
            if len(self.partition_of) >= MAX_KEYS_CACHED:
                self.partition_of.clear()
            p = self.partition_of[key] = DefaultPartitioner()(key, partitions, partitions)
        return p

    async def send(self, producer, records: list[tuple[bytes, bytes, float | None]]) -> None:
        """Send every (key, value, timestamp in s) and return once the broker has acknowledged them all."""
        if not records:
            return
        partitions = sorted(await producer.partitions_for(self.topic))
        if partitions != self.partitions:  # the topic gained partitions: keys move, as with any Kafka client
            self.partition_of.clear()
            self.partitions = partitions
        open_batches: dict[int, Any] = {}  # partition → the batch being filled for it (aiokafka's BatchBuilder, untyped)
        sent = []
        for key, value, seconds in records:
            timestamp = int(seconds * 1000) if seconds else None  # the builder takes milliseconds (its docstring says s)
            p = self._partition(key, partitions)
            batch = open_batches.get(p)
            if batch is None:
                batch = open_batches[p] = producer.create_batch()
            if batch.append(key=key, value=value, timestamp=timestamp) is None:  # full: send it, start the next
                sent.append(await producer.send_batch(batch, self.topic, partition=p))
                batch = open_batches[p] = producer.create_batch()
                if batch.append(key=key, value=value, timestamp=timestamp) is None:  # larger than a whole batch
                    sent.append(await producer.send(self.topic, value, key=key, partition=p, timestamp_ms=timestamp))
        for p, batch in open_batches.items():
            if batch.record_count():
                sent.append(await producer.send_batch(batch, self.topic, partition=p))
        for ack in sent:
            await ack
