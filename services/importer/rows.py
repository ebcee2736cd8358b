"""The seed's CSV rows → our events, pure. Ids are derived from the row's content, so importing the same
files again produces the same events and the pipeline's natural keys make it a no-op."""
from __future__ import annotations

import hashlib
import re
from datetime import datetime
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from ..common.events import InvalidEvent, validate
from ..common.processable import DEFAULT_PLATFORMS, RATE_SCALE, minor_unit
from .mapping import Mapping

COLUMNS = {
    "influencers.csv": ("id", "name", "category", "gender", "follower_count", "platform"),
    "posts.csv": ("influencer_id", "platform", "date", "url", "caption", "reach", "likes", "comments", "brand"),
    "tracking.csv": ("source", "campaign", "influencer_id", "user_id", "product", "brand", "date", "orders", "revenue"),
    "payouts.csv": ("influencer_id", "basis", "rate", "orders", "total_payout"),
}
# A missing brand is filled (brands.py) or the row is reported, so no file is refused for lacking the column.
OPTIONAL = {"gender", "follower_count", "url", "caption", "campaign", "source", "orders", "total_payout", "brand"}
BASES = ("post", "order", "revenue_share")
# Larger numbers are typing errors in any column here, and refusing them from the exponent alone spares
# the arithmetic: rounding or converting ``1e999999999`` takes minutes and gigabytes.
MAX_DIGITS = 15
# One order event is made per unit of a tracking row's ``orders``: a typo of 200000 must not make 200,000.
MAX_ORDERS_PER_ROW = 1000
# A comma is read only as a thousands separator; "12,50" may mean 12.50 or 1250, so it is refused.
THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")
DIGITS_AND_COMMAS = re.compile(r"[\d,]+(\.\d+)?")
WHOLE_FLOAT = re.compile(r"\d+\.0+")
# Which CSV column an event field came from, to name it in an error.
COLUMN_OF = {"published_at": "date", "placed_at": "date", "customer_id": "user_id",
             "lines.0.revenue": "revenue", "lines.0.product": "product", "lines.0.brand": "brand"}


class RowError(ValueError):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(f"{column}: {message}" if column else message)
        self.column = column


def _text(row: dict, column: str) -> str:
    value = (row.get(column) or "").strip()
    if not value and column not in OPTIONAL:
        raise RowError(column, "is empty")
    return value


def _decimal(column: str, value: str, not_a_number: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise RowError(column, f"{value!r} {not_a_number}") from None
    if number.is_finite() and number and number.adjusted() >= MAX_DIGITS:  # 0e500000 is a plain zero
        raise RowError(column, f"{value!r} is too large (at most {MAX_DIGITS} digits before the decimal point)")
    return number


def identifier(text: str | None) -> str:
    """An id as written, except an integer id that pandas wrote as a float (``42.0``, in a column with blanks)."""
    text = (text or "").strip()
    return text.split(".")[0] if WHOLE_FLOAT.fullmatch(text) else text


def _id(row: dict, column: str) -> str:
    _text(row, column)
    return identifier(row.get(column))


def _int(row: dict, column: str, minimum: int = 0) -> int | None:
    value = _text(row, column)
    if not value:
        return None
    number = _decimal(column, value, "is not a number")
    if not number.is_finite() or number != number.to_integral_value() or number < minimum:
        raise RowError(column, f"{value!r} must be a whole number ≥ {minimum}")
    return int(number)


def amount(row: dict, column: str, unit: Decimal) -> Decimal:
    """A non-negative decimal rounded half-even to ``unit`` (the currency's minor unit, or a rate's scale), as
    the ingest rounds it: the split of a row's revenue below must add up to what the pipeline counts."""
    value = _text(row, column)
    if "," in value:
        if not THOUSANDS.fullmatch(value):
            if not DIGITS_AND_COMMAS.fullmatch(value):
                raise RowError(column, f"{value!r} is not a decimal amount")
            raise RowError(column, f"{value!r} is ambiguous: use a point for decimals (a comma only between thousands)")
        value = value.replace(",", "")
    number = _decimal(column, value, "is not a decimal amount")
    if not number.is_finite() or number < 0:
        raise RowError(column, f"{value!r} must be a non-negative amount")
    return number.quantize(unit, rounding=ROUND_HALF_EVEN)


class Platforms:
    """A platform as teams write it (``Instagram``, ``IG``, ``X``, or a synonym from --map) → one of the deployment's
    (HK_PLATFORMS); anything else is the row's error, naming the list."""

    def __init__(self, allowed=DEFAULT_PLATFORMS, mapping: Mapping | None = None) -> None:
        self.allowed, self.mapping = frozenset(allowed), mapping or Mapping()

    def __call__(self, row: dict, column: str) -> str:
        value = self.mapping.platform(_text(row, column))
        if value not in self.allowed:
            raise RowError(column, f"{row.get(column)!r} is not a platform of this deployment (one of "
                                   f"{', '.join(sorted(self.allowed))}: HK_PLATFORMS), nor mapped to one in --map platforms")
        return value


platform = Platforms()


def moment(row: dict, column: str, tz: ZoneInfo) -> str:
    """A date or date-time; without an offset it is in the business time zone."""
    value = _text(row, column)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise RowError(column, f"{value!r} is not a date (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)") from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)).isoformat()


def digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:20]


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text)[:24]


def checked(event: dict, currency: str, renamed: dict | None = None) -> dict:
    try:
        return validate(event, currency)
    except InvalidEvent as exc:
        first = exc.errors[0]
        columns = COLUMN_OF | (renamed or {})
        raise RowError(columns.get(first.field, first.field), first.message) from None


def influencer(row: dict, tz: ZoneInfo, currency: str, platforms: Platforms = platform) -> list[dict]:
    event: dict[str, object] = {"type": "influencer", "influencer_id": _id(row, "id"), "name": _text(row, "name"),
             "category": _text(row, "category"), "platform": platforms(row, "platform")}
    if _text(row, "gender"):
        event["gender"] = _text(row, "gender")
    if (followers := _int(row, "follower_count")) is not None:
        event["follower_count"] = followers
    return [checked(event, currency, {"influencer_id": "id"})]


def post(row: dict, tz: ZoneInfo, currency: str, observed_at: str, occurrence: int = 1,
         platforms: Platforms = platform) -> list[dict]:
    """A snapshot; without a url two equal rows are two posts (``occurrence`` tells them apart)."""
    url, published, on = _text(row, "url"), moment(row, "date", tz), platforms(row, "platform")
    identity = (url,) if url else (published, _text(row, "caption"), _text(row, "brand"), occurrence)
    event = {"type": "post", "post_id": f"csv-post-{digest(_id(row, 'influencer_id'), on, *identity)}",
             "influencer_id": _id(row, "influencer_id"), "platform": on,
             "brand": _text(row, "brand"), "url": url, "caption": _text(row, "caption"), "published_at": published,
             "reach": _int(row, "reach"), "likes": _int(row, "likes"), "comments": _int(row, "comments"),
             "observed_at": observed_at}
    return [checked(event, currency)]


def tracking(row: dict, tz: ZoneInfo, currency: str, occurrence: int) -> list[dict]:
    """One already-attributed order per unit of ``orders``, the revenue split exactly between them; a row without
    an influencer is a sale no influencer drove (unattributed, the baseline). ``occurrence`` numbers identical
    rows, so two equal purchases stay two."""
    orders = _int(row, "orders", minimum=1) or 1
    if orders > MAX_ORDERS_PER_ROW:
        raise RowError("orders", f"{orders} is too many (at most {MAX_ORDERS_PER_ROW} orders in one row)")
    unit = minor_unit(currency)
    revenue = amount(row, "revenue", unit)
    share = (revenue / orders).quantize(unit, rounding=ROUND_DOWN)
    base = digest(*((row.get(c) or "").strip() for c in COLUMNS["tracking.csv"]))
    events = []
    for k in range(orders):
        part = revenue - share * (orders - 1) if k == 0 else share
        event = {"type": "order", "order_id": f"csv-trk-{base}-{occurrence}-{k}", "customer_id": _text(row, "user_id"),
                 "placed_at": moment(row, "date", tz), "currency": currency,
                 "lines": [{"product": _text(row, "product"), "brand": _text(row, "brand"), "quantity": 1,
                            "revenue": str(part)}]}
        if influencer_id := identifier(row.get("influencer_id")):
            event["influencer_id"] = influencer_id
        if _text(row, "source"):
            event["utm_source"] = _text(row, "source")[:128]
        if _text(row, "campaign"):
            event["utm_campaign"] = _text(row, "campaign")[:128]
        events.append(checked(event, currency))
    return events


def payout(row: dict, tz: ZoneInfo, currency: str, brands: list[str], valid_from: str,
           mapping: Mapping | None = None) -> list[dict]:
    """A payouts row names no brand: it becomes one contract per brand of the import, same basis and rate
    (an order or a post belongs to one brand, so this pays exactly what one all-brand contract would)."""
    basis = (mapping or Mapping()).basis_of(_text(row, "basis"))
    if basis not in BASES:
        raise RowError("basis", f"{row.get('basis')!r} is not one of post, order, revenue_share (per_post, per_order "
                                "and commission are read as those), nor mapped to one in --map basis")
    if not brands:
        raise RowError("influencer_id", "no brand to contract for: import posts.csv or tracking.csv too, or pass --brand")
    influencer_id = _id(row, "influencer_id")
    return [checked({"type": "contract", "contract_id": f"csv-pay-{slug(influencer_id)}-{basis}-{slug(b)}-{digest(influencer_id, b)[:6]}",
                     "influencer_id": influencer_id, "brand": b, "basis": basis, "rate": str(amount(row, "rate", RATE_SCALE)),
                     "valid_from": valid_from, "coupon_codes": [], "link_codes": []}, currency) for b in brands]
