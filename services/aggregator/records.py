"""Decode what the aggregator reads: events from the ingest topics, records from hk.attributions."""
from __future__ import annotations

from decimal import Decimal

from ..common import topics
from ..common.events import FieldError, InvalidEvent, decode, read_record, timestamp
from ..common.processable import REPRESENTABLE
from .model_credits import credit_errors

EXPECTED_TYPE = {topics.POSTS: "post", topics.INFLUENCERS: "influencer", topics.CONTRACTS: "contract"}


def decode_record(topic: str, raw: bytes | None, currency: str, prefix: str = "") -> dict:
    name = topic[len(prefix):] if prefix and topic.startswith(prefix) else topic
    if name == topics.ATTRIBUTIONS:
        return _attribution(raw)
    event = decode(raw, currency)
    if event["type"] != EXPECTED_TYPE.get(name):
        raise InvalidEvent("wrong_topic", [FieldError("type", f"{event['type']} events do not belong on {name}")])
    return event


def _attribution(raw: bytes | None) -> dict:
    """A record of schemas/attribution.v1.json whose credits add up and whose time Postgres can hold."""
    record = read_record(raw, "attribution")
    line = record["kind"] == "order_line"
    at = timestamp(record["placed_at" if line else "refunded_at"])
    errors = credit_errors(record, Decimal(record["revenue" if line else "amount"]))
    if not REPRESENTABLE[0] <= at <= REPRESENTABLE[1]:
        errors.append(FieldError("", f"time {at.isoformat()} is outside {REPRESENTABLE[0]:%Y-%m-%d} .. {REPRESENTABLE[1]:%Y-%m-%d}"))
    if errors:
        raise InvalidEvent("invalid_attribution", errors)
    return record
