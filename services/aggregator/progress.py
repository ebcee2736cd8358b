"""The aggregator's progress (services/common/source_progress.py) is kept in Postgres with the facts
(source_offsets), written in each batch's transaction."""
from __future__ import annotations

from sqlalchemy import Engine, text

from ..common.source_progress import Progress as _Progress


class Progress(_Progress):
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
