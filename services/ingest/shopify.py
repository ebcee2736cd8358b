"""Shopify order webhooks: verify ``X-Shopify-Hmac-Sha256`` (base64 HMAC-SHA256 of the raw body) and map the
order to our events — lines per vendor (brand), discount codes as the coupon, the landing site's UTM parameters,
refunds. Shopify redelivers and reorders webhooks; ids derived from Shopify's make every repeat a no-op."""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

COUPON = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # what a contract's coupon code can be


class ShopifyPayloadError(ValueError):
    """The payload is not a Shopify order we can read; the message names the field."""


def verified(secret: bytes, body: bytes, signature: str | None) -> bool:
    expected = base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest())
    return hmac.compare_digest(expected, (signature or "").encode())


def _customer(order: dict) -> str:
    customer = order.get("customer") or {}
    if customer.get("id"):
        return f"shopify-{customer['id']}"
    if order.get("email"):
        return "shopify-email-" + hashlib.sha256(order["email"].strip().lower().encode()).hexdigest()[:20]
    return f"shopify-order-{order['id']}"  # a guest without e-mail: the order is its own customer


def _landing(order: dict) -> dict:
    query = parse_qs(urlsplit(order.get("landing_site") or "").query)
    picked = {"utm_source": query.get("utm_source"), "utm_campaign": query.get("utm_campaign"),
              "click_id": query.get("hk_click")}
    return {k: v[0][:128] for k, v in picked.items() if v and v[0]}


def _line(item: dict) -> dict:
    quantity = int(item["quantity"])
    discount = sum((Decimal(str(a["amount"])) for a in item.get("discount_allocations") or []), Decimal(0))
    revenue = max(Decimal(str(item["price"])) * quantity - discount, Decimal(0))
    return {"product": (item.get("title") or item.get("name") or "item")[:200], "brand": (item.get("vendor") or "unknown")[:64],
            "quantity": quantity, "revenue": str(revenue)}


def to_events(order: dict, currency: str) -> list[dict]:
    try:
        oid, customer = f"shopify-{order['id']}", _customer(order)
        event = {"type": "order", "event_id": oid, "order_id": oid, "customer_id": customer,
                 "placed_at": order.get("processed_at") or order["created_at"],
                 "currency": order.get("currency") or currency,
                 "lines": [_line(i) for i in order["line_items"] if int(i.get("quantity") or 0) > 0]}
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise ShopifyPayloadError(f"not a readable Shopify order: missing or bad {exc}") from None
    codes = [d["code"] for d in order.get("discount_codes") or [] if COUPON.match(str(d.get("code", "")))]
    if codes:
        event["coupon_code"] = codes[0]
    event.update(_landing(order))
    events = [event]
    for refund in order.get("refunds") or []:
        amount = sum((Decimal(str(t["amount"])) for t in refund.get("transactions") or []
                      if t.get("kind") == "refund" and t.get("status", "success") == "success"), Decimal(0))
        if amount > 0:
            events.append({"type": "refund", "event_id": f"shopify-refund-{refund['id']}",
                           "refund_id": f"shopify-{refund['id']}", "order_id": oid, "customer_id": customer,
                           "amount": str(amount), "refunded_at": refund["created_at"]})
    return events
