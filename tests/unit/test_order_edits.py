"""Order edits through the exactly-once scheme: a newer version voids the lines it no longer has (an adjustment
like a refund) and appends the lines it adds; lines never change, so every record keeps its natural key, a
redelivery re-emits the same records and an older version changes nothing."""
from decimal import Decimal

import pytest

from services.attribution.attributor import Attributor
from services.attribution.contracts import ContractIndex
from services.common.settings import Settings

from .counted_revenue import counted

LINE_A = {"product": "Whey", "brand": "MuscleBlaze", "quantity": 1, "revenue": "100.00"}
LINE_B = {"product": "Fish oil", "brand": "HKVitals", "quantity": 2, "revenue": "50.00"}
LINE_C = {"product": "Creatine", "brand": "MuscleBlaze", "quantity": 1, "revenue": "30.00"}


def order(version: int | None, *lines: dict) -> dict:
    o = {"type": "order", "order_id": "o-1", "customer_id": "c-1", "placed_at": "2026-11-20T10:00:00+05:30",
         "currency": "INR", "influencer_id": "inf-1", "lines": list(lines)}
    return o if version is None else {**o, "version": version}


@pytest.fixture
def attributor():
    return Attributor(Settings(env="dev"), ContractIndex(), {}, {}, {})


def test_a_removed_line_is_voided_and_the_order_counts_its_new_total(attributor):
    first = attributor.handle(order(1, LINE_A, LINE_B))
    edited = attributor.handle(order(2, LINE_A))
    assert counted(first) == Decimal("150.00") and counted(first + edited) == Decimal("100.00")
    [void] = [r for _, r in edited if r["kind"] == "refund_line"]
    assert (void["refund_id"], void["line_no"], void["amount"], void["refunded_at"]) == (
        "edit:o-1:2", 1, "50.00", "2026-11-20T10:00:00+05:30")  # on the order's own day


def test_an_added_line_is_appended_and_counts_the_brand_once(attributor):
    attributor.handle(order(1, LINE_A, LINE_B))
    edited = attributor.handle(order(2, LINE_A, LINE_B, LINE_C))
    lines = [r for _, r in edited if r["kind"] == "order_line"]
    assert [(r["line_no"], r["product"], r["counts_order"]) for r in lines] == [
        (0, "Whey", True), (1, "Fish oil", True), (2, "Creatine", False)]  # MuscleBlaze was already counted
    assert lines[2]["influencer_id"] == "inf-1" and lines[2]["rule"] == "explicit"
    assert counted(edited) == Decimal("180.00")


def test_a_changed_amount_voids_the_old_line_and_appends_the_new(attributor):
    attributor.handle(order(1, LINE_A, LINE_B))
    edited = attributor.handle(order(5, {**LINE_A, "quantity": 2, "revenue": "200.00"}, LINE_B))
    assert counted(edited) == Decimal("250.00")


def test_an_older_version_or_a_redelivery_changes_nothing(attributor):
    attributor.handle(order(1, LINE_A, LINE_B))
    after_edit = attributor.handle(order(3, LINE_A))
    assert attributor.handle(order(2, LINE_A, LINE_B, LINE_C)) == after_edit  # delivered late: older than 3
    assert attributor.handle(order(1, LINE_A, LINE_B)) == after_edit
    assert attributor.handle(order(3, LINE_A)) == after_edit
    assert attributor.handle(order(None, LINE_C)) == after_edit  # no version: version 0


def test_an_edit_after_a_partial_refund_voids_only_what_is_left(attributor):
    attributor.handle(order(1, LINE_A, LINE_B))
    refund = attributor.handle({"type": "refund", "refund_id": "r-1", "order_id": "o-1", "customer_id": "c-1",
                                "amount": "75.00", "refunded_at": "2026-11-21T10:00:00+05:30"})
    edited = attributor.handle(order(2, LINE_A))
    assert counted(refund + edited) == Decimal("50.00")  # A's 100 less the 50 of the refund split onto it
    voids = [r for _, r in edited if r.get("refund_id") == "edit:o-1:2"]
    assert [(r["line_no"], r["amount"]) for r in voids] == [(1, "25.00")]  # B had 50, 25 of it refunded


def test_a_refund_after_an_edit_is_split_over_the_live_lines_only(attributor):
    attributor.handle(order(1, LINE_A, LINE_B))
    attributor.handle(order(2, LINE_B, LINE_C))  # A voided, C appended
    records = attributor.handle({"type": "refund", "refund_id": "r-2", "order_id": "o-1", "customer_id": "c-1",
                                 "amount": "80.00", "refunded_at": "2026-11-22T10:00:00+05:30"})
    assert sorted((r["line_no"], r["amount"]) for _, r in records) == [(1, "50.00"), (2, "30.00")]
