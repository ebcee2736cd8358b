"""Per-customer attribution state: recent clicks, each order's decision, refunds applied.

Works on any mutable mappings — Faust tables in the worker, plain dicts in unit tests. Every answer
is stored before it is emitted, so an event processed twice (at-least-once) re-emits the same records.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import MutableMapping

from ..common.events import FieldError, InvalidEvent, money, timestamp
from ..common.metrics import ATTRIBUTIONS, UNATTRIBUTED_ORDERS
from ..common.settings import Settings
from .contracts import ContractIndex
from .credits import credit_state, credits
from .models import touchpoints
from .revisions import refunded, revise
from .rules import decide, order_lines, split_refund

Record = tuple[str, dict]  # (message key, attribution record)


class Attributor:
    def __init__(self, settings: Settings, contracts: ContractIndex, customers: MutableMapping,
                 orders: MutableMapping, pending_refunds: MutableMapping) -> None:
        self.window = timedelta(days=settings.attribution_window_days)
        self.retention = timedelta(days=max(settings.click_retention_days, settings.attribution_window_days))
        self.max_clicks = settings.max_clicks_per_customer
        self.half_life = timedelta(days=settings.attribution_half_life_days)
        self.precedence = tuple(settings.attribution_precedence)
        self.models = settings.attribution_models
        self.contracts, self.customers, self.orders, self.pending = contracts, customers, orders, pending_refunds

    def handle(self, event: dict) -> list[Record]:
        return getattr(self, f"_{event['type']}")(event)

    def _click(self, click: dict) -> list[Record]:
        clicks = list(self.customers.get(click["customer_id"]) or [])
        if any(c["click_id"] == click["click_id"] for c in clicks):
            return []
        clicks.append({k: click.get(k) for k in ("click_id", "link_code", "influencer_id", "clicked_at", "source")})
        newest = max(timestamp(c["clicked_at"]) for c in clicks)
        kept = [c for c in clicks if newest - timestamp(c["clicked_at"]) <= self.retention]
        kept.sort(key=lambda c: timestamp(c["clicked_at"]))
        self.customers[click["customer_id"]] = kept[-self.max_clicks:]
        return []

    def _order(self, order: dict) -> list[Record]:
        state = self.orders.get(order["order_id"])
        if state is not None and "pruned_day" in state:  # past the refund horizon (retention.py)
            if order.get("version", 0) > 0:
                raise _pruned(order, state, "an edit")
            return []  # a retry of an order counted long ago: its records were delivered then
        if state is None:
            clicks = self.customers.get(order["customer_id"]) or []
            decision = decide(order, clicks, self.contracts, self.window, self.precedence)
            state = {"lines": order_lines(order, decision), "refunds": {}, "version": order.get("version", 0)}
            if self.models:
                touches = touchpoints(order, clicks, self.contracts, self.window)
                state |= credit_state(touches, timestamp(order["placed_at"]), self.half_life)
            self.orders[order["order_id"]] = state
            for line in state["lines"]:
                ATTRIBUTIONS.labels(line["rule"]).inc()
            if decision.rule == "unattributed":
                UNATTRIBUTED_ORDERS.inc()
        elif (revised := revise(state, order)) is not state:  # a newer version of the order: an edit
            state = self.orders[order["order_id"]] = revised
        waiting = self.pending.get(order["order_id"]) or {}
        for refund in waiting.values():
            state = self._apply(state, refund)
        if waiting:
            # dropped only once the refunds are stored on the order: a crash between the two keeps them
            del self.pending[order["order_id"]]
        # every refund the order holds is emitted again, not only the ones just applied: if this order is
        # processed a second time (the first run's records lost with a killed worker), they are re-sent too
        return [(_key(line), _line_record(state, line)) for line in state["lines"]] + [
            record for refund_id in state["refunds"] for record in _refund_records(state, refund_id)]

    def _refund(self, refund: dict) -> list[Record]:
        state = self.orders.get(refund["order_id"])
        if state is not None and "pruned_day" in state:
            raise _pruned(refund, state, "a refund")
        if state is None:  # the order has not arrived yet: keep the refund until it does
            waiting = dict(self.pending.get(refund["order_id"]) or {})
            # table values go through JSON: keep the amount as a decimal string, never a float
            waiting[refund["refund_id"]] = {**refund, "amount": str(money(refund["amount"]))}
            self.pending[refund["order_id"]] = waiting
            return []
        return _refund_records(self._apply(state, refund), refund["refund_id"])

    def _apply(self, state: dict, refund: dict) -> dict:
        """The order's state with this refund split over its lines, stored; a refund already applied is kept as it was."""
        if refund["refund_id"] in state["refunds"]:
            return state
        remaining = [money(line["revenue"]) - refunded(state, line["line_no"]) for line in state["lines"]]
        parts = split_refund(money(refund["amount"]), remaining)
        state = {**state, "refunds": {**state["refunds"], refund["refund_id"]: {
            "refunded_at": refund["refunded_at"], "parts": [str(p) for p in parts]}}}
        self.orders[refund["order_id"]] = state
        return state


def _line_record(state: dict, line: dict) -> dict:
    """The line as sent: with the order's touchpoints and its revenue credited under each model (credits.py)."""
    if "touchpoints" not in state:
        return line
    return {**line, "touchpoints": state["touchpoints"], "credits": credits(state, money(line["revenue"]))}


def _refund_records(state: dict, refund_id: str) -> list[Record]:
    applied = state["refunds"][refund_id]
    return [(_key(line), {"kind": "refund_line", "refund_id": refund_id, "line_no": line["line_no"],
                          "order_id": line["order_id"], "influencer_id": line["influencer_id"], "brand": line["brand"],
                          "amount": part, "refunded_at": applied["refunded_at"],
                          **({"credits": credits(state, Decimal(part))} if "touchpoints" in state else {})})
            for line, part in zip(state["lines"], applied["parts"], strict=False) if Decimal(part) > 0]


def _pruned(event: dict, state: dict, what: str) -> InvalidEvent:
    placed = (datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(days=state["pruned_day"])).date()
    return InvalidEvent("order_pruned", [FieldError("order_id", (
        f"order {event['order_id']} (received {placed.isoformat()}) is past the refund horizon "
        f"(HK_REFUND_HORIZON_DAYS): its state was pruned, so {what} cannot be applied to its lines; "
        "apply it by hand, or raise the horizon and replay the storefront topic"))])


def _key(line: dict) -> str:
    return line["influencer_id"] or f"unattributed:{line['brand']}"
