"""Decode what the aggregator reads: events from the ingest topics, records from hk.attributions."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ..common import topics
from ..common.events import FieldError, InvalidEvent, decode, loads, timestamp
from ..common.processable import REPRESENTABLE
from .model_credits import credit_errors

ORDER_LINE = ("order_id", "line_no", "customer_id", "brand", "product", "quantity", "revenue", "placed_at", "rule")
REFUND_LINE = ("refund_id", "order_id", "line_no", "brand", "amount", "refunded_at")
INT4 = 2**31 - 1  # line_no and quantity are INTEGER columns
MAX_AMOUNT = Decimal("1e16")  # NUMERIC(20,4)
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
    try:
        record = loads(raw or b"")
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidEvent("undecodable", [FieldError("", f"not valid UTF-8 JSON: {exc}")]) from None
    if not isinstance(record, dict) or record.get("kind") not in ("order_line", "refund_line"):
        raise InvalidEvent("invalid_attribution", [FieldError("kind", "must be order_line or refund_line")])
    required = ORDER_LINE if record["kind"] == "order_line" else REFUND_LINE
    missing = [f for f in required if record.get(f) in (None, "")]
    if missing:
        raise InvalidEvent("invalid_attribution", [FieldError(f, "is required") for f in missing])
    try:
        amount = Decimal(str(record["revenue" if record["kind"] == "order_line" else "amount"]))
        at = timestamp(record["placed_at" if record["kind"] == "order_line" else "refunded_at"])
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise InvalidEvent("invalid_attribution", [FieldError("", str(exc))]) from None
    errors = [FieldError(f, f"must be a whole number from {low} to {INT4}") for f, low in
              (("line_no", 0), ("quantity", 1)) if f in record and not _int_between(record[f], low, INT4)]
    if not (amount.is_finite() and 0 <= amount < MAX_AMOUNT):
        errors.append(FieldError("amount", f"must be a non-negative decimal below {MAX_AMOUNT:f}"))
    errors += credit_errors(record, amount)
    if not REPRESENTABLE[0] <= at <= REPRESENTABLE[1]:
        errors.append(FieldError("", f"time {at.isoformat()} is outside {REPRESENTABLE[0]:%Y-%m-%d} .. {REPRESENTABLE[1]:%Y-%m-%d}"))
    if errors:
        raise InvalidEvent("invalid_attribution", errors)
    return record


def _int_between(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
