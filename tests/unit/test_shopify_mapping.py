"""Shopify payloads mapped to our events without the HTTP layer: money in the shop's currency, refunds as the line
items they take back, and every malformed payload refused as a ShopifyPayloadError naming the field (never a 500)."""
import copy
import logging
import time
from pathlib import Path

import pytest

from services.common.events import loads, validate
from services.ingest.shopify import ShopifyPayloadError, to_events

FIXTURES = Path(__file__).parents[1] / "fixtures" / "shopify"


def fixture(name: str) -> dict:
    return loads((FIXTURES / name).read_bytes())  # the ingest's own parser: numbers arrive as int or Decimal


def test_money_is_the_shop_currency_never_the_buyer_one(caplog):
    """Shown in USD to a shop that accounts in INR: lines, discounts and refunds are read from shop_money."""
    with caplog.at_level(logging.WARNING, "services.ingest.shopify"):
        order, *refunds = to_events(fixture("multi-currency-order.json"), "INR")
    assert order["currency"] == "INR" and order["click_id"] == "ig:us-4471"
    assert [(line["brand"], line["revenue"]) for line in order["lines"]] == [("MuscleBlaze", "2199.00"), ("HKVitals", "998.00")]
    # 917000000301: the refunded tin's subtotal (not the USD 7.67 paid back, which has tax and shipping in it);
    # 917000000302: 2.00 USD with no amount in INR, left out and logged; 917000000303: its transaction's INR amount
    assert [(r["refund_id"], r["amount"]) for r in refunds] == [("shopify-917000000301", "499.00"), ("shopify-917000000303", "83.25")]
    assert "refunds.1.transactions.0 is USD only, not the shop's INR" in caplog.text
    for event in [order, *refunds]:
        validate(event, "INR")


def test_a_refund_takes_back_its_lines_not_tax_or_shipping():
    order, returned, leaked = to_events(fixture("refund-with-tax-and-shipping.json"), "INR")
    # the transactions gave back 2693.82 (2199.00 + 18 % tax + 99.00 shipping) and 1060.82: revenue lost only the lines
    assert (returned["amount"], returned["refunded_at"]) == ("2199.00", "2026-11-27T15:10:00+05:30")
    assert leaked["amount"] == "899"  # an older payload: subtotal (a JSON number 899.0) without subtotal_set


def test_a_refund_of_an_amount_alone_falls_back_to_its_transactions():
    # order-with-refund.json: no refund_line_items, one successful and one failed transaction, shop and buyer in INR
    _, refund = to_events(fixture("order-with-refund.json"), "INR")
    assert refund["amount"] == "499.00"


def test_a_refund_id_seen_twice_counts_once():
    order = fixture("refund-with-tax-and-shipping.json")
    order["refunds"] = order["refunds"] * 3
    assert [e["refund_id"] for e in to_events(order, "INR")[1:]] == ["shopify-917000000601", "shopify-917000000602"]


_MISSING = object()


def _with(order: dict, path: str, value) -> dict:
    """The order with the field at a dotted path (line_items.0.price) set to value, or removed."""
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    target = order
    for p in parents:
        target = target[p]
    if value is _MISSING:
        del target[last]
    else:
        target[last] = value
    return order


@pytest.mark.parametrize("path, value, message", [
    ("email", 12345, "email: expected UTF-8 text, got 12345"),
    ("discount_codes", "FITFANMB", "discount_codes: expected a list, got 'FITFANMB'"),
    ("discount_codes", ["FITFANMB"], "discount_codes.0: expected an object, got 'FITFANMB'"),
    ("refunds.0.id", _MISSING, "refunds.0.id: expected a Shopify id"),
    ("line_items.0.price", "abc", "line_items.0.price: expected an amount from 0 to 10^12, got 'abc'"),
    ("refunds.0.transactions.0.amount", "abc", "refunds.0.transactions.0.amount: expected an amount"),
    ("landing_site", 42, "landing_site: expected UTF-8 text, got 42"),
    ("line_items", {"0": {}}, "line_items: expected a list, got an object"),
    ("customer", "7012345678901", "customer: expected an object, got '7012345678901'"),
    ("line_items.1.price", loads("1e999999"), "line_items.1.price: expected an amount from 0 to 10^12, got 1e+999999"),
    ("line_items.1.price", loads("NaN"), "line_items.1.price: expected an amount from 0 to 10^12, got nan"),
    ("line_items.0.quantity", -1, "line_items.0.quantity: expected a whole number from 0 to 2147483647, got -1"),
    ("line_items.0.quantity", "abc", "line_items.0.quantity: expected a whole number from 0 to 2147483647, got 'abc'"),
    ("line_items.0.title", "\ud800", "line_items.0.title: expected UTF-8 text"),
    ("test", "yes", "test: expected true or false, got 'yes'"),
])
def test_a_wrong_type_is_refused_naming_the_field(path, value, message):
    with pytest.raises(ShopifyPayloadError) as refused:
        to_events(_with(fixture("order-with-refund.json"), path, value), "INR")
    assert str(refused.value).startswith(message)


def test_a_voided_order_without_cancelled_at_is_refunded_when_last_updated():
    voided = {**fixture("cancelled-cod-order.json"), "cancelled_at": None}
    assert to_events(voided, "INR")[-1]["refunded_at"] == "2026-11-21T09:31:05+05:30"  # updated_at
    del voided["updated_at"]
    assert to_events(voided, "INR")[-1]["refunded_at"] == "2026-11-20T19:40:11+05:30"  # processed_at


def _paths(node, prefix=""):
    """Every field and list entry below the root, as dotted paths."""
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield f"{prefix}{key}"
        yield from _paths(child, f"{prefix}{key}.")


def _nested(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


WRONG = {"int": 7, "text": "abc", "list": [1, "x"], "object": {"a": 1}, "null": None, "deep list": _nested(50)}


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.json")))
@pytest.mark.parametrize("kind", WRONG)
def test_any_field_of_any_wrong_type_maps_or_is_refused_by_name(name, kind):
    original, surprises = fixture(name), []
    for path in _paths(original):
        order = _with(copy.deepcopy(original), path, WRONG[kind])
        try:
            events = to_events(order, "INR", include_test=True)
            if not all(isinstance(e, dict) for e in events):
                surprises.append(f"{path}: returned {events!r:.80}")
        except ShopifyPayloadError as exc:
            field = str(exc).split(":")[0]  # the field named must be the one broken, inside it, or around it
            if not (field == path or field.startswith(path + ".") or path.startswith(field + ".")):
                surprises.append(f"{path}: refused naming another field: {exc}")
        except Exception as exc:  # noqa: BLE001 - the point: nothing else may escape (it would be a 500)
            surprises.append(f"{path}: {type(exc).__name__}: {exc}")
    assert surprises == []


def test_mapping_stays_linear_in_the_size_of_the_order():
    order = fixture("refund-with-tax-and-shipping.json")
    line, refund = order["line_items"][1], order["refunds"][1]
    order["line_items"] = [line] * 1_000
    order["refunds"] = [{**refund, "id": i} for i in range(40_000)] + [refund] * 40_000  # distinct ids, then repeats
    started = time.perf_counter()
    assert len(to_events(order, "INR")) == 1 + 40_001
    # about 1.5 s, 5 s on a busy shared machine; work quadratic in the refunds is 10^9 steps here: even a C-speed
    # scan of a list of seen ids takes 15 s or more, and a total recomputed in Python per refund, minutes
    assert time.perf_counter() - started < 12
