"""``hk attribution``: the Faust worker that turns storefront events into attribution records."""
from __future__ import annotations

import logging

import faust

from ..common import topics
from ..common.events import STOREFRONT_TYPES, FieldError, InvalidEvent, decode, dumps
from ..common.faust_app import DeadLetters, make_app, raw_topic
from ..common.metrics import CONSUMED
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
    customers = app.Table("customers", partitions=settings.partitions, key_type=str)
    orders = app.Table("orders", partitions=settings.partitions, key_type=str)
    pending = app.Table("pending_refunds", partitions=settings.partitions, key_type=str)
    attributor = Attributor(settings, feed.index, customers, orders, pending)

    @app.task
    async def follow_contracts() -> None:
        await feed.run()

    @app.agent(storefront)
    async def attribute(stream):
        await feed.ready.wait()
        async for event in stream.events():
            CONSUMED.labels("attribution", event.message.topic).inc()
            try:
                incoming = decode(event.message.value, settings.currency)
                if incoming["type"] not in STOREFRONT_TYPES:
                    raise InvalidEvent("wrong_topic", [FieldError("type", f"{incoming['type']} events do not belong on {topics.STOREFRONT}")])
                records = attributor.handle(incoming)
            except Exception as exc:  # noqa: BLE001 — nothing may stop the agent; the raw bytes are kept
                if not isinstance(exc, InvalidEvent):
                    log.exception("attribution failed at %s[%s]@%s", event.message.topic, event.message.partition, event.message.offset)
                await dead_letters.send(event, exc)
                continue
            for key, record in records:
                # the record keeps the storefront event's broker timestamp: freshness is measured from ingest
                await attributions.send(key=key.encode(), value=dumps(record), timestamp=event.message.timestamp)

    return app
