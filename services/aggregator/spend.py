"""Spend rules, pure: which contract a fact accrues under, and how much.

- ``post``: the rate, once per post, on the post's publish day;
- ``order``: the rate, once per (order, brand) attributed to the influencer, on the order's day;
- ``revenue_share``: rate × line revenue on the order's day, and −rate × refunded amount on the refund's day.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal

from ..common.contract_terms import in_force

SPEND_QUANTUM = Decimal("0.0001")  # NUMERIC(20,4)


@dataclass(frozen=True)
class Source:
    """A fact that may cost money under a contract."""
    kind: str            # post | order_line | refund_line
    source_id: str
    influencer_id: str
    brand: str
    platform: str
    at: datetime         # decides which contract is valid: publish time, or the order's placed_at
    day: date            # the day the spend lands on
    amount: Decimal = Decimal(0)   # line revenue, or refunded amount
    counts_order: bool = False     # first line of its (order, brand)
    order_id: str | None = None


@dataclass(frozen=True)
class Accrual:
    source_kind: str
    source_id: str
    contract_id: str
    influencer_id: str
    brand: str
    platform: str
    day: date
    amount: Decimal


def applicable(contracts: list[dict], source: Source) -> dict | None:
    """The influencer's contract for the brand in force at the source's moment (contract_terms.py)."""
    mine = (c for c in contracts if c["influencer_id"] == source.influencer_id and c["brand"] == source.brand)
    return in_force(mine, source.at, lambda c: (c["valid_from"], c["valid_to"]))


def accrue(contract: dict | None, source: Source) -> Accrual | None:
    if contract is None:
        return None
    basis, rate = contract["basis"], Decimal(contract["rate"])
    if basis == "post" and source.kind == "post":
        kind, source_id, amount = "post", source.source_id, rate
    elif basis == "order" and source.kind == "order_line" and source.counts_order:
        kind, source_id, amount = "order", f"{source.order_id}|{source.brand}", rate
    elif basis == "revenue_share" and source.kind == "order_line":
        kind, source_id, amount = "order_line", source.source_id, rate * source.amount
    elif basis == "revenue_share" and source.kind == "refund_line":
        kind, source_id, amount = "refund_line", source.source_id, -rate * source.amount
    else:
        return None
    return Accrual(kind, source_id, contract["contract_id"], source.influencer_id, source.brand, source.platform,
                   source.day, amount.quantize(SPEND_QUANTUM, rounding=ROUND_HALF_EVEN))
