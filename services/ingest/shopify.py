"""Shopify order webhooks (orders/create, orders/updated): verify ``X-Shopify-Hmac-Sha256`` (base64 HMAC-SHA256 of
the raw body) and map the order to our events — lines per vendor (brand) in the shop's currency, discount codes as the
coupon, the landing site's UTM parameters and click id, refunds, and a cancellation as a refund of whatever is left.
Shopify redelivers and reorders webhooks; ids derived from Shopify's make every repeat a no-op. A signed payload of the
wrong shape is refused naming the field (400); a value we merely cannot use (an odd code or click id) is dropped, since
a refusal makes Shopify retry for hours and then remove the subscription."""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
from decimal import Decimal
from urllib.parse import parse_qs

from ..common.events import timestamp
from .shopify_fields import (ShopifyPayloadError, _amount_text, _first_time, _flag, _identifier, _items, _obj,
                             _shop_money, _text, _whole_number)

COUPON = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what a contract's coupon code can be (fullmatch: no trailing newline)
CLICK_ID = re.compile(r"[A-Za-z0-9._:@/-]{1,64}")  # the schemas' id pattern
log = logging.getLogger(__name__)


def verified(secret: bytes, body: bytes, signature: str | None) -> bool:
    expected = base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest())
    return hmac.compare_digest(expected, (signature or "").encode())


def to_events(order: dict, currency: str, include_test: bool = False) -> list[dict]:
    """The order event, one refund event per Shopify refund, then one for a cancellation; [] for a test order (Bogus
    gateway, or a gateway in test mode) unless ``include_test``. ``currency`` stands in for a payload without one."""
    order = _obj(order, "<order>", required=True)
    if "order_id" in order and "refund_line_items" in order:  # refunds/create names no customer to key it by
        raise ShopifyPayloadError("<order>: this is a refunds/create payload; subscribe this address to orders/updated, "
                                  "which carries the order's refunds")
    if _flag(order.get("test"), "test") and not include_test:
        return []
    oid = _identifier(order.get("id"), "id")
    keys = {"order_id": f"shopify-{oid}", "customer_id": _customer(order, oid)}
    lines, revenues = _lines(order, _refunded_quantities(order))
    edited_out = not lines  # every item removed by order edits: the order stops counting, as a cancelled one
    if edited_out:
        lines, revenues = _lines(order, None)
    placed_at = _first_time(order, ("processed_at", "created_at"), "")
    shop_currency = _text(order.get("currency"), "currency") or currency  # the shop's; presentment_* is the buyer's
    event = {"type": "order", "event_id": f"shopify-{oid}", **keys, "placed_at": placed_at, "currency": shop_currency,
             "lines": lines, **_version(order)}
    if code := _coupon(order):
        event["coupon_code"] = code
    event.update(_landing(order))
    events = [event, *_refunds(order, keys, shop_currency)]
    cancelled_at, total = _text(order.get("cancelled_at"), "cancelled_at"), sum(revenues, Decimal(0))
    voided = _text(order.get("financial_status"), "financial_status") == "voided"
    if (cancelled_at or voided or edited_out) and total > 0:
        # Cash on delivery leaves no refund behind, so the order would go on counting: refund all of it, under an id
        # that repeats on every delivery. Downstream a refund takes at most what the real refunds have left.
        when = cancelled_at or _text(order.get("updated_at"), "updated_at") or placed_at
        events.append({"type": "refund", "event_id": f"shopify-cancel-{oid}", "refund_id": f"shopify-cancel-{oid}",
                       **keys, "amount": _amount_text(total, "line_items"), "refunded_at": when})
    return events


def _customer(order: dict, oid: str) -> str:
    customer = _obj(order.get("customer"), "customer")
    email = (_text(order.get("email"), "email") or "").strip().lower()  # read either way: a bad one is refused
    if customer.get("id") is not None:
        return "shopify-" + _identifier(customer["id"], "customer.id")
    if email:
        return "shopify-email-" + hashlib.sha256(email.encode()).hexdigest()[:20]
    return f"shopify-order-{oid}"  # a guest without e-mail: the order is its own customer


def _version(order: dict) -> dict:
    """Shopify's ``updated_at`` in milliseconds: a later delivery of an edited order replaces what it counts, and
    an earlier one, delivered late, changes nothing (Shopify does not promise the order of deliveries)."""
    updated = _text(order.get("updated_at"), "updated_at")
    if updated is None:
        return {}
    try:
        return {"version": max(int(timestamp(updated).timestamp() * 1000), 0)}
    except (ValueError, OverflowError):
        raise ShopifyPayloadError(f"updated_at: expected an RFC 3339 timestamp, got {updated[:40]!r}") from None


def _refunded_quantities(order: dict) -> dict[str, int]:
    """Units of each line item that refunds took back: Shopify's ``current_quantity`` leaves them out too, and our
    refund events already take their revenue off, so they must not be removed twice."""
    taken: dict[str, int] = {}
    for i, refund in enumerate(_items(order.get("refunds"), "refunds")):
        for j, item in enumerate(_items(_obj(refund, f"refunds.{i}").get("refund_line_items"), f"refunds.{i}.refund_line_items")):
            path, item = f"refunds.{i}.refund_line_items.{j}", _obj(item, f"refunds.{i}.refund_line_items.{j}", required=True)
            if item.get("line_item_id") is not None:
                key = _identifier(item["line_item_id"], f"{path}.line_item_id")
                taken[key] = taken.get(key, 0) + _whole_number(item.get("quantity") or 0, f"{path}.quantity")
    return taken


