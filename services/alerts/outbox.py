"""Publishing hk.alerts from alert_outbox: send, then mark published. A crash between the two re-sends the
event (at least once); each carries its event_id so a subscriber can drop the repeat."""
from __future__ import annotations

import json

from sqlalchemy import Engine, text

PENDING = text("""SELECT event_id, influencer_id, payload FROM alert_outbox WHERE published_at IS NULL
                  ORDER BY created_at, event_id LIMIT :n""")
WAITING = text("""SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0) FROM alert_outbox
                  WHERE published_at IS NULL""")
MARK = text("UPDATE alert_outbox SET published_at = now() WHERE event_id = ANY(:ids)")


def pending(engine: Engine, limit: int = 200) -> list[tuple[str, bytes, bytes]]:
    """(event_id, key, value) of events not yet published, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(PENDING, {"n": limit}).all()
    return [(e, i.encode(), json.dumps({**p, "event_id": e}, separators=(",", ":")).encode()) for e, i, p in rows]


def mark_published(engine: Engine, event_ids: list[str]) -> None:
    with engine.begin() as conn:
        conn.execute(MARK, {"ids": event_ids})


def waiting_seconds(engine: Engine) -> float:
    """How long the oldest unpublished event has waited (0 when none waits): the operators' alert."""
    with engine.connect() as conn:
        return float(conn.execute(WAITING).scalar_one())
