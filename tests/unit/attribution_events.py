"""The storefront events the attribution unit tests build: a contract, an order, a click and a refund around one
moment (T0), each with defaults a test overrides by keyword."""
from datetime import datetime, timedelta, timezone

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)
WEEK = timedelta(days=7)


def at(delta: timedelta = timedelta()) -> str:
    return (T0 + delta).isoformat()


def contract(cid="c1", influencer="inf-a", brand="MuscleBlaze", coupons=("ALPHA10",), links=("alpha",), **kw):
    return {"type": "contract", "contract_id": cid, "influencer_id": influencer, "brand": brand, "basis": "order",
            "rate": "100", "valid_from": at(-timedelta(days=30)), "valid_to": None,
            "coupon_codes": list(coupons), "link_codes": list(links), **kw}


def order(**kw):
    base = {"type": "order", "order_id": "o1", "customer_id": "cus", "placed_at": at(), "currency": "INR",
            "lines": [{"product": "Whey", "brand": "MuscleBlaze", "quantity": 1, "revenue": "1000"}]}
    return {**base, **kw}


def click(cid="k1", delta=-timedelta(hours=1), **kw):
    return {"click_id": cid, "customer_id": "cus", "clicked_at": at(delta), "link_code": kw.pop("link_code", "alpha"), **kw}


def refund(rid, amount, order_id="o1"):
    return {"type": "refund", "refund_id": rid, "order_id": order_id, "customer_id": "cus", "amount": amount,
            "refunded_at": at(timedelta(days=2))}
