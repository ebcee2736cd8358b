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
from decimal import Decimal
from operator import attrgetter
from typing import Mapping, NamedTuple

from ..common.events import timestamp
from .contracts import ContractIndex
from .rules import CENT, click_influencer

MODELS = ("rules", "first_touch", "last_touch", "linear", "position_based", "time_decay")
CLICK_ORDER = attrgetter("at", "ref")
HALF_LIFE = timedelta(days=7)
SCALE = 10**12  # a whole order, in weights: shares are kept to 12 places


class Touch(NamedTuple):  # a tuple, not a frozen dataclass: made for every qualifying click of every order
    influencer_id: str
    at: datetime
    kind: str  # click | coupon | explicit
    ref: str = ""  # the click_id or the coupon's contract_id
    stamp: str = ""  # ``at`` as the event wrote it (kept with the order as it came: no formatting per order)


def touchpoints(order: dict, clicks: list[dict], contracts: ContractIndex, window: timedelta) -> list[Touch]:
    placed_at = timestamp(order["placed_at"])
    oldest, named = placed_at - window, order.get("click_id")
    touches: list[Touch] = []
    # a customer's clicks are kept oldest first (Attributor._click): read back from the newest, and stop at the
    # first one too old to have driven the order (a customer keeps up to 50, most of them past the window)
    for click in reversed(clicks):
        at = timestamp(click["clicked_at"])
        if at < oldest:
            break
        if at <= placed_at:  # not after the order
            _touch(touches, click, at, contracts)
    touches.reverse()
    if len(touches) > 1:
        touches.sort(key=CLICK_ORDER)  # already in time order but for ties, which go by click_id
    if named and not any(t.ref == named for t in touches):  # the click the order names counts at any age
        for click in clicks:  # (older than the window, so older than every touch above)
            if click["click_id"] == named and (at := timestamp(click["clicked_at"])) <= placed_at:
                _touch(touches, click, at, contracts)
                touches.insert(0, touches.pop())
    # what the customer typed at checkout comes last, at the order's own time: the coupon, then the explicit id
    stamp = order["placed_at"]
    if order.get("coupon_code"):
        contract = contracts.by_coupon(order["coupon_code"], placed_at)
        if contract:
            touches.append(Touch(contract["influencer_id"], placed_at, "coupon", contract["contract_id"], stamp))
    if order.get("influencer_id"):
        touches.append(Touch(order["influencer_id"], placed_at, "explicit", "", stamp))
    return touches


def _touch(touches: list[Touch], click: dict, at: datetime, contracts: ContractIndex) -> None:
    influencer = click_influencer(click, contracts)
    if influencer:
        touches.append(Touch(influencer, at, "click", click["click_id"], click["clicked_at"]))


def touch_weights(model: str, touches: list[Touch], placed_at: datetime, half_life: timedelta = HALF_LIFE) -> list[int]:
    """Each touch's weight under ``model``, in millionths of a millionth (``SCALE`` is the whole order): integers,
    so the shares go through JSON unchanged and ``split`` works in whole numbers. Only their proportions count."""
    n = len(touches)
    if n == 0:
        return []
    if model == "first_touch":
        return [SCALE] + [0] * (n - 1)
    if model == "last_touch":
        return [0] * (n - 1) + [SCALE]
    if model == "linear" or (model == "position_based" and n <= 2):
        return [SCALE // n] * n
    if model == "position_based":
        return [SCALE * 2 // 5] + [SCALE // 5 // (n - 2)] * (n - 2) + [SCALE * 2 // 5]
    if model == "time_decay":
        # 2^(-age / half-life), relative to the youngest touch (which weighs SCALE, so a sole touch however old
        # still takes everything); a float power rounded to 12 places: Decimal's fractional power cost 147 µs an
        # order, and IEEE doubles give the same weights anywhere
        hl = half_life.total_seconds()
        youngest = max(t.at for t in touches)
        return [round(2.0 ** (-(youngest - t.at).total_seconds() / hl) * SCALE) for t in touches]
    raise ValueError(f"unknown attribution model {model!r}; known: {', '.join(MODELS[1:])} (and rules)")


def shares(model: str, touches: list[Touch], placed_at: datetime, half_life: timedelta = HALF_LIFE) -> dict[str, int]:
    """Each influencer's weight (the sum of their touches'), in the order of their first touch."""
    out: dict[str, int] = {}
    for touch, weight in zip(touches, touch_weights(model, touches, placed_at, half_life), strict=True):
        out[touch.influencer_id] = out.get(touch.influencer_id, 0) + weight
    return {k: v for k, v in out.items() if v > 0}


def split(amount: Decimal, weights: Mapping[str, int]) -> dict[str, Decimal]:
    """``amount`` shared by ``weights`` in whole units of its own precision (cents for a cent amount), adding up
    to it exactly: each part rounded down, then the units left over go one each to the largest remainders (ties:
    the earlier key). Deterministic for the same inputs; in integers (a tenth of the Decimal version's cost)."""
    if not weights:
        return {}
    units, places = whole_units(amount)
    return {k: Decimal(v).scaleb(-places) for k, v in split_units(units, weights).items()}


def whole_units(amount: Decimal) -> tuple[int, int]:
    """``amount`` as a whole number of its own unit, and that unit's places: cents for an amount in cents, else
    0.0001 (NUMERIC(20,4)'s unit), rounded down."""
    places = 2 if amount == amount.quantize(CENT) else 4
    return int(amount.scaleb(places)), places


def split_units(units: int, weights: Mapping[str, int]) -> dict[str, int]:
    """``units`` shared by integer ``weights``: floors, then the leftover units to the largest remainders."""
    total = sum(weights.values())
    parts, remainders = {}, {}
    for k, w in weights.items():
        parts[k], remainders[k] = divmod(units * w, total)
    left = units - sum(parts.values())
    for k in sorted(remainders, key=remainders.__getitem__, reverse=True)[:left]:  # stable: ties keep key order
        parts[k] += 1
    return parts
