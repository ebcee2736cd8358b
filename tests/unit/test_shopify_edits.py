"""Shopify order edits (orders/updated with changed line items) change what the order counts to its newest
version, through the exactly-once scheme: a delivery of an older version changes nothing, a redelivery counts
once, and units that a refund took back are not removed a second time by ``current_quantity``."""
import copy
import json
from decimal import Decimal
from pathlib import Path

from services.attribution.attributor import Attributor
from services.attribution.contracts import ContractIndex
from services.common.events import decode, dumps, validate
from services.common.settings import Settings
from services.ingest.shopify import to_events

from .counted_revenue import counted

PLACED = json.loads((Path(__file__).parents[1] / "fixtures" / "shopify" / "refund-with-tax-and-shipping.json").read_text())
SHAKER = {"id": 13800000000699, "title": "Shaker 700ml", "vendor": "MuscleBlaze", "quantity": 1, "current_quantity": 1,
          "price": "299.00", "price_set": {"shop_money": {"amount": "299.00", "currency_code": "INR"},
                                           "presentment_money": {"amount": "3.60", "currency_code": "USD"}},
          "discount_allocations": []}


def version(updated_at: str, creatine_now: int, whey_now: int, shaker: bool, refunds: bool) -> dict:
    order = copy.deepcopy(PLACED)
    order.update(updated_at=updated_at, financial_status="partially_refunded" if refunds else "paid")
    whey, creatine = order["line_items"]
    whey["current_quantity"], creatine["current_quantity"] = whey_now, creatine_now
    order["line_items"] += [SHAKER] if shaker else []
    order["refunds"] = order["refunds"] if refunds else []
    return order


V1 = version("2026-11-24T21:05:44+05:30", creatine_now=2, whey_now=1, shaker=False, refunds=False)
V2 = version("2026-11-25T09:00:00+05:30", creatine_now=1, whey_now=1, shaker=True, refunds=False)  # edit: -1 creatine, +shaker
V3 = version("2026-11-29T10:20:02+05:30", creatine_now=1, whey_now=0, shaker=True, refunds=True)  # the whey returned


def deliver(attributor: Attributor, order: dict) -> list:
    records = []
    for event in to_events(order, "INR"):
        accepted = validate(event, "INR")  # as the ingest takes it, then as the worker reads it from the topic
        records += attributor.handle(decode(dumps(accepted), "INR"))
    return records


def test_an_edited_order_counts_its_newest_version_once_whatever_the_order_of_deliveries():
    attributor, seen = Attributor(Settings(env="dev"), ContractIndex(), {}, {}, {}), []
    seen += deliver(attributor, V1)
    assert counted(seen) == Decimal("3997.00")  # 2499 - 300 discount + 2 x 899
    seen += deliver(attributor, V2)
    assert counted(seen) == Decimal("3397.00")  # one creatine edited out, a shaker added
    seen += deliver(attributor, V3)
    assert counted(seen) == Decimal("1198.00")  # the whey's 2199 refunded, not also removed as an edit
    for late in (V1, V2, V3):  # late and repeated deliveries
        seen += deliver(attributor, late)
        assert counted(seen) == Decimal("1198.00")


def test_the_version_is_updated_at_in_milliseconds_and_an_order_without_it_has_none():
    assert to_events(V2, "INR")[0]["version"] == 1795577400000  # 2026-11-25T03:30:00Z
    assert "version" not in to_events({k: v for k, v in V2.items() if k != "updated_at"}, "INR")[0]


def test_an_order_with_every_item_edited_out_stops_counting():
    attributor = Attributor(Settings(env="dev"), ContractIndex(), {}, {}, {})
    seen = deliver(attributor, V1)
    emptied = version("2026-11-26T09:00:00+05:30", creatine_now=0, whey_now=0, shaker=False, refunds=False)
    seen += deliver(attributor, emptied)
    assert counted(seen) == Decimal("0.00")
