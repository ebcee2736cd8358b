"""``hk attribution``: the Faust worker that turns storefront events into attribution records."""
from __future__ import annotations

import logging

import faust

from ..common import topics
from ..common.events import STOREFRONT_TYPES, FieldError, InvalidEvent, decode, dumps
from ..common.faust_app import DeadLetters, make_app, raw_topic, table_options
from ..common.infrastructure import finish, retrying
from ..common.metrics import CONSUMED
from ..common.offset_guard import OffsetGuard
from ..common.settings import Settings
from .attributor import Attributor
from .contract_feed import ContractFeed

log = logging.getLogger(__name__)


def build(settings: Settings) -> faust.App:
    app = make_app("attribution", settings, settings.attribution_web_port)
    storefront = raw_topic(app, settings, topics.STOREFRONT)
    attributions = raw_topic(app, settings, topics.ATTRIBUTIONS)
    dead_letters = DeadLetters(app, settings, "attribution")
    feed = ContractFeed(settings, settings.topic(topics.CONTRACTS))
    # Tables are keyed by customer or order id; both live on the customer's partition, so a refund
    # meets its order and an order its clicks on the same worker.
    customers, orders, pending = (app.Table(name, partitions=settings.partitions, key_type=str,
                                            options=table_options(settings))
                                  for name in topics.ATTRIBUTION_TABLES)
    attributor = Attributor(settings, feed.index, customers, orders, pending)
    guard = OffsetGuard(app, {settings.topic(topics.STOREFRONT)})

    @app.task
    async def follow_contracts() -> None:
        await feed.run()

    @app.agent(storefront)
    async def attribute(stream):
        await feed.ready.wait()
        async for event in stream.events():
            await guard.check(event.message)
            CONSUMED.labels("attribution", event.message.topic).inc()
            try:
                incoming = decode(event.message.value, settings.currency)
                if incoming["type"] not in STOREFRONT_TYPES:
                    raise InvalidEvent("wrong_topic", [FieldError("type", f"{incoming['type']} events do not belong on {topics.STOREFRONT}")])
            except Exception as exc:  # noqa: BLE001 — decoding is pure: whatever fails here is the event's fault
                await dead_letters.send(event, exc)
                continue
            where = f"attribution of {event.message.topic}[{event.message.partition}]@{event.message.offset}"
            try:
                # handle() is idempotent (state is stored before records are emitted), so a retry re-sends the same records
                await finish(retrying(where, lambda: attribute_one(incoming, event.message.timestamp)))
            except Exception as exc:  # noqa: BLE001 — a bug this event triggers: keep it, tell us, go on
                log.exception("%s failed", where)
                await dead_letters.send(event, exc)

    async def attribute_one(incoming: dict, timestamp: float) -> None:
        for key, record in attributor.handle(incoming):
            # the record keeps the storefront event's broker timestamp: freshness is measured from ingest
            await attributions.send(key=key.encode(), value=dumps(record), timestamp=timestamp)

    return app
