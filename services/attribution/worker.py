"""``hk attribution``: the Faust worker that turns storefront events into attribution records, a batch at a time:
decode → decide (pure rules over the batch's view of the tables) → write each changed key once → send every
record and await the broker → acknowledge the batch."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, cast

import faust

from ..common import topics
from ..common.events import STOREFRONT_TYPES, FieldError, InvalidEvent, decode, dumps
from ..common.faust_app import DeadLetters, make_app, raw_topic, table_options
from ..common.infrastructure import finish, retrying
from ..common.metrics import (ATTRIBUTION_BATCH_SIZE, ATTRIBUTION_OFFSET_HOLES, ATTRIBUTION_REDELIVERED,
                              CONSUMED)
from ..common.source_progress import Progress, follow_progress, seek_back
from ..common.settings import Settings
from .attributor import Attributor
from .batch_state import BatchState, bind
from .retention import Retention, never_seen
from .contract_feed import ContractFeed
from .delivery import RecordBatches

if TYPE_CHECKING:
    from faust.tables import TableManager
    from faust.transport.consumer import Consumer
    from faust.types import TP, EventT

log = logging.getLogger(__name__)


def build(settings: Settings) -> faust.App:
    app = make_app("attribution", settings, settings.attribution_web_port)
    storefront = raw_topic(app, settings, topics.STOREFRONT)
    raw_topic(app, settings, topics.ATTRIBUTIONS)  # declared, so the app creates and knows it
    dead_letters = DeadLetters(app, settings, "attribution")
    feed = ContractFeed(settings, settings.topic(topics.CONTRACTS))
    # Tables are keyed by customer or order id; both live on the customer's partition, so a refund
    # meets its order and an order its clicks on the same worker.
    customers, orders, pending, offsets, expiry = (app.Table(name, partitions=settings.partitions, key_type=str,
                                            options=table_options(settings))
                                  for name in topics.ATTRIBUTION_TABLES)
    state = BatchState(customers, orders, pending, expiry)
    attributor = Attributor(settings, feed.index, *state.views[:3])
    retention = Retention(settings, *state.views[1:])
    storefront_name = settings.topic(topics.STOREFRONT)
    batches = RecordBatches(settings.topic(topics.ATTRIBUTIONS))
    # where each storefront partition's delivered records end, kept in a table of its own: Faust's commit can
    # move past events no agent saw (services/common/source_progress.py), so it is only where reading starts
    progress = Progress(app.conf.id, {storefront_name})
    follow_progress(app, progress, ATTRIBUTION_OFFSET_HOLES, load=lambda tps: stored_offsets(tps))

    @app.task
    async def follow_contracts() -> None:
        await feed.run()

    @app.agent(storefront)
    async def attribute(stream):
        await feed.ready.wait()
        # acknowledged here, by batch, only once its records are delivered and its dead letters sent
        async for events in stream.noack_take(settings.batch_size, within=settings.batch_seconds):
            await finish(attribute_batch(events))
            for event in events:
                await stream.ack(event)

    def stored_offsets(tps) -> dict | None:
        """The stored offsets of partitions no batch has brought since they were assigned, once their tables are
        recovered: the catch-up seeks back a quiet partition whose reading began past them."""
        recovery = cast("TableManager", app.tables).recovery  # app.conf.TableManager: Faust's default, not replaced
        if recovery.in_recovery or not recovery.completed.is_set():
            return None
        found = {tp: offsets.get(offset_key(tp)) for tp in tps if tp.topic == storefront_name}
        return {tp: o for tp, o in found.items() if o is not None}

    def stored_offset(event) -> int | None:
        bind(event)
        stored = offsets.get(offset_key(event.message.tp))
        # every Faust transport's consumer is a faust.transport.consumer.Consumer, which keeps _committed_offset
        return stored if stored is not None else cast("Consumer", app.consumer)._committed_offset.get(event.message.tp)

    async def attribute_batch(events) -> None:
        """Decide every event with the pure rules over one batch's view of the tables, write each changed key
        once, then send every record and wait for the broker to acknowledge them all; then store where the
        batch ends."""
        first: dict[TP, EventT] = {}
        for event in events:
            first.setdefault(event.message.tp, event)
        todo = progress.sort(events, start_of=lambda tp: stored_offset(first[tp]))
        for topic, n in todo.redelivered.items():
            ATTRIBUTION_REDELIVERED.labels(topic).inc(n)
        await seek_back(app, progress, todo.holes, ATTRIBUTION_OFFSET_HOLES)
        ATTRIBUTION_BATCH_SIZE.observe(len(todo.fresh))
        out, failed, last = [], [], {}
        for event in todo.fresh:
            last[event.message.tp] = event
            try:
                incoming = decode(event.message.value, settings.currency)
                if incoming["type"] not in STOREFRONT_TYPES:
                    raise InvalidEvent("wrong_topic", [FieldError("type", f"{incoming['type']} events do not belong on {topics.STOREFRONT}")])
            except Exception as exc:  # noqa: BLE001 — decoding is pure: whatever fails here is the event's fault
                failed.append((event, exc))
                continue
            try:
                with state.deciding(event):
                    retention.track(event.message.partition, incoming, event.message.timestamp)
                    records = attributor.handle(incoming)
            except Exception as exc:  # noqa: BLE001 — a bug this event triggers: keep it, tell us, go on
                log.exception("attribution of %s[%d]@%d failed", event.message.topic, event.message.partition, event.message.offset)
                failed.append((event, exc))
                continue
            # each record keeps the storefront event's broker timestamp: freshness is measured from ingest
            out += [(key.encode(), dumps(record), event.message.timestamp) for key, record in records]
        CONSUMED.labels("attribution", storefront_name).inc(len(events))
        for partition, refund in sweep(last):
            # dead-lettered before their deletion is stored: a crash between the two sends them again, never loses them
            await dead_letters.send_unsourced(storefront_name, partition, refund.get("customer_id", "").encode(),
                                              dumps(refund), never_seen(refund, settings.refund_horizon_days))
        # the state is stored before its records are sent (as one event at a time did): a batch processed again
        # after a crash re-sends the same records, which the aggregator counts once
        state.flush()
        where = f"{len(out)} attribution records of a {len(events)}-event batch"
        await retrying(where, lambda: deliver(out))
        for event, error in failed:
            await dead_letters.send(event, error)
        for tp, event in last.items():  # every record and dead letter of the batch is delivered: move on
            bind(event)
            offsets[offset_key(tp)] = event.message.offset + 1

    def sweep(last: dict) -> list[tuple[int, dict]]:
        """Prune each partition of the batch past the refund horizon, with its writes bound to that partition."""
        expired = []
        for tp, event in last.items():
            try:
                with state.deciding(event):
                    expired += [(tp.partition, refund) for refund in retention.sweep(tp.partition)]
            except Exception:  # noqa: BLE001 — a bug in pruning must not stop attribution: it is retried next batch
                log.exception("pruning %s[%d] failed", tp.topic, tp.partition)
        return expired

    async def deliver(records: list) -> None:
        producer = await app.maybe_start_producer()
        await batches.send(producer._ensure_producer(), records)

    return app


def offset_key(tp) -> str:
    return f"{tp.topic}:{tp.partition}"
