"""``hk aggregator``: batches of records → one Postgres transaction each; offsets commit after it."""
from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, cast

import faust
from sqlalchemy.exc import DBAPIError

from ..common import topics
from ..common.db import make_engine
from ..common.faust_app import DeadLetters, group_committed, make_app, raw_topic
from ..common.infrastructure import TRANSIENT, finish
from ..alerts.outbox import mark_published, pending, waiting_seconds
from ..alerts.thresholds import load as load_alert_config
from ..common.metrics import (ALERT_EVENTS, AGGREGATOR_BATCH_SIZE, AGGREGATOR_FACTS, AGGREGATOR_OFFSET_HOLES,
                              AGGREGATOR_REDELIVERED, AGGREGATOR_WRITE_SECONDS, ALERT_OUTBOX_AGE, CONSUMED,
                              FRESHNESS_SECONDS, POSTGRES_ERRORS, ROAS_ALERTS)
from ..common.settings import Settings
from .batch import Batch, Calendar
from .isolation import write_isolating
from .postgres_faults import infrastructure
from .progress import Progress
from ..common.source_progress import follow_progress, seek_back as seek_sources_back
from .query_watchdog import cancel_overlong_queries
from .records import decode_record
from .rolling import RollingClock, export_roas
from .writer import write_batch

if TYPE_CHECKING:
    from faust.transport.consumer import Consumer

log = logging.getLogger(__name__)
ALERTS_EVERY_S = 1.0
READER_ROLE, READER_LIMIT_S = "hk_grafana", 10.0  # the role's statement_timeout, which its sessions can lift
SOURCES = topics.CONSUMERS["aggregator"]
POSTGRES_OPERATIONS = ("batch", "stored_offsets", "alerts", "windows", "grafana_bound")


