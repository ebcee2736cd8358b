"""Reads the whole compacted contracts topic (every partition, no consumer group) into a ContractIndex.

Each attribution worker owns only some customers' partitions but needs every contract; orders wait
until the feed has caught up with the topic's end as it was at start-up.
"""
from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaConsumer, TopicPartition

from ..common.events import decode
from ..common.metrics import CONTRACTS_INDEXED
from ..common import kafka_security
from ..common.settings import Settings
from .contracts import ContractIndex

log = logging.getLogger(__name__)


class ContractFeed:
    def __init__(self, settings: Settings, topic: str) -> None:
        self.settings, self.topic = settings, topic
        self.index = ContractIndex()
        self.ready = asyncio.Event()

    async def run(self) -> None:
        consumer = AIOKafkaConsumer(bootstrap_servers=self.settings.kafka_bootstrap, group_id=None,
                                    **kafka_security.aiokafka(self.settings),
                                    enable_auto_commit=False, auto_offset_reset="earliest")
        await consumer.start()
        try:
            parts = await self._partitions(consumer)
            consumer.assign(parts)
            await consumer.seek_to_beginning(*parts)
            end = await consumer.end_offsets(parts)
            while True:
                batches = await consumer.getmany(timeout_ms=500, max_records=1000)
                for messages in batches.values():
                    for m in messages:
                        self._apply(m.value)
                if not self.ready.is_set() and await self._caught_up(consumer, end):
                    log.info("contract index ready: %d contracts", len(self.index))
                    self.ready.set()
        finally:
            await consumer.stop()

    @staticmethod
    async def _caught_up(consumer: AIOKafkaConsumer, end: dict) -> bool:
        for tp, offset in end.items():
            if await consumer.position(tp) < offset:
                return False
        return True

    async def _partitions(self, consumer: AIOKafkaConsumer) -> list[TopicPartition]:
        while not (found := consumer.partitions_for_topic(self.topic)):
            await consumer._client.force_metadata_update()
            await asyncio.sleep(0.5)
        return [TopicPartition(self.topic, p) for p in sorted(found)]

    def _apply(self, raw: bytes | None) -> None:
        try:
            contract = decode(raw, self.settings.currency)
        except Exception as exc:  # noqa: BLE001 — the aggregator dead-letters and counts it; here it is only skipped
            log.warning("skipping an invalid contract: %s", exc)
            return
        if contract.get("type") == "contract":
            self.index.upsert(contract)
            CONTRACTS_INDEXED.set(len(self.index))
