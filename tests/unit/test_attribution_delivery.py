"""Attribution records as record batches (services/attribution/delivery.py), against a producer that keeps what it
is given: every record once, on its key's murmur2 partition, in order, stamped in milliseconds; a full batch is
sent and the next begun; a record larger than a whole batch goes alone; no empty batch is sent."""
import asyncio

from kafka.partitioner.default import murmur2

from services.attribution.delivery import RecordBatches


class Builder:
    def __init__(self, capacity: int) -> None:
        self.capacity, self.records = capacity, []

    def append(self, *, key, value, timestamp):
        if sum(len(v) for _, v, _ in self.records) + len(value) > self.capacity:
            return None
        self.records.append((key, value, timestamp))
        return object()

    def record_count(self) -> int:
        return len(self.records)


class Producer:
    def __init__(self, capacity: int = 100) -> None:
        self.capacity, self.sent = capacity, []

    async def partitions_for(self, topic):
        return {0, 1, 2, 3, 4, 5}

    def create_batch(self):
        return Builder(self.capacity)

    async def send_batch(self, batch, topic, *, partition):
        assert batch.records, "an empty batch was sent"
        self.sent.append((partition, batch.records))
        return _done()

    async def send(self, topic, value, *, key, partition, timestamp_ms):
        self.sent.append((partition, [(key, value, timestamp_ms)]))
        return _done()


def _done():
    future = asyncio.get_running_loop().create_future()
    future.set_result(None)
    return future


def test_records_go_once_in_order_on_their_keys_partition_stamped_in_milliseconds():
    records = [(f"inf-{i % 7}".encode(), f"v{i:03d}".encode() * 3, 1_700_000_000.25 + i) for i in range(60)]
    records.append((b"inf-big", b"x" * 500, 1_700_000_100.0))  # larger than a whole batch
    producer = Producer(capacity=100)
    asyncio.run(RecordBatches("hk.attributions").send(producer, records))
    got = [(p, r) for p, batch in producer.sent for r in batch]
    assert sorted(r for _, r in got) == sorted((k, v, int(t * 1000)) for k, v, t in records)
    for partition, (key, _, _) in got:
        assert partition == (murmur2(key) & 0x7FFFFFFF) % 6
    for key in {k for k, _, _ in records}:  # each key's records keep their order
        assert [v for _, (k, v, _) in got if k == key] == [v for k, v, _ in records if k == key]
    assert len(producer.sent) > len({p for p, _ in producer.sent}), "full batches were sent and new ones begun"


def test_nothing_to_send_sends_nothing():
    producer = Producer()
    asyncio.run(RecordBatches("hk.attributions").send(producer, []))
    assert producer.sent == []
