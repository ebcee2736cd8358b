"""Where the aggregator is, per source partition, kept in Postgres with the facts (source_offsets), not
trusted to Faust's commit.

faust-streaming can hand an agent an event past a hole (a message prefetched before a rebalance, or one
left below its read offset after a seek) and then commit past the hole: the fault suite lost 8–18
consecutive orders that way. Here each batch's transaction stores the next offset it covers per partition;
on every assignment the worker seeks to the stored offsets; before any work, an event below the stored
offset is skipped (it is in Postgres already) and one above it on a topic without holes is a hole: it is
not written, the partition is sought back to the stored offset and read again. Compacted topics have
holes by design, and offsets below the log start are gone by retention: those jumps are taken.
"""
from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Engine, text

log = logging.getLogger(__name__)
RESEEK_AFTER_S = 1.0  # a partition sought back whose events have not come since is sought again


@dataclass
class Sorted:
    fresh: list = field(default_factory=list)        # events to write, in order
    redelivered: Counter = field(default_factory=Counter)  # topic → events below the stored offset (in Postgres)
    holes: dict = field(default_factory=dict)         # tp → the offset to seek back to
    offsets: dict = field(default_factory=dict)       # (topic, partition) → next offset once ``fresh`` is written


class Progress:
    def __init__(self, consumer_name: str, gapless: set[str]) -> None:
        self.name, self.gapless = consumer_name, gapless
        self.next: dict = {}     # tp → the next offset to write: stored in Postgres, or the last batch's
        self.seeking: dict = {}  # tp → when it was last sought back to next[tp]
        self.seen: dict = {}     # tp → when an event of it last arrived

    def load(self, engine: Engine, tps) -> dict:
        """The stored next offsets of ``tps`` (those with none are absent): where the worker resumes."""
        wanted = {(tp.topic, tp.partition): tp for tp in tps}
        if not wanted:
            return {}
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT topic, partition, next_offset FROM source_offsets WHERE consumer = :c "
                                     "AND topic = ANY(:topics)"), {"c": self.name, "topics": sorted({t for t, _ in wanted})})
            stored = {wanted[(t, p)]: o for t, p, o in rows if (t, p) in wanted}
        self.next.update(stored)
        return stored

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


def store(conn, name: str, offsets: dict) -> None:
    """In the batch's transaction: each partition's next offset, never moved back (a batch written again after
    a newer one, as the one-by-one retry does, leaves the newer offset)."""
    if offsets:
        conn.execute(text(
            "INSERT INTO source_offsets (consumer, topic, partition, next_offset) "
            "SELECT :c, t, p, o FROM unnest(CAST(:t AS text[]), CAST(:p AS int[]), CAST(:o AS bigint[])) AS x(t, p, o) "
            "ORDER BY t, p "
            "ON CONFLICT (consumer, topic, partition) DO UPDATE SET next_offset = "
            "greatest(source_offsets.next_offset, excluded.next_offset), updated_at = now()"),
            {"c": name, "t": [t for t, _ in sorted(offsets)], "p": [p for _, p in sorted(offsets)],
             "o": [offsets[k] for k in sorted(offsets)]})
