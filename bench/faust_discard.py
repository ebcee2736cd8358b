"""The framework's ceiling: a Faust agent that takes the aggregator's topics in the aggregator's batches and
discards them. ``hk bench aggregator`` runs it over the same pre-loaded topics, so the aggregator's figure
stands beside what Faust alone costs per record on this machine (run: ``python -m bench.faust_discard``).
"""
from __future__ import annotations

from services.cli import _faust
from services.common import topics
from services.common.faust_app import make_app, raw_topic
from services.common.metrics import CONSUMED
from services.common.settings import Settings


def build(settings: Settings):
    app = make_app("discard", settings, settings.aggregator_web_port)
    source = raw_topic(app, settings, *topics.CONSUMERS["aggregator"])

    @app.agent(source)
    async def discard(stream):
        async for events in stream.take_events(settings.batch_size, within=settings.batch_seconds):
            for event in events:
                CONSUMED.labels("discard", event.message.topic).inc()

    return app


if __name__ == "__main__":
    _faust(build)
