"""What a subscriber of hk.alerts runs: an event decoded and checked against schemas/alert.v1.json.

Events are published at least once (outbox.py): a subscriber drops an ``event_id`` it has already handled."""
from __future__ import annotations

from ..common.events import read_record


def decode(raw: bytes | None) -> dict:
    """The alert event in ``raw``, or InvalidEvent naming each field that keeps it from the contract."""
    return read_record(raw, "alert")
