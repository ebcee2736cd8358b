"""``hk rebuild``: every reporting table rebuilt from the topics into an empty database, then handed to the
live aggregator at the offsets the rebuild reached.

The rebuild reads what the aggregator reads, with a bare consumer in large batches (rebuild_reader.py: no
consumer group joined, no Faust), and writes each batch with the aggregator's own ``write_batch``, so a
rebuilt table can only differ from a live one where the live one is wrong. Each batch's transaction stores
the offsets it covers, under the live aggregator's name once the last transaction has built the rollups
(below); an aggregator started on the rebuilt database resumes from them
(``progress.py``), so nothing between the rebuild and the live stream is missed or counted twice. The same
offsets are committed to the aggregator's consumer group where the broker allows it (no member is in the
group), so the aggregator's first fetch already starts there instead of meeting the rebuilt records again
and skipping them by offset.

Influencers and contracts (compacted) are read first, as they were onboarded before their facts. Records
that do not decode were dead-lettered by the live aggregator when it met them: they are counted and
skipped, not sent to the dead-letter topic a second time. Batches write the facts and their spend; the
rollups are built once at the end, ``influencer_daily`` with one ``INSERT … SELECT … GROUP BY`` over the facts,
``daily_totals`` from its definition, and the rolling and contracts' windows by ``refresh_rolling(true)``
(``contract_rates`` is kept by the batches themselves), in the transaction that also gives the stored offsets the
aggregator's name: a rebuild cut short leaves no offsets an aggregator would resume from. ROAS alerts are
not replayed (they are events of the moment they fired, not a function of the facts); the rebuilt windows
start clean.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from confluent_kafka import KafkaException
from sqlalchemy import text
from tqdm import tqdm

from ..common import topics
from ..common.db import make_engine
from ..common.settings import Settings
from .batch import Calendar
from .isolation import write_isolating
from .migrate import migrate
from .rebuild_reader import TopicReader
from .records import decode_record
from .rolling import RollingClock
from .writer import write_batch

log = logging.getLogger(__name__)
SOURCES = topics.CONSUMERS["aggregator"]
# influencer_daily as the live aggregator's deltas leave it: each fact added on its own (day, influencer, brand,
# platform); lines and refunds without an influencer count nowhere (handlers/order_lines.py, refund_lines.py). test_rebuild compares the two.
DAILY_FROM_FACTS = text("""
INSERT INTO influencer_daily (day, influencer_id, brand, platform, orders, revenue, spend, posts, reach, likes, comments)
SELECT day, influencer_id, brand, platform, sum(orders), sum(revenue), sum(spend), sum(posts), sum(reach), sum(likes),
       sum(comments)
FROM (SELECT day, influencer_id, brand, platform, counts_order::int AS orders, revenue, 0 AS spend, 0 AS posts,
             0 AS reach, 0 AS likes, 0 AS comments FROM attributed_orders WHERE influencer_id <> ''
      UNION ALL SELECT day, influencer_id, brand, platform, 0, -amount, 0, 0, 0, 0, 0 FROM refunds WHERE influencer_id <> ''
      UNION ALL SELECT day, influencer_id, brand, platform, 0, 0, amount, 0, 0, 0, 0 FROM spend
      UNION ALL SELECT day, influencer_id, brand, platform, 0, 0, 0, 1, reach, likes, comments FROM posts) facts
