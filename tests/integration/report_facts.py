"""The hand-worked reporting dataset (influencers, contracts, facts, refunds, a late line) and the builders of its records."""
from __future__ import annotations

from datetime import date, timedelta

from services.aggregator.batch import Batch, Calendar

TZ = "Asia/Kolkata"
T = Calendar(TZ).today()


def day(n: int) -> date:
    return T - timedelta(days=n)


def at(n: int, hour: int = 12) -> str:
    return f"{day(n).isoformat()}T{hour:02d}:00:00+05:30"


def line(order: str, influencer: str | None, brand: str, revenue: str, n: int, rule: str = "explicit", line_no: int = 0):
    return {"kind": "order_line", "order_id": order, "line_no": line_no, "customer_id": f"cus-{order}",
            "influencer_id": influencer, "brand": brand, "product": f"{brand} item", "quantity": 1, "revenue": revenue,
            "placed_at": at(n), "rule": rule, "contract_id": None, "click_id": None, "platform": None, "counts_order": True}


def refund(refund_id: str, order: str, influencer: str, brand: str, amount: str, n: int):
    return {"kind": "refund_line", "refund_id": refund_id, "line_no": 0, "order_id": order, "influencer_id": influencer,
            "brand": brand, "amount": amount, "refunded_at": at(n, 15)}


def post(post_id: str, influencer: str, platform: str, brand: str, n: int, reach: int, likes: int, comments: int):
    return {"type": "post", "post_id": post_id, "influencer_id": influencer, "platform": platform, "brand": brand,
            "url": f"https://{platform}.example/{post_id}", "published_at": at(n, 9), "reach": reach, "likes": likes,
            "comments": comments, "observed_at": at(0, 1)}


def contract(cid: str, influencer: str, brand: str, basis: str, rate: str, valid_to: str | None = None):
    return {"type": "contract", "contract_id": cid, "influencer_id": influencer, "brand": brand, "basis": basis,
            "rate": rate, "valid_from": at(60, 0), "valid_to": valid_to, "coupon_codes": [], "link_codes": []}


INFLUENCERS = [{"type": "influencer", "influencer_id": i, "name": n, "category": c, "platform": p, "follower_count": f}
               for i, n, c, p, f in [("A", "alpha", "Fitness", "instagram", 1000), ("B", "beta", "Yoga", "youtube", 2000),
                                     ("C", "gamma", "Fitness", "twitter", 3000), ("D", "delta", "Nutrition", "instagram", 4000),
                                     ("E", "eps", "Wellness", "youtube", 5000)]]
CONTRACTS = [contract("A-mb", "A", "MuscleBlaze", "order", "100"),
             contract("B-hk", "B", "HKVitals", "post", "1000", valid_to=at(5, 0)),
             contract("C-mb", "C", "MuscleBlaze", "revenue_share", "0.1"),
             contract("E-gz", "E", "Gritzo", "post", "500")]
FACTS = [post("b1", "B", "youtube", "HKVitals", 10, 10000, 90, 10), post("b2", "B", "youtube", "HKVitals", 2, 5000, 140, 10),
         post("e1", "E", "youtube", "Gritzo", 1, 0, 0, 0),
         line("a1", "A", "MuscleBlaze", "300", 0), line("a2", "A", "MuscleBlaze", "300", 3),
         line("bo1", "B", "HKVitals", "2000", 10), line("c1", "C", "MuscleBlaze", "1000", 1),
         line("c2", "C", "MuscleBlaze", "500", 1), line("d1", "D", "Gritzo", "1000", 2),
         line("eo1", "E", "Gritzo", "400", 1), line("u1", None, "MuscleBlaze", "999", 0, rule="unattributed")]
REFUNDS = [refund("r1", "c1", "C", "MuscleBlaze", "400", 0), refund("r2", "c2", "C", "MuscleBlaze", "500", 0)]
LATE = [line("c3", "C", "MuscleBlaze", "800", 40)]


def batch(records) -> Batch:
    b = Batch()
    for r in records:
        b.add(r)
    return b
