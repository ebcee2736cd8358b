"""Event contracts: load the JSON Schemas in ``schemas/``, decode bytes, validate, explain errors.

Ingest and every consumer call the same ``validate`` so that what the API accepts is exactly
what the agents can process, and what they refuse goes to the dead-letter topic with the same words.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

import jsonschema_rs
import orjson
from jsonschema import Draft202012Validator, FormatChecker

from .processable import Policy, canonical_money, problems, surrogates

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"
MAX_DEPTH = 32  # no event nests deeper than 4; deeper input is refused before anything recurses into it
EVENT_TYPES = ("influencer", "contract", "post", "click", "order", "refund")
STOREFRONT_TYPES = ("click", "order", "refund")
# the records our own services write to the internal topics (hk.attributions, hk.dead-letter, hk.alerts)
INTERNAL_CONTRACTS = ("attribution", "dead-letter", "alert")


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_dict(self, index: int | None = None) -> dict[str, Any]:
        return {"index": index, "field": self.field, "message": self.message}


class InvalidEvent(ValueError):
    def __init__(self, reason: str, errors: list[FieldError]):
        super().__init__("; ".join(f"{e.field or '<event>'}: {e.message}" for e in errors))
        self.reason = reason
        self.errors = errors


@lru_cache
def schema(event_type: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{event_type}.v1.json").read_text())


@lru_cache(maxsize=4096)  # the same text is parsed by the schema's format check, the time range and the rules
def timestamp(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("z", "Z"))


# "date-time" means what every consumer can parse (jsonschema checks the format only with an optional
# package, and a leap second would pass RFC 3339 yet fail in the workers).
FORMATS = FormatChecker()
FORMATS.checks("date-time", raises=ValueError)(lambda v: not isinstance(v, str) or bool(timestamp(v)))


@lru_cache
def _validator(event_type: str) -> Draft202012Validator:
    """The explaining validator: slow (about 100 µs an event), run only on events the fast one refused."""
    return Draft202012Validator(schema(event_type), format_checker=FORMATS)


def _parses(value: str) -> bool:
    try:
        return bool(timestamp(value))
    except ValueError:
        return False


@lru_cache
def _fast_validator(event_type: str):
    """The same schema compiled by jsonschema-rs (about 40x faster): it decides, the other explains."""
    return jsonschema_rs.Draft202012Validator(schema(event_type), formats={"date-time": _parses}, validate_formats=True)


def loads(raw: bytes | str) -> Any:
    """JSON with every non-integer number as Decimal: money never passes through float.

    orjson first (about 5x faster; our own records carry money as strings, so it usually meets no float);
    any float it produced, or anything it refuses (NaN, UTF-16, integers past 64 bits, deep nesting), is
    parsed again by the standard library, which keeps the exact decimal text."""
    try:
        value = orjson.loads(raw)
        if not _has_float(value):
            return value
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(raw, parse_float=_number)
    except RecursionError:  # '[' × 100,000: a ValueError like any other malformed body, not a crash
        raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels") from None


_NESTED_OR_FLOAT = frozenset((dict, list, float))


def _has_float(value: Any) -> bool:
    if type(value) is dict and _NESTED_OR_FLOAT.isdisjoint(map(type, value.values())):
        return False  # a flat record, such as every attribution record: one pass, no stack
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, float):
            return True
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether ``value`` nests containers deeper than ``limit`` (iterative: no recursion to exhaust)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        for child in children:
            if isinstance(child, (dict, list)):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


def _number(text: str) -> Decimal | int:
    # 27.0 is an integer to JSON Schema: make it one, so a count sent as 27.0 is accepted and stays an
    # integer on every topic (a huge exponent stays Decimal and fails an integer field's check instead).
    d = Decimal(text)
    return int(d) if d.is_finite() and d == d.to_integral_value() and d.adjusted() < 19 else d


def dumps(obj: Any) -> bytes:
    # orjson: compact UTF-8 like json.dumps(separators=(",", ":"), ensure_ascii=False), about 10x faster;
    # Decimal goes through _default as its exact string
    return orjson.dumps(obj, default=_default, option=orjson.OPT_NON_STR_KEYS)


def _default(o: Any) -> Any:
    if isinstance(o, Decimal):
        return str(o)
    if isinstance(o, datetime):
        return o.isoformat()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def validate(event: Any, currency: str, policy: Policy | None = None, max_errors: int = 100) -> dict:
    """The event as every consumer will count it (amounts rounded to the currency's minor unit), if it meets
    its schema, the deployment's rules and what the workers and Postgres can process; else InvalidEvent
    with at most ``max_errors`` errors (one more says that there are more). ``policy`` is the ingest's door (time range, lines per order);
    without it only what could not be processed at all is refused, so a replay never loses what was accepted."""
    if not isinstance(event, dict):
        raise InvalidEvent("not_an_object", [FieldError("", f"an event must be a JSON object, got {type(event).__name__}")])
    event_type = event.get("type")
    if event_type not in EVENT_TYPES:
        raise InvalidEvent("unknown_type", [FieldError("type", f"must be one of {', '.join(EVENT_TYPES)}; got {event_type!r}")])
    errors = _too_many_lines(event)
    if not errors and not _valid(event, event_type):
        errors = _explain(event, event_type, max_errors)
    if not errors and event_type == "order" and event["currency"] != currency:
        errors.append(FieldError("currency", f"this deployment accounts in {currency}; convert before sending (got {event['currency']})"))
    if not errors:
        errors = [FieldError(f, m) for f, m in problems(event, policy, timestamp)[:max_errors + 1]]
    if errors:
        raise InvalidEvent(f"invalid_{event_type}", sorted(errors, key=lambda e: e.field))
    return canonical_money(event, currency)


def conforms(record: Any, contract: str, max_errors: int = 100) -> list[FieldError]:
    """What keeps ``record`` from meeting ``schemas/<contract>.v1.json``, explained as for events; [] if it does."""
    return [] if _valid(record, contract) else _explain(record, contract, max_errors)


def read_record(raw: bytes | None, contract: str) -> dict:
    """A record of one of our own topics, decoded and checked against its contract (INTERNAL_CONTRACTS), or
    InvalidEvent: ``undecodable``, or ``invalid_<contract>`` naming each field at fault."""
    try:
        record = loads(raw or b"")
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidEvent("undecodable", [FieldError("", f"not valid UTF-8 JSON: {exc}")]) from None
    if errors := conforms(record, contract):
        raise InvalidEvent(f"invalid_{contract.replace('-', '_')}", errors)
    return record


def _too_many_lines(event: dict) -> list[FieldError]:
    """Counted before anything walks the lines: 14,000 of them took 70 ms to explain, one by one."""
    lines, ceiling = event.get("lines"), schema("order")["properties"]["lines"]["maxItems"]
    if event["type"] == "order" and isinstance(lines, list) and len(lines) > ceiling:
        return [FieldError("lines", f"{len(lines)} lines; an order has at most {ceiling}")]
    return []


def _valid(event: dict, event_type: str) -> bool:
    try:
        return _fast_validator(event_type).is_valid(event)
    except UnicodeEncodeError:  # text that is not UTF-8: explained below; no topic could carry it
        return False


def _explain(event: dict, event_type: str, max_errors: int) -> list[FieldError]:
    if too_deep(event):  # jsonschema and repr() recurse: refuse before they can exhaust the stack
        return [FieldError("", f"nested deeper than {MAX_DEPTH} levels; no event field holds nested data")]
    if bad_text := surrogates(event):
        return [FieldError(f, m) for f, m in bad_text[:max_errors + 1]]
    # lazily, and only the first few: 349,000 bad lines once made a 123 MB answer after 25 s
    errors = [FieldError(_path(e), _short(_message(e))) for e in islice(_validator(event_type).iter_errors(event), max_errors + 1)]
    # should the two ever disagree, the event is still refused, in jsonschema-rs's words
    return errors or [FieldError(".".join(map(str, e.instance_path)), e.message)
                      for e in islice(_fast_validator(event_type).iter_errors(event), max_errors + 1)]


def _message(error) -> str:
    # A failing sub-schema that describes itself says what is expected better than jsonschema does.
    description = error.schema.get("description") if isinstance(error.schema, dict) else None
    if description and error.validator in ("anyOf", "pattern", "format"):
        shown = repr(error.instance) if not isinstance(error.instance, dict) else "event"
        return f"{shown} is not valid: expected {description}"
    return error.message


def _short(message: str, limit: int = 300) -> str:
    # jsonschema quotes the instance: "[{}, {}, … 349,000 more] is too long" must not become a megabyte
    return message if len(message) <= limit else f"{message[:limit]}… ({len(message)} characters)"


def _path(error) -> str:
    parts = list(error.absolute_path)
    if error.validator == "required":  # name the missing field, not its parent
        missing = error.message.split("'")[1] if "'" in error.message else ""
        parts.append(missing)
    elif error.validator == "additionalProperties":
        extra = error.message.split("'")[1] if "'" in error.message else ""
        parts.append(extra)
    return ".".join(str(p) for p in parts)


def decode(raw: bytes | None, currency: str) -> dict:
    """Bytes from a topic → a valid event dict, or InvalidEvent explaining why not."""
    if raw is None:
        raise InvalidEvent("empty", [FieldError("", "message has no value")])
    try:
        event = loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidEvent("undecodable", [FieldError("", f"not valid UTF-8 JSON: {exc}")]) from None
    return validate(event, currency)


def money(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))
