"""What an order's attribution keeps for the multi-touch models, and the credits its records carry.

An order's touchpoints and each model's shares are decided once, when the order is first seen, and stored with
its state (as the rule is): an edit, a refund or a re-sent record is credited by the same shares, so every record
of an order splits the same way and a record sent twice carries the same credits. The credits themselves are
worked out when a record is built (``split`` is exact and deterministic), which keeps the stored state small.
Records of orders stored before the models existed carry none.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from .models import MODELS, Touch, shares, split, whole_units

CREDITED = MODELS[1:]  # "rules" is the record's own influencer_id


def credit_state(touches: list[Touch], placed_at: datetime, half_life: timedelta) -> dict:
    """The part of an order's state the models need: its touchpoints and, where two influencers or more share
    them, each model's shares (integer weights: table values go through JSON). Where one influencer holds every touch
    (most orders) every model gives them all of it, and nothing more is stored or worked out."""
    state: dict = {"touchpoints": [{"influencer_id": t.influencer_id, "at": t.stamp or t.at.isoformat(), "kind": t.kind}
                                   for t in touches]}
    if any(t.influencer_id != touches[0].influencer_id for t in touches):
        state["shares"] = {m: shares(m, touches, placed_at, half_life) for m in CREDITED}
    return state


def credits(state: dict, amount: Decimal) -> dict[str, dict[str, str]]:
    """``amount`` (a line's revenue or a refund's part of it) credited per model and influencer; {} for an order
    without touchpoints or stored before the models. The mappings returned may be shared between models:
    records are read, never changed."""
    touches = state.get("touchpoints")
    if not touches:
        return {}
    stored = state.get("shares")
    if stored is None:  # one influencer holds every touch: all of it, under every model
        return dict.fromkeys(CREDITED, {touches[0]["influencer_id"]: _whole(amount)})
    out: dict[str, dict[str, str]] = {}
    done: dict[tuple, dict[str, str]] = {}  # models with the same shares (linear and position-based for two)
    for model in CREDITED:
        weights = stored[model]
        key = tuple(weights.items())
        if key not in done:
            if len(weights) == 1:  # first and last touch: no split to work out
                done[key] = {key[0][0]: _whole(amount)}
            else:
                done[key] = {i: str(v) for i, v in split(amount, weights).items() if v}
        out[model] = done[key]
    return out


def _whole(amount: Decimal) -> str:
    """``amount`` as ``split`` gives it to a sole influencer, without working out a split."""
    units, places = whole_units(amount)
    return str(Decimal(units).scaleb(-places))
