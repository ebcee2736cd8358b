"""``hk rebuild``: every reporting table rebuilt from the topics into an empty database, then handed to the
live aggregator at the offsets the rebuild reached.

The rebuild reads what the aggregator reads, with a bare consumer in large batches (no consumer group,
no Faust), and writes each batch with the aggregator's own ``write_batch``, so a rebuilt table can only
differ from a live one where the live one is wrong. The batch's transaction stores the offsets it covers
under the live aggregator's name; an aggregator started on the rebuilt database resumes from them
(``progress.py``), so nothing between the rebuild and the live stream is missed or counted twice.

Influencers and contracts (compacted) are read first, as they were onboarded before their facts. Records
that do not decode were dead-lettered by the live aggregator when it met them: they are counted and
skipped, not sent to the dead-letter topic a second time. ROAS alerts are not replayed (they are events
of the moment they fired, not a function of the facts); the rebuilt windows start clean.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import text
from tqdm import tqdm

from ..common import topics
from ..common.db import make_engine
from ..common.kafka_security import aiokafka
from ..common.settings import Settings
from .batch import Calendar
from .isolation import write_isolating
from .migrate import migrate
from .records import decode_record
from .rolling import RollingClock
from .writer import write_batch

log = logging.getLogger(__name__)
SOURCES = topics.CONSUMERS["aggregator"]
FACT_TABLES = ("attributed_orders", "refunds", "posts", "spend", "influencer_daily", "source_offsets")


@dataclass
class Rebuilt:
    records: int = 0
    seconds: float = 0.0
    skipped: Counter = field(default_factory=Counter)   # reason → records that did not decode or write
    offsets: dict = field(default_factory=dict)         # (topic, partition) → next offset, as stored

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


def rebuild(settings: Settings, database_url: str, consumer: str | None = None, batch_size: int = 20_000,
            progress: bool | None = None) -> Rebuilt:
    """Migrate an empty database and fill it from the topics as far as they reach now."""
    migrate(settings.model_copy(update={"database_url": database_url}))
    engine = make_engine(database_url, pool_size=1)
    try:
        _require_empty(engine)
        RollingClock(Calendar(settings.business_tz)).refresh(engine)
        return asyncio.run(_run(settings, engine, consumer or f"{settings.app_id}-aggregator", batch_size, progress))
    finally:
        engine.dispose()


def _require_empty(engine) -> None:
    with engine.connect() as conn:
        filled = [t for t in FACT_TABLES if conn.execute(text(f"SELECT EXISTS (SELECT 1 FROM {t})")).scalar_one()]
    if filled:
        raise SystemExit(f"hk rebuild: the target database already holds {', '.join(filled)}; "
                         "rebuild into an empty database (hk migrate on a new one)")


async def _run(settings: Settings, engine, name: str, batch_size: int, progress: bool | None) -> Rebuilt:
    result, started = Rebuilt(), time.perf_counter()
    calendar = Calendar(settings.business_tz)
    stages = [[t for t in SOURCES if t in topics.COMPACTED], [t for t in SOURCES if t not in topics.COMPACTED]]
    consumers = [_consumer(settings) for _ in stages]  # one per stage, each assigned once
    try:
        ends = []
        for kafka, stage in zip(consumers, stages):
            await kafka.start()
            # the consumer's own partitions_for_topic() reads a cache an unsubscribed consumer never fills
            cluster = await kafka._client.fetch_all_metadata()
            parts = [TopicPartition(settings.topic(t), p) for t in stage
                     for p in sorted(cluster.partitions_for_topic(settings.topic(t)) or ())]
            kafka.assign(parts)  # before anything else: aiokafka's stop() raised CancelledError on a consumer never assigned
            ends.append({tp: end for tp, end in (await kafka.end_offsets(parts)).items() if end})
        total = sum(sum(e.values()) for e in ends)
        with tqdm(total=total, unit="event", unit_scale=True, desc="rebuild",
                  disable=None if progress is None else not progress) as bar:
            for kafka, stage, end in zip(consumers, stages, ends):
                tracked = {settings.topic(t) for t in stage if t not in topics.COMPACTED}
                await _stage(kafka, end, tracked, batch_size, settings, engine, calendar, name, result, bar)
    finally:
        for kafka in consumers:
            await kafka.stop()
    result.seconds = time.perf_counter() - started
    return result


def _consumer(settings: Settings) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False,
                            auto_offset_reset="earliest", max_partition_fetch_bytes=8 << 20, **aiokafka(settings))


async def _stage(kafka, ends: dict, tracked: set, batch_size: int, settings, engine, calendar, name, result, bar) -> None:
    """Read every partition of one stage up to its end offset now, writing a batch per fetch."""
    if not ends:
        return
    await kafka.seek_to_beginning(*ends)
    left = dict(ends)
    while left:
        fetched = await kafka.getmany(*left, timeout_ms=1000, max_records=batch_size)
        members, offsets = [], {}
        for tp, messages in fetched.items():
            messages = [m for m in messages if m.offset < ends[tp]]
            for m in messages:
                try:
                    members.append((m, decode_record(m.topic, m.value, settings.currency, settings.topic_prefix)))
                except Exception as exc:  # noqa: BLE001 — the live aggregator dead-lettered it already
                    result.skipped[type(exc).__name__] += 1
            if messages:
                if tp.topic in tracked:
                    offsets[(tp.topic, tp.partition)] = messages[-1].offset + 1
                if messages[-1].offset + 1 >= ends[tp]:
                    left.pop(tp, None)
            result.records += len(messages)
            bar.update(len(messages))
        for tp in list(left):  # a compacted partition may end past its last record
            if await kafka.position(tp) >= ends[tp]:
                left.pop(tp)
        if members or offsets:
            await write_isolating(members, lambda batch: asyncio.to_thread(write_batch, engine, batch, calendar, None, name),
                                  lambda _m, exc: _skip(result, exc), offsets)
            result.offsets.update(offsets)


async def _skip(result: Rebuilt, exc: Exception) -> None:
    result.skipped[type(exc).__name__] += 1
