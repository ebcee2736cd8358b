"""Multi-touch attribution models, pure: an order's touchpoints, and how each model shares its revenue.

Touchpoints of an order, oldest first: every click before it within the attribution window that resolves to an
influencer (by its influencer_id or its link's contract), the click the order names (at any age, as the rules
take it), the coupon's influencer and the explicit influencer (both at the order's time). Touches at the same
instant are ordered click → coupon → explicit (what the customer typed at checkout closes the journey), then
by reference, so the order never depends on arrival.

Models share an amount over the touches (``touch_weights``), then per influencer (an influencer touched twice
holds both shares); ``split`` turns shares into money that adds up to the amount exactly. Conventions follow
Snowplow's dbt attribution package (one touch: all of it; two: 50/50 for position-based; three or more: 40 %
first, 40 % last, 20 % shared by the middle) and Google's time decay (a 7-day half-life by default).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import NamedTuple

from ..common.events import timestamp
from .contracts import ContractIndex
from .rules import CENT, click_influencer

MODELS = ("rules", "first_touch", "last_touch", "linear", "position_based", "time_decay")
KIND_ORDER = {"click": 0, "coupon": 1, "explicit": 2}
HALF_LIFE = timedelta(days=7)
FINEST = Decimal("0.0001")
WEIGHT = Decimal("1e-12")  # NUMERIC(20,4): the finest amount the tables hold


class Touch(NamedTuple):  # a tuple, not a frozen dataclass: made for every qualifying click of every order
    influencer_id: str
    at: datetime
    kind: str  # click | coupon | explicit
    ref: str = ""  # the click_id or the coupon's contract_id


def touchpoints(order: dict, clicks: list[dict], contracts: ContractIndex, window: timedelta) -> list[Touch]:
    placed_at = timestamp(order["placed_at"])
    touches = []
    for click in clicks:
        at = timestamp(click["clicked_at"])
        named = click["click_id"] == order.get("click_id")
        if at > placed_at or (placed_at - at > window and not named):
            continue  # after the order, or too old to have driven it
        influencer = click_influencer(click, contracts)
        if influencer:
            touches.append(Touch(influencer, at, "click", click["click_id"]))
    if order.get("coupon_code"):
        contract = contracts.by_coupon(order["coupon_code"], placed_at)
        if contract:
            touches.append(Touch(contract["influencer_id"], placed_at, "coupon", contract["contract_id"]))
    if order.get("influencer_id"):
        touches.append(Touch(order["influencer_id"], placed_at, "explicit"))
    return sorted(touches, key=lambda t: (t.at, KIND_ORDER[t.kind], t.ref))


def touch_weights(model: str, touches: list[Touch], placed_at: datetime, half_life: timedelta = HALF_LIFE) -> list[Decimal]:
    """Each touch's share of the order under ``model`` (they add up to 1, up to Decimal's 28 digits)."""
    n = len(touches)
    if n == 0:
        return []
    if model == "first_touch":
        return [Decimal(1)] + [Decimal(0)] * (n - 1)
    if model == "last_touch":
        return [Decimal(0)] * (n - 1) + [Decimal(1)]
    if model == "linear":
        return [Decimal(1) / n] * n
    if model == "position_based":
        if n <= 2:
            return [Decimal(1) / n] * n
        middle = Decimal("0.2") / (n - 2)
        return [Decimal("0.4")] + [middle] * (n - 2) + [Decimal("0.4")]
    if model == "time_decay":
        # a float power rounded to 12 places: Decimal's fractional power cost 147 µs an order (40x the rules);
        # the split below makes the money exact whatever the weights, and 12 places keep them the same anywhere
        hl = half_life.total_seconds()
        raw = [Decimal(2.0 ** (-(placed_at - t.at).total_seconds() / hl)).quantize(WEIGHT) for t in touches]
        total = sum(raw, Decimal(0))
        return [w / total for w in raw]
    raise ValueError(f"unknown attribution model {model!r}; known: {', '.join(MODELS[1:])} (and rules)")


def shares(model: str, touches: list[Touch], placed_at: datetime, half_life: timedelta = HALF_LIFE) -> dict[str, Decimal]:
    """Each influencer's share, in the order of their first touch."""
    out: dict[str, Decimal] = {}
    for touch, weight in zip(touches, touch_weights(model, touches, placed_at, half_life)):
        out[touch.influencer_id] = out.get(touch.influencer_id, Decimal(0)) + weight
    return {k: v for k, v in out.items() if v > 0}


def split(amount: Decimal, weights: dict[str, Decimal]) -> dict[str, Decimal]:
    """``amount`` shared by ``weights`` in whole units of its own precision (cents for a cent amount), adding up
    to it exactly: each part rounded down, then the units left over go one each to the largest remainders (ties:
    the earlier key). Deterministic for the same inputs."""
    if not weights:
        return {}
    unit = CENT if amount == amount.quantize(CENT) else FINEST
    total = sum(weights.values(), Decimal(0))
    exact = {k: amount * w / total for k, w in weights.items()}
    parts = {k: v.quantize(unit, rounding=ROUND_FLOOR) for k, v in exact.items()}
    left = int((amount - sum(parts.values(), Decimal(0))) / unit)
    order = sorted(exact, key=lambda k: -(exact[k] - parts[k]))  # stable: ties keep the earlier key first
    for k in order[:left]:
        parts[k] += unit
    return parts