def build(settings: Settings) -> faust.App:
    app = make_app("aggregator", settings, settings.aggregator_web_port)
    source = raw_topic(app, settings, *SOURCES)
    dead_letters = DeadLetters(app, settings, "aggregator")
    engine = make_engine(settings.require_database_url(), pool_size=2)
    calendar = Calendar(settings.business_tz)
    clock = RollingClock(calendar)
    alert_config = load_alert_config()
    alerts_topic = raw_topic(app, settings, topics.ALERTS)
    # where each source partition's facts end is kept in Postgres; compacted topics have holes by design
    progress = Progress(app.conf.id, {settings.topic(t) for t in SOURCES if t not in topics.COMPACTED})
    sources = {settings.topic(t) for t in SOURCES}
    for operation in POSTGRES_OPERATIONS:  # present from the start: rate() misses the first increase of a new series
        POSTGRES_ERRORS.labels("aggregator", operation)

    # mode's SignalHandlerT is (sender, *args, signal, **kwargs): it cannot say that this signal sends the assigned set
    @app.on_partitions_assigned.connect  # type: ignore[arg-type]
    async def resume(sender, assigned, **kwargs) -> None:
        """Every assignment reads on from where the facts end in Postgres, whatever Faust committed."""
        mine = [tp for tp in assigned if tp.topic in sources]
        stored = await retry_postgres("stored_offsets", "stored offsets not read", lambda: asyncio.to_thread(progress.load, engine, mine))
        log.info("assigned %d source partitions; resuming %d from the offsets stored with the facts: %s",
                 len(mine), len(stored), {f"{tp.topic}[{tp.partition}]": o for tp, o in stored.items()})
        # where the group's commit already agrees (hk rebuild commits it), reading began at the right place:
        # seeking again would only re-fetch what was read since, to be skipped as redelivered
        if stored:
            committed = await group_committed(app, stored)
            stored = {tp: o for tp, o in stored.items() if committed.get(tp) != o}
        if stored:
            # Faust seeks every partition back to the group's commit whenever its flow is stopped (a rebalance):
            # a seek alone was undone. The group's commit is made to agree with Postgres, then read back.
            # every Faust transport's consumer is a faust.transport.consumer.Consumer: _commit, _committed_offset
            consumer = cast("Consumer", app.consumer)
            done = await consumer._commit(stored)
            await consumer.perform_seek()
            differ = {tp: o for tp, o in stored.items() if consumer._committed_offset.get(tp) != o}
            log.info("group commit set to the stored offsets: %s; differing after the seek: %s", done, differ)

    async def seek_back(holes: dict) -> None:
        await seek_sources_back(app, progress, holes, AGGREGATOR_OFFSET_HOLES)

    follow_progress(app, progress, AGGREGATOR_OFFSET_HOLES)

    @app.timer(ALERTS_EVERY_S)
    async def publish_alerts() -> None:
        try:
            # the age first: a send that keeps failing shows as an age that keeps growing (AlertsNotPublished)
            ALERT_OUTBOX_AGE.set(await asyncio.to_thread(waiting_seconds, engine))
            events = await asyncio.to_thread(pending, engine)
            # wait for the broker's acknowledgement of each before marking it published
            acks = [await alerts_topic.send(key=key, value=value) for _, key, value in events]
            for ack in acks:
                await ack
            if events:
                await asyncio.to_thread(mark_published, engine, [e for e, _, _ in events])
                ALERT_EVENTS.inc(len(events))
        except DBAPIError as exc:
            unavailable(exc, "alerts", "alerts not published")
        except TRANSIENT as exc:  # sent again at the next tick; the outbox keeps them meanwhile
            log.warning("alerts not published, the broker did not acknowledge: %r", exc)

    @app.timer(ALERTS_EVERY_S)
    async def bound_grafana_queries() -> None:
        # a viewer's SQL may SET statement_timeout = 0: the bound is enforced from outside its session
        try:
            cancelled = await asyncio.to_thread(_cancel_overlong, engine)
            if cancelled:
                log.warning("cancelled %d %s queries running over %.0f s", cancelled, READER_ROLE, READER_LIMIT_S)
        except DBAPIError as exc:
            unavailable(exc, "grafana_bound", "Grafana queries not checked")
        except PermissionError as exc:
            log.error("Grafana queries are not bounded: %s", exc)

    @app.timer(settings.business_metrics_seconds)
    async def slide_windows() -> None:
        # The windows move at midnight in the business time zone even when no event arrives.
        try:
            if clock.due():
                await asyncio.to_thread(clock.refresh, engine)
            await asyncio.to_thread(export_roas, engine, settings.roas_gauge_limit)
        except DBAPIError as exc:
            unavailable(exc, "windows", "rolling windows not refreshed")

    async def write(batch: Batch) -> None:
        """Retry while Postgres is unreachable: nothing is acknowledged before it is written."""
        async def attempt():
            started = time.perf_counter()
            if clock.due():
                await asyncio.to_thread(clock.refresh, engine)
            outcome = await asyncio.to_thread(write_batch, engine, batch, calendar, alert_config, progress.name)
            AGGREGATOR_WRITE_SECONDS.observe(time.perf_counter() - started)
            for key, n in outcome.items():  # counted only now that the transaction has committed
                table, what = key.split(".", 1)
                (ROAS_ALERTS.labels(what) if table == "roas_alerts" else AGGREGATOR_FACTS.labels(table, what)).inc(n)
        await retry_postgres("batch", "batch not written", attempt)

    @app.agent(source)
    async def aggregate(stream):
        async for events in stream.take_events(settings.batch_size, within=settings.batch_seconds):
            # a partition with no stored offset yet (a database from before 0007) starts at Faust's commit
            todo = progress.sort(events, start_of=lambda tp: app.consumer._committed_offset.get(tp))
            for topic, n in todo.redelivered.items():
                AGGREGATOR_REDELIVERED.labels(topic).inc(n)
            await seek_back(todo.holes)
            members = [m for m in [await decoded(event) for event in todo.fresh] if m]
            if not members and not todo.offsets:
                continue
            AGGREGATOR_BATCH_SIZE.observe(len(members))
            written = await write_isolating(members, lambda batch: finish(write(batch)), dead_letters.send, todo.offsets)
            committed = time.time()
            for event in written:
                FRESHNESS_SECONDS.observe(max(committed - event.message.timestamp, 0))

    async def decoded(event) -> tuple | None:
        """(event, record), or None once the event is dead-lettered: whatever fails in decoding is the event's fault."""
        CONSUMED.labels("aggregator", event.message.topic).inc()
        try:
            return event, decode_record(event.message.topic, event.message.value, settings.currency, settings.topic_prefix)
        except Exception as exc:  # noqa: BLE001
            await dead_letters.send(event, exc)
            return None

    return app


async def retry_postgres(operation: str, what: str, attempt):
    """``attempt()`` until Postgres answers: an unreachable database is no event's fault. Each failure is
    counted (hk_postgres_errors_total): the operators' alert, while nothing is acknowledged meanwhile."""
    delay = 0.5
    while True:
        try:
            return await attempt()
        except DBAPIError as exc:
            unavailable(exc, operation, what, f"; retrying in {delay:.1f}s")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10)


def unavailable(exc: DBAPIError, operation: str, what: str, then: str = "") -> None:
    """Count and log a failure of Postgres itself; re-raise one that is the record's (isolation finds it)."""
    if not infrastructure(exc):
        raise exc
    POSTGRES_ERRORS.labels("aggregator", operation).inc()
    log.warning("%s, Postgres unavailable%s: %s", what, then, exc.orig)


def _cancel_overlong(engine) -> int:
    with engine.begin() as conn:
        return cancel_overlong_queries(conn, READER_ROLE, READER_LIMIT_S)
