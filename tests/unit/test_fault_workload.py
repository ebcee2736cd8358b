"""The fault suite's workload and its independently computed answer, checked on a hand-sized case."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from bench.workload import IST, Workload, expect, generate
from services.common.events import validate

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=IST)


def test_every_generated_event_is_valid_and_about_a_tenth_are_sent_twice():
    w = generate(5000, seed=3, now=NOW)
    for e in w.setup + w.unique:
        validate(e, "INR")
    assert len(w.unique) >= 5000 and len(w.events) == len(w.unique) + len(w.unique) // 10
    days = {datetime.fromisoformat(e.get("placed_at") or e.get("published_at") or e["refunded_at"]).date()
            for e in w.unique}
    assert min(days) <= (NOW - timedelta(days=35)).date() and max(days) <= NOW.date()  # up to 40 days late


def test_expectation_applies_bases_refunds_and_the_latest_snapshot():
    inf = {"type": "influencer", "influencer_id": "i1", "name": "x", "category": "Fitness", "platform": "youtube"}
    contract = lambda brand, basis, rate: {"type": "contract", "contract_id": f"i1-{brand}", "influencer_id": "i1",
                                            "brand": brand, "basis": basis, "rate": rate, "coupon_codes": [f"C{brand}".upper()]}
    setup = [inf, contract("MuscleBlaze", "order", "100"), contract("Gritzo", "revenue_share", "0.1"),
             contract("HKVitals", "post", "1000")]
    line = lambda brand, revenue: {"product": "p", "brand": brand, "quantity": 1, "revenue": revenue}
    at = "2026-03-19T10:00:00+05:30"
    events = [
        {"type": "order", "order_id": "o1", "customer_id": "c", "placed_at": at, "coupon_code": "cgritzo",
         "lines": [line("MuscleBlaze", "200.00"), line("Gritzo", "50.50")]},
        {"type": "order", "order_id": "o2", "customer_id": "c", "placed_at": at, "lines": [line("Gritzo", "10")]},  # unattributed
        {"type": "refund", "refund_id": "r1", "order_id": "o1", "amount": "250.50", "refunded_at": "2026-03-20T09:00:00+05:30"},
        {"type": "post", "post_id": "p1", "influencer_id": "i1", "brand": "HKVitals", "published_at": at,
         "observed_at": "2026-03-19T12:00:00+05:30", "reach": 10, "likes": 1, "comments": 0},
        {"type": "post", "post_id": "p1", "influencer_id": "i1", "brand": "HKVitals", "published_at": at,
         "observed_at": "2026-03-19T18:00:00+05:30", "reach": 30, "likes": 3, "comments": 1},
    ]
    x = expect(Workload(setup, events, events))
    d19, d20 = date(2026, 3, 19), date(2026, 3, 20)
    assert x.daily[(d19, "i1", "MuscleBlaze", "youtube")] == {"orders": 1, "revenue": Decimal("200.00"), "spend": Decimal(100),
                                                             "posts": 0, "reach": 0, "likes": 0, "comments": 0}
    assert x.daily[(d19, "i1", "Gritzo", "youtube")]["spend"] == Decimal("5.050")
    assert x.daily[(d20, "i1", "Gritzo", "youtube")]["revenue"] == Decimal("-50.50")
    assert x.daily[(d20, "i1", "Gritzo", "youtube")]["spend"] == Decimal("-5.050")
    assert x.daily[(d20, "i1", "MuscleBlaze", "youtube")]["spend"] == 0  # a refund does not return a per-order fee
    assert x.daily[(d19, "i1", "HKVitals", "youtube")] == {"orders": 0, "revenue": 0, "spend": Decimal(1000),
                                                               "posts": 1, "reach": 30, "likes": 3, "comments": 1}
    assert x.payouts == {"i1-MuscleBlaze": Decimal(100), "i1-Gritzo": Decimal(0), "i1-HKVitals": Decimal(1000)}
    assert (x.order_lines, x.refund_lines) == (3, 2)
    assert x.rolling(d20)[(7, "i1", "Gritzo")]["revenue"] == 0 and x.rolling(d19)[(7, "i1", "Gritzo")]["revenue"] == Decimal("50.50")