GROUP BY day, influencer_id, brand, platform""")
MODEL_DAILY_FROM_FACTS = text("INSERT INTO model_daily SELECT * FROM model_daily_from_facts()")  # migration 0010
IN_PROGRESS = ".rebuilding"  # batches store their offsets under this suffix until the rollups are built
FACT_TABLES = ("attributed_orders", "refunds", "posts", "spend", "influencer_daily", "daily_totals", "model_credits",
               "model_daily", "model_totals", "source_offsets")


@dataclass
class Rebuilt:
    records: int = 0
    seconds: float = 0.0
    skipped: Counter = field(default_factory=Counter)   # reason → records that did not decode or write
    offsets: dict = field(default_factory=dict)         # (topic, partition) → next offset, as stored
    group_moved: bool = False                           # the consumer group was committed at the same offsets

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


def rebuild(settings: Settings, database_url: str, consumer: str | None = None, batch_size: int = 20_000,
            progress: bool | None = None) -> Rebuilt:
    """Migrate an empty database and fill it from the topics as far as they reach now."""
    migrate(settings.model_copy(update={"database_url": database_url}))
    engine = make_engine(database_url, pool_size=1)
    try:
        require_empty(engine)
        RollingClock(Calendar(settings.business_tz)).refresh(engine)
        name = consumer or f"{settings.app_id}-aggregator"
        result, ends = run(settings, engine, name + IN_PROGRESS, batch_size, progress)
        started = time.perf_counter()
        with engine.begin() as conn:  # the rollups and the handover in one transaction: all or nothing
            build_rollups(conn)
            conn.execute(text("UPDATE source_offsets SET consumer = :name WHERE consumer = :building"),
                         {"name": name, "building": name + IN_PROGRESS})
        result.seconds += time.perf_counter() - started
        result.group_moved = _commit_to_group(settings, name, ends)
        return result
    finally:
        engine.dispose()


def build_rollups(conn) -> None:
    """Every rollup from the facts, once they are all written (batches of ``write_batch(rollups=False)``)."""
    conn.execute(DAILY_FROM_FACTS)
    conn.execute(MODEL_DAILY_FROM_FACTS)
    conn.execute(text("INSERT INTO model_totals SELECT * FROM model_totals_from_daily()"))  # migration 0011
    conn.execute(text("INSERT INTO daily_totals SELECT * FROM daily_totals_from_facts()"))
    conn.execute(text("SELECT refresh_rolling(true)"))


def require_empty(engine) -> None:
    with engine.connect() as conn:
        filled = [t for t in FACT_TABLES if conn.execute(text(f"SELECT EXISTS (SELECT 1 FROM {t})")).scalar_one()]
    if filled:
        raise SystemExit(f"hk rebuild: the target database already holds {', '.join(filled)}; "
                         "rebuild into an empty database (hk migrate on a new one)")


def run(settings: Settings, engine, name: str, batch_size: int, progress: bool | None, sources=SOURCES,
        decoded=None) -> tuple[Rebuilt, dict]:
    """The facts of every source partition up to its end offset now; returns them with those end offsets.
    Batch n+1 is read and decoded while batch n is written (Postgres works while Python decodes).
    ``decoded(messages, settings, result)`` turns a batch of messages into (message, record) pairs: the
    aggregator's decoding by default; ``hk reattribute`` attributes storefront events there instead."""
    decoded = decoded or _decoded
    result, started = Rebuilt(), time.perf_counter()
    calendar = Calendar(settings.business_tz)
    reader = TopicReader(settings, name)
    try:
        # compacted topics (influencers, contracts) first: they were onboarded before their facts
        stages = [[settings.topic(t) for t in sources if (t in topics.COMPACTED) == compacted] for compacted in (True, False)]
        ends = [reader.ends(stage) for stage in stages]
        tracked = {settings.topic(t) for t in sources if t not in topics.COMPACTED}

        def write(members: list, offsets: dict) -> None:
            async def attempt(batch):
                write_batch(engine, batch, calendar, None, name, False)

            async def skip(_message, exc):
                result.skipped[type(exc).__name__] += 1
            asyncio.run(write_isolating(members, attempt, skip, offsets))
            result.offsets.update(offsets)

        with tqdm(total=sum(sum(e.values()) for e in ends), unit="event", unit_scale=True, desc="rebuild",
                  disable=None if progress is None else not progress) as bar, ThreadPoolExecutor(1) as writer:
            pending = None
            for stage_ends in ends:
                for messages in reader.read(stage_ends, batch_size):
                    members, offsets = decoded(messages, settings, result), {}
                    for m in messages:
                        if m.topic() in tracked:
                            offsets[(m.topic(), m.partition())] = m.offset() + 1
                    if pending is not None:
                        pending.result()
                    pending = writer.submit(write, members, offsets)
                    result.records += len(messages)
                    bar.update(len(messages))
            if pending is not None:
                pending.result()
    finally:
        reader.close()
    result.seconds = time.perf_counter() - started
    return result, {tp: o for stage_ends in ends for tp, o in stage_ends.items()}


def _decoded(messages: list, settings: Settings, result: Rebuilt) -> list:
    members = []
    for m in messages:
        try:
            members.append((m, decode_record(m.topic(), m.value(), settings.currency, settings.topic_prefix)))
        except Exception as exc:  # noqa: BLE001 — the live aggregator dead-lettered it already
            result.skipped[type(exc).__name__] += 1
    return members


def _commit_to_group(settings: Settings, group: str, ends: dict) -> bool:
    """A convenience, not the handover: Postgres holds the offsets the aggregator resumes from. A group with a
    member (an aggregator still running on another database) refuses a commit from outside it."""
    if not ends:
        return False
    reader = TopicReader(settings, group)
    try:
        reader.commit(ends)
        log.info("consumer group %s committed at the rebuilt offsets", group)
        return True
    except KafkaException as exc:
        log.warning("consumer group %s not moved (%s): the aggregator skips the rebuilt records by the offsets "
                    "stored in Postgres", group, exc)
        return False
    finally:
        reader.close()
