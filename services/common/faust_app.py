"""A Faust app configured from the settings, serving /metrics and /healthz on its web port."""
from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import faust
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from . import topics
from .metrics import CONSUMER_LAG
from .dead_letter import record
from .kafka_security import faust_credentials
from .events import InvalidEvent
from .infrastructure import retrying
from .settings import Settings


LAG_EVERY_S = 5.0


def make_app(service: str, settings: Settings, web_port: int) -> faust.App:
    if settings.data_dir:
        Path(settings.data_dir).mkdir(parents=True, exist_ok=True)  # Faust creates only the last level
    datadir: dict[str, Any] = {"datadir": f"{settings.data_dir}/{{conf.name}}"} if settings.data_dir else {}
    app = faust.App(
        f"{settings.app_id}-{service}",
        broker=f"kafka://{settings.kafka_bootstrap}",
        broker_credentials=faust_credentials(settings),
        store=settings.table_store,
        **datadir,
        topic_partitions=settings.partitions,
        topic_replication_factor=1,
        web_host=settings.web_host,
        web_port=web_port,
        web_in_thread=False,
        consumer_auto_offset_reset="earliest",
        # static membership: a restarted worker rejoins with its partitions, without a rebalance
        consumer_group_instance_id=settings.effective_group_instance_id(),
        producer_acks=-1,
        # 5 ms of linger: one produce request carries many records instead of one socket write per record
        # (py-spy: socket writes were the attribution worker's largest own cost at linger 0)
        producer_linger_ms=5,
        # 512 KiB record batches (Kafka's default is 16 KiB): a batch of attribution records goes as one per partition
        producer_max_batch_size=512 * 1024,
        # Faust's defaults for stream_wait_empty (True) and the group session timeout (60 s) are kept on
        # purpose: with a 10 s session timeout, faster rebalances made faust-streaming commit storefront
        # offsets past events it never processed (bench/faults lost 9 to 99 order lines in 3 of 3 runs).
    )

    @app.page("/metrics")
    async def metrics(web, request):
        return web.bytes(generate_latest(), content_type=CONTENT_TYPE_LATEST.split(";")[0])

    @app.timer(LAG_EVERY_S)
    async def export_lag() -> None:
        # committed offsets are Faust's own bookkeeping (no broker round trip); a reassigned partition drops out
        consumer = app.consumer
        committed = getattr(consumer, "_committed_offset", {})
        CONSUMER_LAG.clear()
        for tp in consumer.assignment():
            end = consumer.highwater(tp)
            if end is not None:
                CONSUMER_LAG.labels(service, tp.topic, str(tp.partition)).set(max(end - (committed.get(tp) or 0), 0))

    @app.page("/healthz")
    async def healthz(web, request):
        return web.json({"status": "ok", "service": service})

    return app


def table_options(settings: Settings) -> dict:
    """Options for each table's store. Faust opens one RocksDB per table *and partition*, each with its own
    block cache and write buffers; its defaults (a 2 GB cache, 64 MB × 3 write buffers) let attribution's RSS
    climb past 300 MB in a 17-minute soak with nothing flushed to disk. At 1 MB + 2 × 1 MB, a partition of a
    table costs at most ~3 MB (docs/operations.md sizes this per owned partition). They must be given per
    table: faust.App has no RocksDB setting (an unknown keyword there is silently ignored)."""
    if not settings.table_store.startswith("rocksdb"):
        return {}
    return {"write_buffer_size": 2**20, "max_write_buffer_number": 2, "block_cache_size": 2**20}


def raw_topic(app: faust.App, settings: Settings, *names: str):
    """Topics read and written as bytes: decoding is ours, so bad input reaches the dead-letter topic."""
    return app.topic(*(settings.topic(n) for n in names), key_type=bytes, value_type=bytes,
                     key_serializer="raw", value_serializer="raw")


class DeadLetters:
    def __init__(self, app: faust.App, settings: Settings, service: str) -> None:
        self.topic = raw_topic(app, settings, topics.DEAD_LETTER)
        self.service = service

    async def send(self, event, error: InvalidEvent | Exception) -> None:
        m = event.message
        await self._publish(error, m.topic, m.partition, m.offset, m.key, m.value)

    async def send_unsourced(self, topic: str, partition: int, key: bytes | None, value: bytes, error: InvalidEvent) -> None:
        """A dead letter for what the worker held rather than read at an offset (a refund kept waiting)."""
        await self._publish(error, topic, partition, None, key, value)

    async def _publish(self, error: InvalidEvent | Exception, topic: str, partition: int | None, offset: int | None,
                       key: bytes | None, value: bytes | None) -> None:
        letter = record(self.service, error, topic=topic, partition=partition, offset=offset, key=key, value=value)
        where = f"{topic}[{partition}]" + (f"@{offset}" if offset is not None else "")
        await retrying(f"dead letter for {where}", lambda: self._send(key, letter))

    async def _send(self, key: bytes | None, value: bytes) -> None:
        # force: published now (not attached to the event until the next commit), and acknowledged before the
        # source offset can move on
        await (await self.topic.send(key=key, value=value, force=True))


async def group_committed(app: faust.App, tps) -> dict:
    """The consumer group's committed offsets of ``tps`` as the broker holds them now (None where it holds
    none), read in the thread that owns Faust's aiokafka consumer; Faust's own record of them is filled only
    when its recovery has sought, which may come after the assignment signal."""
    from faust.transport.drivers.aiokafka import Consumer, ensure_aiokafka_TP
    # a kafka:// broker (make_app's) gives the app the aiokafka driver's Consumer, the one with a consumer thread
    thread = cast(Consumer, app.consumer)._thread
    consumer = thread._ensure_consumer()

    async def read() -> dict:
        return {tp: await consumer.committed(ensure_aiokafka_TP(tp)) for tp in tps}
    return await thread.call_thread(read)
