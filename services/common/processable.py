"""What the schemas cannot say and the workers and Postgres need: times they can convert, text that is
UTF-8, money at the currency's scale. ``validate`` runs these after the schema, at the ingest and in
every worker, so an event the ingest answers 202 is one the workers can count.

Money is rounded, half-even, to the currency's minor unit (INR 2 places, JPY 0, KWD 3), whether it
arrives as a JSON number or a string: a JavaScript storefront sends ``0.1 + 0.2`` as
``0.30000000000000004``, and what it meant is 0.30. The rounded amount is what goes on the topic, so
the ingest, the workers and a replay all count the same figure.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from typing import Any, Iterator

# ISO 4217 currencies whose minor unit is not 2 places.
MINOR_UNITS = {**dict.fromkeys("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split(), 0),
               **dict.fromkeys("BHD IQD JOD KWD LYD OMR TND".split(), 3)}
RATE_PLACES = 6  # contracts.rate is NUMERIC(20,6)
# Any time inside this range converts to every UTC offset and calendar day without overflow
# (datetime stops at years 1 and 9999; year-9999 times crashed the aggregator's day arithmetic).
REPRESENTABLE = (datetime(1, 1, 3, tzinfo=timezone.utc), datetime(9999, 12, 30, tzinfo=timezone.utc))
# Times of things that happened (contracts' validity may lie in the future; it has only the range above).
EVENT_TIMES = {"order": ("placed_at",), "click": ("clicked_at",), "refund": ("refunded_at",),
               "post": ("published_at", "observed_at"), "contract": (), "influencer": ()}
CONTRACT_TIMES = ("valid_from", "valid_to")
# The platforms a deployment takes by default (HK_PLATFORMS): the old dashboard's three and those teams use.
DEFAULT_PLATFORMS = ("instagram", "youtube", "twitter", "facebook", "linkedin", "tiktok", "snapchat", "other")
PLATFORM = re.compile(r"[a-z][a-z0-9_]{0,31}")  # what any platform name looks like (the schemas' pattern)
MAX_OFFSET = timedelta(hours=14)  # the widest real UTC offset (Kiribati); PostgreSQL refuses beyond ±15:59


@dataclass(frozen=True)
class Policy:
    """The ingest's stricter door (settings): times not before ``earliest`` nor more than ``future`` past
    now, at most ``max_lines`` lines an order, a platform of the deployment's list. Workers check only what
    they could not process (any platform name the schema's pattern allows)."""
    earliest: datetime
    future: timedelta
    max_lines: int
    platforms: frozenset[str] = frozenset(DEFAULT_PLATFORMS)
    now: datetime | None = None  # fixed for one request (read once, not per event); None: the clock

    @classmethod
    def of(cls, settings) -> "Policy":
        return cls(settings.earliest_event_time, timedelta(seconds=settings.max_future_seconds), settings.max_order_lines,
                   frozenset(settings.platforms))

    def at_now(self) -> "Policy":
        return replace(self, now=datetime.now(timezone.utc))

    def bounds(self) -> tuple[datetime, datetime]:
        if self.now is not None:
            return self._bounds_at(self.now)
        return self._bounds_at(datetime.now(timezone.utc))

    # one request's many events share one now: its bounds are computed once (noqa B019: one object per process,
    # so the cache holding it alive frees nothing that would be freed)
    @lru_cache(maxsize=4)  # noqa: B019
    def _bounds_at(self, now: datetime) -> tuple[datetime, datetime]:
        return max(self.earliest, REPRESENTABLE[0]), now + min(self.future, REPRESENTABLE[1] - now)


def minor_unit(currency: str) -> Decimal:
    return _scale(_places(currency))[1]


def problems(event: dict, policy: Policy | None, parse) -> list[tuple[str, str]]:
    """(field, message) for each thing the workers or Postgres could not take; the schema has passed.
    (A list built in place, not a generator: this runs for every event the ingest takes.)"""
    kind = event["type"]
    found: list[tuple[str, str]] = []
    low, high = policy.bounds() if policy else REPRESENTABLE
    for name in EVENT_TIMES[kind]:
        _time(event, name, parse, low, high, found)
    for name in CONTRACT_TIMES if kind == "contract" else ():
        _time(event, name, parse, low, REPRESENTABLE[1], found)
    if policy and kind == "order" and len(event["lines"]) > policy.max_lines:
        found.append(("lines", f"{len(event['lines'])} lines; this deployment takes at most {policy.max_lines} an order "
                               "(HK_MAX_ORDER_LINES)"))
    if policy and "platform" in event and event["platform"] not in policy.platforms:
        found.append(("platform", f"{event['platform']!r} is not a platform of this deployment: one of "
                                  f"{', '.join(sorted(policy.platforms))} (HK_PLATFORMS)"))
    return found


def _time(event: dict, name: str, parse, low: datetime, high: datetime, found: list) -> None:
    text = event.get(name)
    if text is None:
        return
    at = parse(text)
    if abs(at.utcoffset()) > MAX_OFFSET:
        found.append((name, f"{text} has a UTC offset beyond ±14:00, which no time zone uses"))
    elif not low <= at <= high:
        found.append((name, f"{text} is outside the accepted range {low:%Y-%m-%dT%H:%M:%SZ} .. {high:%Y-%m-%dT%H:%M:%SZ}"))


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, f"{path}.{i}")


