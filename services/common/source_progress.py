"""Where a worker is, per source partition, kept with what it wrote, not trusted to Faust's commit.

faust-streaming can hand an agent an event past a hole (a message prefetched before a rebalance, or one
left below its read offset after a seek) and then commit past the hole: the fault suite lost 8–18
consecutive orders that way. A worker that keeps, with its output, the next offset it covers per partition
sorts every batch against it before any work: an event below is skipped (its output exists), an event
above it on a topic without holes is a hole: it is not processed, and the partition is sought back and read
again. Compacted topics have holes by design, and offsets below the log start are gone by retention: those
jumps are taken. The aggregator keeps the offsets in Postgres with the facts; the attribution worker in a
Faust table, written once a batch's records are delivered.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from dataclasses import dataclass, field

from aiokafka.errors import KafkaError

log = logging.getLogger(__name__)
RESEEK_AFTER_S = 1.0  # a partition sought back whose events have not come since is sought again
CATCH_UP_EVERY_S = 1.0


@dataclass
class Sorted:
    fresh: list = field(default_factory=list)        # events to write, in order
    redelivered: Counter = field(default_factory=Counter)  # topic → events below the stored offset (already output)
    holes: dict = field(default_factory=dict)         # tp → the offset to seek back to
    offsets: dict = field(default_factory=dict)       # (topic, partition) → next offset once ``fresh`` is written


class Progress:
    def __init__(self, consumer_name: str, gapless: set[str]) -> None:
        self.name, self.gapless = consumer_name, gapless
        self.next: dict = {}     # tp → the next offset to process: stored with the output, or the last batch's
        self.seeking: dict = {}  # tp → when it was last sought back to next[tp]
        self.seen: dict = {}     # tp → when an event of it last arrived

    def forget(self, tps) -> None:
        for tp in tps:
            self.next.pop(tp, None)
            self.seeking.pop(tp, None)
            self.seen.pop(tp, None)

    def sort(self, events, start_of=lambda tp: None) -> Sorted:
        """Which events to write. ``start_of(tp)`` is where to expect a partition nothing is stored for
        (Faust's committed offset), or None to take its first event as the start."""
        out = Sorted()
        now = time.monotonic()
        for event in events:
            m = event.message
            tp, offset = m.tp, m.offset
            self.seen[tp] = now
            expected = self.next.get(tp)
            if expected is None:
                expected = start_of(tp)
                expected = offset if expected is None or offset < expected else expected
            if offset < expected:
                out.redelivered[m.topic] += 1
                continue
            if offset > expected and m.topic in self.gapless:
                out.holes.setdefault(tp, expected)
                self.next[tp] = expected
                continue
            self.next[tp] = offset + 1
            self.seeking.pop(tp, None)
            out.fresh.append(event)
            out.offsets[(m.topic, m.partition)] = offset + 1
        return out

    def idle_behind(self, positions: dict, quiet_s: float = 2.0) -> dict:
        """The holes no event will reveal: partitions (of topics without holes) whose read position is past the
        next offset to write while none of their events has arrived for ``quiet_s`` (the consumer started past
        the stored offset, or a seek back was undone)."""
        now = time.monotonic()
        return {tp: self.next[tp] for tp, position in positions.items()
                if tp.topic in self.gapless and tp in self.next and position is not None and position > self.next[tp]
                and now - self.seen.get(tp, float("-inf")) >= quiet_s}

    def to_seek(self, holes: dict) -> dict:
        """The holes to seek back for now: a partition already sought back is sought again only after
        RESEEK_AFTER_S, so the events Faust had buffered past the hole do not each cause a seek."""
        now, out = time.monotonic(), {}
        for tp, offset in holes.items():
            if now - self.seeking.get(tp, float("-inf")) >= RESEEK_AFTER_S:
                self.seeking[tp] = now
                out[tp] = offset
        return out


async def seek_back(app, progress: Progress, holes: dict, counted) -> None:
    """Seek each partition with a hole back to where its output ends (``counted``: the metric of holes met)."""
    for tp, offset in progress.to_seek(holes).items():
        earliest = (await app.consumer.earliest_offsets(tp)).get(tp) or 0
        if offset < earliest:  # retention deleted them: the one legitimate jump
            log.warning("%s[%d]: offsets %d-%d are below the log start; going on at %d",
                        tp.topic, tp.partition, offset, earliest - 1, earliest)
            offset = progress.next[tp] = earliest
        else:
            counted.labels(tp.topic).inc()
            log.warning("%s[%d]: an event past offset %d arrived before it; seeking back to %d",
                        tp.topic, tp.partition, offset, offset)
        # seek_wait runs in the consumer's own thread; Faust's seek() calls aiokafka from this one, which raced a
        # fetch in flight (KeyError in aiokafka's fetcher, a crashed worker, in the fault suite)
        await app.consumer.seek_wait({tp: offset})


def follow_progress(app, progress: Progress, counted, load=None) -> None:
    """Keep ``progress`` to the partitions the worker owns, and catch up the holes no batch reveals. ``load(tps)``,
    when given, reads the stored offsets of partitions no batch has brought yet (None while it cannot)."""
    @app.on_partitions_revoked.connect
    async def forget(sender, revoked, **kwargs) -> None:
        progress.forget(revoked)

    @app.timer(CATCH_UP_EVERY_S)
    async def catch_up() -> None:
        """A hole on a partition with no later event is seen by no batch: compare where the consumer reads
        with where the output ends, and seek back what is past it and quiet."""
        if load is not None and (unknown := [tp for tp in app.consumer.assignment() if tp not in progress.next]):
            progress.next.update(load(unknown) or {})
        assigned = [tp for tp in app.consumer.assignment() if tp in progress.next]
        try:
            positions = {tp: await asyncio.wait_for(app.consumer.position(tp), 5) for tp in assigned}
        except (asyncio.TimeoutError, KafkaError, AssertionError) as exc:  # a rebalance under way: next time
            log.info("positions not read (%s); catching up next time", exc)
            return
        if behind := progress.idle_behind(positions):
            await seek_back(app, progress, behind, counted)
