"""Spend rules without servers: post, order and revenue_share contracts, validity, precision."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from services.aggregator.spend import Source, accrue, applicable

T = datetime(2026, 3, 10, tzinfo=timezone.utc)


def contract(cid, basis, rate, start=T - timedelta(days=10), end=None, brand="MB"):
    return {"contract_id": cid, "influencer_id": "i", "brand": brand, "basis": basis, "rate": Decimal(rate),
            "valid_from": start, "valid_to": end}


def line(amount="1000", counts=True, kind="order_line", at=T):
    return Source(kind, "o1|0", "i", "MB", "instagram", at, date(2026, 3, 10), Decimal(amount), counts, "o1")


def test_post_basis_pays_the_rate_per_post_on_its_day():
    a = accrue(contract("c", "post", "5000"), Source("post", "p1", "i", "MB", "youtube", T, date(2026, 3, 9)))
    assert (a.source_kind, a.source_id, a.amount, a.day) == ("post", "p1", Decimal("5000"), date(2026, 3, 9))
    assert accrue(contract("c", "post", "5000"), line()) is None


def test_order_basis_pays_once_per_order_and_brand():
    c = contract("c", "order", "150")
    assert accrue(c, line(counts=True)).amount == Decimal("150")
    assert accrue(c, line(counts=True)).source_id == "o1|MB"
    assert accrue(c, line(counts=False)) is None


def test_revenue_share_follows_revenue_and_refunds_claw_back():
    c = contract("c", "revenue_share", "0.125")
    assert accrue(c, line("649.50")).amount == Decimal("81.1875")
    assert accrue(c, line("100", kind="refund_line")).amount == Decimal("-12.5")


def test_the_contract_valid_at_the_moment_applies_and_the_latest_start_wins():
    old = contract("old", "order", "100", start=T - timedelta(days=60), end=T - timedelta(days=1))
    new = contract("new", "order", "200", start=T - timedelta(days=1))
    newer = contract("newer", "order", "300", start=T - timedelta(hours=1))
    assert applicable([old, new, newer], line())["contract_id"] == "newer"
    assert applicable([old, new], line(at=T - timedelta(days=2)))["contract_id"] == "old"
    assert applicable([old], line()) is None  # valid_to is exclusive
    assert applicable([contract("x", "order", "1", brand="HK")], line()) is None
