"""Order edits: a newer ``version`` of an order changes what the order counts, through the same natural keys as
everything else, so a replay or a redelivery never counts twice.

Lines are facts and never change. A line the new version no longer has (or has with another product, quantity
or amount) is voided by an adjustment of whatever it had left, recorded like a refund under the id
``edit:<order_id>:<version>`` and booked on the order's own day; a line the new version adds is appended under
the next line number. The influencer, rule and contract stay those decided when the order was first seen.
A version no newer than the one applied changes nothing; an order without ``version`` is version 0.
"""
from __future__ import annotations

from decimal import Decimal

from ..common.events import money

KEPT = ("kind", "order_id", "customer_id", "influencer_id", "placed_at", "rule", "contract_id", "click_id", "platform")


def refunded(state: dict, line_no: int) -> Decimal:
    """What the order's refunds and adjustments have taken from one line (a line added by an edit is newer than
    the refunds applied before it, whose parts do not reach it)."""
    return sum((Decimal(r["parts"][line_no]) for r in state["refunds"].values() if line_no < len(r["parts"])), Decimal(0))


def revise(state: dict, order: dict) -> dict:
    """The order's state as of ``order``'s version, or ``state`` itself when that version is not newer."""
    version = order.get("version", 0)
    if version <= state.get("version", 0):
        return state
    voided = set(state.get("voided", ()))
    unmatched = [line for line in state["lines"] if line["line_no"] not in voided]
    added = []
    for line in order["lines"]:
        same = next((kept for kept in unmatched if _same(kept, line)), None)
        if same is None:
            added.append(line)
        else:
            unmatched.remove(same)
    first, counted = state["lines"][0], {line["brand"] for line in state["lines"]}
    appended: list[dict] = []
    for line in added:
        appended.append({**{k: first.get(k) for k in KEPT}, "line_no": len(state["lines"]) + len(appended),
                         "brand": line["brand"], "product": line["product"], "quantity": line["quantity"],
                         "revenue": str(money(line["revenue"])), "counts_order": line["brand"] not in counted})
        counted.add(line["brand"])
    refunds = dict(state["refunds"])
    parts = [Decimal(0)] * len(state["lines"])
    for line in unmatched:
        parts[line["line_no"]] = money(line["revenue"]) - refunded(state, line["line_no"])
    if any(p > 0 for p in parts):
        refunds[f"edit:{first['order_id']}:{version}"] = {"refunded_at": first["placed_at"], "parts": [str(p) for p in parts]}
    return {**state, "lines": state["lines"] + appended, "refunds": refunds, "version": version,
            "voided": sorted(voided | {line["line_no"] for line in unmatched})}


def _same(kept: dict, line: dict) -> bool:
    return ((kept["product"], kept["brand"], kept["quantity"], money(kept["revenue"]))
            == (line["product"], line["brand"], line["quantity"], money(line["revenue"])))