def _lines(order: dict, refunded: dict[str, int] | None) -> tuple[list[dict], list[Decimal]]:
    """The lines as the order stands after edits (``current_quantity`` plus what refunds took, which their own events
    take off), or, with ``refunded`` None, as first placed."""
    lines, revenues = [], []
    for i, item in enumerate(_items(order.get("line_items"), "line_items", required=True)):
        path, item = f"line_items.{i}", _obj(item, f"line_items.{i}", required=True)
        placed = _whole_number(item.get("quantity"), f"{path}.quantity")
        quantity = placed
        if refunded is not None and item.get("current_quantity") is not None:
            current = _whole_number(item["current_quantity"], f"{path}.current_quantity")
            item_id = _identifier(item["id"], f"{path}.id") if item.get("id") is not None else None
            quantity = min(placed, current + (refunded.get(item_id, 0) if item_id is not None else 0))
        if quantity == 0:  # removed from the order, or a zero line such as a note
            continue
        allocations = _items(item.get("discount_allocations"), f"{path}.discount_allocations")
        discount = sum((_shop_money(a, "amount", f"{path}.discount_allocations.{j}") for j, a in enumerate(allocations)),
                       Decimal(0)) * quantity / placed  # allocated over the units placed
        revenue = max(_shop_money(item, "price", path) * quantity - discount, Decimal(0))
        product = _text(item.get("title"), f"{path}.title") or _text(item.get("name"), f"{path}.name") or "item"
        brand = _text(item.get("vendor"), f"{path}.vendor") or "unknown"  # Shopify's own samples send "vendor": null
        lines.append({"product": product[:200], "brand": brand[:64], "quantity": quantity,
                      "revenue": _amount_text(revenue, path)})
        revenues.append(revenue)
    return lines, revenues


def _coupon(order: dict) -> str | None:
    codes = [_text(_obj(d, f"discount_codes.{j}", required=True).get("code"), f"discount_codes.{j}.code")
             for j, d in enumerate(_items(order.get("discount_codes"), "discount_codes"))]
    return next((c for c in codes if c and COUPON.fullmatch(c)), None)  # "SAVE 10%" names no contract: dropped


def _landing(order: dict) -> dict:
    # the query cut out by hand: urlsplit raises on some hosts ("http://[::1"), and a landing site is only a hint
    query = parse_qs((_text(order.get("landing_site"), "landing_site") or "").partition("?")[2].partition("#")[0])
    picked = {"utm_source": query.get("utm_source"), "utm_campaign": query.get("utm_campaign"),
              "click_id": query.get("hk_click")}
    found = {k: v[0][:128] for k, v in picked.items() if v and v[0]}
    clicks = picked["click_id"]  # in found only if it has a first value
    if "click_id" in found and clicks and not CLICK_ID.fullmatch(clicks[0]):
        del found["click_id"]  # a mangled click id credits nobody; refusing it would lose the whole order
    return found


def _refunds(order: dict, keys: dict, shop_currency: str) -> list[dict]:
    events, seen = [], set()
    for i, refund in enumerate(_items(order.get("refunds"), "refunds")):
        path, refund = f"refunds.{i}", _obj(refund, f"refunds.{i}", required=True)
        rid = _identifier(refund.get("id"), f"{path}.id")
        amount = _refunded(refund, path, order, shop_currency)
        when = _first_time(refund, ("created_at", "processed_at"), path + ".")
        if rid in seen or amount is None or amount <= 0:  # a refund id is a natural key: seen twice, it counts once
            continue
        seen.add(rid)
        events.append({"type": "refund", "event_id": f"shopify-refund-{rid}", "refund_id": f"shopify-{rid}", **keys,
                       "amount": _amount_text(amount, path), "refunded_at": when})
    return events


def _refunded(refund: dict, path: str, order: dict, shop_currency: str) -> Decimal | None:
    """What the refund takes off the lines' revenue: the refunded lines' subtotals in the shop's currency, without tax
    (total_tax) or shipping (order_adjustments). Only a refund of an amount alone (no lines) falls back to its
    successful refund transactions, and only in the shop's currency: None when one is in the buyer's alone."""
    lines = _items(refund.get("refund_line_items"), f"{path}.refund_line_items")
    if lines:
        return sum((_shop_money(r, "subtotal", f"{path}.refund_line_items.{j}") for j, r in enumerate(lines)), Decimal(0))
    buyer_currency = _text(order.get("presentment_currency"), "presentment_currency") or shop_currency
    total = Decimal(0)
    for j, t in enumerate(_items(refund.get("transactions"), f"{path}.transactions")):
        at, t = f"{path}.transactions.{j}", _obj(t, f"{path}.transactions.{j}", required=True)
        if t.get("kind") != "refund" or t.get("status", "success") != "success":
            continue  # a failed or pending transaction gave nothing back
        paid_in = _text(t.get("currency"), f"{at}.currency") or buyer_currency
        if t.get("amount_set") is None and paid_in != shop_currency:
            log.warning("Shopify order %s, refund %s: %s is %s only, not the shop's %s; the refund is not counted "
                        "(converting at today's rate would be a guess)", order.get("id"), refund.get("id"), at, paid_in,
                        shop_currency)
            return None
        total += _shop_money(t, "amount", at)
    return total
