"""Stops a worker whose stream skips offsets, before the skipped events can be committed.

faust-streaming can hand an agent an event past a hole in a partition (a message prefetched before a
rebalance, or one dropped below its read offset after a seek); its consumer then records the hole as a
"gap" and counts those offsets as acknowledged once a later event is, so the commit moves past events no
agent ever saw. The fault suite caught it: 8–18 consecutive storefront orders lost around a SIGKILL and
the rebalance after it. On an append-only topic written without transactions, offsets have no holes,
so a jump is that bug: the worker exits *before* acknowledging the event past the hole, and its restart
resumes from the last commit (the path the fault suite proves loses nothing). Offsets below the log
start are the one legitimate jump (retention deleted them): those are let through.
"""
from __future__ import annotations

import logging
import os

from .infrastructure import EXIT_CODE

log = logging.getLogger(__name__)


class OffsetGuard:
    def __init__(self, app, topics: set[str]) -> None:
        self.app, self.topics = app, topics
        self.next: dict = {}  # tp → the offset its next event must have
        app.on_partitions_revoked.connect(self._forget)

    async def _forget(self, sender, revoked, **kwargs) -> None:
        # a partition that comes back may have moved on under another worker: start from its commit again
        for tp in revoked:
            self.next.pop(tp, None)

    async def check(self, message) -> None:
        """Call before the event is processed (and so before it can be acknowledged)."""
        if message.topic not in self.topics:
            return
        tp = message.tp
        expected = self.next.get(tp)
        if expected is None:
            expected = self.app.consumer._committed_offset.get(tp)  # Kafka's meaning: the next offset to read
        if expected is not None and message.offset > expected:
            earliest = (await self.app.consumer.earliest_offsets(tp)).get(tp) or 0
            if message.offset > max(expected, earliest):
                log.critical("%s[%d]: offset %d arrived but %d was expected; offsets %d-%d were never processed. "
                             "Exiting before anything past them is committed; the restart resumes from the last commit.",
                             tp.topic, tp.partition, message.offset, expected, expected, message.offset - 1)
                logging.shutdown()
                os._exit(EXIT_CODE)
            log.warning("%s[%d]: offsets %d-%d are below the log start (retention deleted them); going on at %d",
                        tp.topic, tp.partition, expected, message.offset - 1, message.offset)
        self.next[tp] = message.offset + 1
