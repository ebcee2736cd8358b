"""The framework's ceiling: a Faust agent that takes a worker's topics in that worker's batches and discards them.
``hk bench aggregator`` and ``hk bench attribution`` run it over the same pre-loaded topics, so each figure stands
beside what Faust alone costs per record on this machine (run: ``python -m bench.faust_discard <worker>``)."""
from __future__ import annotations

import sys

from services.cli import _faust
from services.common import topics
from services.common.faust_app import make_app, raw_topic
from services.common.metrics import CONSUMED
from services.common.settings import Settings


def build(settings: Settings, worker: str = "aggregator"):
    app = make_app("discard", settings, settings.aggregator_web_port)
    source = raw_topic(app, settings, *topics.CONSUMERS[worker])

    by_hand = worker == "attribution"  # its path: batches acknowledged by hand once delivered

    @app.agent(source)
    async def discard(stream):
        take = stream.noack_take if by_hand else stream.take_events
        async for events in take(settings.batch_size, within=settings.batch_seconds):
            for event in events:
                CONSUMED.labels("discard", event.message.topic).inc()
                if by_hand:
                    await stream.ack(event)

    return app


if __name__ == "__main__":
    _faust(lambda settings: build(settings, sys.argv[1] if len(sys.argv) > 1 else "aggregator"))
