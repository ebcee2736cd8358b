"""Attribution rules, pure: which influencer an order belongs to, and how a refund splits over its lines.

Precedence (DESIGN.md): explicit → coupon → click → last_click; otherwise unattributed. The rule is
chosen per order (the influencer drove the basket); revenue is recorded per line, so each brand of a
mixed basket is credited with its own lines.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

from ..common.events import money, timestamp
from ..common.processable import DEFAULT_PLATFORMS
from ..common.settings import RULES
from .contracts import ContractIndex

PLATFORMS = frozenset(DEFAULT_PLATFORMS)  # which utm_source names a platform
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Decision:
    rule: str  # explicit | coupon | click | last_click | unattributed
    influencer_id: str | None = None
    contract_id: str | None = None
    click_id: str | None = None
    platform: str | None = None


def _platform(*candidates: str | None) -> str | None:
    for c in candidates:
        if c and c.lower() in PLATFORMS:
            return c.lower()
    return None


def click_influencer(click: dict, contracts: ContractIndex) -> str | None:
    if click.get("influencer_id"):
        return click["influencer_id"]
    contract = contracts.by_link(click["link_code"], timestamp(click["clicked_at"]))
    return contract["influencer_id"] if contract else None


def decide(order: dict, clicks: list[dict], contracts: ContractIndex, window: timedelta,
           precedence: tuple[str, ...] = RULES) -> Decision:
    """The first rule of ``precedence`` that credits the order (HK_ATTRIBUTION_PRECEDENCE; DESIGN.md's by default)."""
    placed_at = timestamp(order["placed_at"])
    for rule in precedence:
        decision = STEPS[rule](order, clicks, contracts, window, placed_at)
        if decision is not None:
            return decision
    return Decision("unattributed", platform=_platform(order.get("utm_source")))


def _explicit(order, clicks, contracts, window, placed_at) -> Decision | None:
    if order.get("influencer_id"):
        return Decision("explicit", order["influencer_id"], platform=_platform(order.get("utm_source")))
    return None


def _coupon(order, clicks, contracts, window, placed_at) -> Decision | None:
    contract = contracts.by_coupon(order["coupon_code"], placed_at) if order.get("coupon_code") else None
    if contract:
        return Decision("coupon", contract["influencer_id"], contract["contract_id"], platform=_platform(order.get("utm_source")))
    return None


def _click(order, clicks, contracts, window, placed_at) -> Decision | None:
    """The click the order names, at any age, if it came before the order (clicks after it never count)."""
    if not order.get("click_id"):
        return None
    named = next((c for c in clicks if c["click_id"] == order["click_id"] and timestamp(c["clicked_at"]) <= placed_at), None)
    influencer = click_influencer(named, contracts) if named else None
    if named and influencer:  # no influencer without a named click
        return Decision("click", influencer, click_id=named["click_id"], platform=_platform(named.get("source"), order.get("utm_source")))
    return None


def _last_click(order, clicks, contracts, window, placed_at) -> Decision | None:
    before = [c for c in clicks if timestamp(c["clicked_at"]) <= placed_at]
    for click in sorted(before, key=lambda c: timestamp(c["clicked_at"]), reverse=True):
        if placed_at - timestamp(click["clicked_at"]) > window:
            break
        influencer = click_influencer(click, contracts)
        if influencer:
            return Decision("last_click", influencer, click_id=click["click_id"],
                            platform=_platform(click.get("source"), order.get("utm_source")))
    return None


STEPS = {"explicit": _explicit, "coupon": _coupon, "click": _click, "last_click": _last_click}


def order_lines(order: dict, decision: Decision) -> list[dict]:
    """One record per line; ``counts_order`` marks the first line of each (influencer, brand) so an
    order is counted once per brand however many lines it has."""
    seen: set[str] = set()
    records = []
    for line_no, line in enumerate(order["lines"]):
        first = line["brand"] not in seen
        seen.add(line["brand"])
        records.append({
            "kind": "order_line", "order_id": order["order_id"], "line_no": line_no,
            "customer_id": order["customer_id"], "influencer_id": decision.influencer_id,
            "brand": line["brand"], "product": line["product"], "quantity": line["quantity"],
            "revenue": str(money(line["revenue"])), "placed_at": order["placed_at"], "rule": decision.rule,
            "contract_id": decision.contract_id, "click_id": decision.click_id,
            "platform": decision.platform, "counts_order": first,
        })
    return records


def split_refund(amount: Decimal, remaining: list[Decimal]) -> list[Decimal]:
    """Split a refund over lines in proportion to what each has left, never taking a line below zero.

    Cents are rounded down per line and the leftover cent goes to the lines that still have room,
    so the parts always add up to min(amount, sum(remaining)) exactly.
    """
    total = sum(remaining, Decimal(0))
    applied = min(amount, total)
    if applied <= 0:
        return [Decimal(0)] * len(remaining)
    parts = [(applied * r / total).quantize(CENT, rounding=ROUND_DOWN) for r in remaining]
    leftover = applied - sum(parts, Decimal(0))
    for i, r in enumerate(remaining):
        if leftover <= 0:
            break
        room = r - parts[i]
        take = min(room, leftover)
        parts[i] += take
        leftover -= take
    return parts