def surrogates(event: dict) -> list[tuple[str, str]]:
    """The fields holding text that cannot be UTF-8 (JSON's "\\ud800" decodes to a lone surrogate)."""
    return [(path, "contains an unpaired surrogate (\\ud800-\\udfff), which is not valid UTF-8")
            for path, text in _strings(event, "") if not is_utf8(text)]


def is_utf8(text: str) -> bool:
    """False for text holding a lone surrogate (JSON's \"\\ud800\"), which no UTF-8 topic can carry."""
    try:
        text.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def canonical_money(event: dict, currency: str) -> dict:
    """The event with every amount as a decimal string at its column's scale (rounded half-even). A value that is
    not a non-negative amount is left as it is, for the schema to refuse in the words it was sent."""
    kind = event["type"]
    if kind == "order":
        places = _places(currency)
        lines, canonical = event["lines"], _scale(places)[0].fullmatch
        for line in lines:
            revenue = line.get("revenue") if type(line) is dict else None
            if type(revenue) is not str or not canonical(revenue):
                break
        else:
            return event  # already canonical (every event a worker reads again): no copies
        return {**event, "lines": [{**line, "revenue": _round(line.get("revenue"), places)} if isinstance(line, dict)
                                   else line for line in lines]}
    if kind == "refund":
        return {**event, "amount": _round(event.get("amount"), _places(currency))}
    if kind == "contract":
        return {**event, "rate": _round(event.get("rate"), RATE_PLACES)}
    return event


RATE_SCALE = Decimal(1).scaleb(-RATE_PLACES)  # what the importer rounds rates to, as canonical_money does
DECIMAL_TEXT = re.compile(r"[0-9]{1,12}(\.[0-9]{1,20})?")  # the schemas' amount as a string (ASCII digits only)


def _places(currency: str) -> int:
    return MINOR_UNITS.get(currency, 2)


@lru_cache
def _scale(places: int) -> tuple[re.Pattern, Decimal]:
    return re.compile(r"(0|[1-9][0-9]{0,11})" + (rf"\.[0-9]{{{places}}}" if places else "")), Decimal(1).scaleb(-places)


def _round(value: Any, places: int) -> Any:
    canonical, unit = _scale(places)
    if isinstance(value, str):
        if canonical.fullmatch(value):
            return value  # already at the scale (every event a worker reads again): no decimal arithmetic
        if not DECIMAL_TEXT.fullmatch(value):
            return value
    elif not isinstance(value, (int, Decimal)) or isinstance(value, bool):
        return value
    amount = Decimal(value)
    if not amount.is_finite() or amount < 0 or amount.adjusted() > 12:
        return value
    # copy_abs: -0.0 is a valid non-negative amount, and "-0.00" would not be
    return str(amount.quantize(unit, rounding=ROUND_HALF_EVEN).copy_abs())
