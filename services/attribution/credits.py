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

from .models import MODELS, Touch, shares, split

CREDITED = MODELS[1:]  # "rules" is the record's own influencer_id


def credit_state(touches: list[Touch], placed_at: datetime, half_life: timedelta) -> dict:
    """The part of an order's state the models need: its touchpoints and, where two influencers or more share
    them, each model's shares (as strings: table values go through JSON). Where one influencer holds every touch
    (most orders) every model gives them all of it, and nothing more is stored or worked out."""
    state: dict = {"touchpoints": [{"influencer_id": t.influencer_id, "at": t.at.isoformat(), "kind": t.kind}
                                   for t in touches]}
    if len({t.influencer_id for t in touches}) > 1:
        state["shares"] = {m: {i: str(w) for i, w in shares(m, touches, placed_at, half_life).items()}
                           for m in CREDITED}
    return state


def credits(state: dict, amount: Decimal) -> dict[str, dict[str, str]]:
    """``amount`` (a line's revenue or a refund's part of it) credited per model and influencer; {} for an order
    without touchpoints or stored before the models."""
    touches = state.get("touchpoints")
    if not touches:
        return {}
    stored = state.get("shares")
    if stored is None:  # one influencer holds every touch: all of it, under every model
        sole, whole = touches[0]["influencer_id"], str(amount)
        return dict.fromkeys(CREDITED, {sole: whole})  # one inner mapping for all five: records are read, never changed
    out = {}
    for model in CREDITED:
        parts = split(amount, {i: Decimal(w) for i, w in stored[model].items()})
        out[model] = {i: str(v) for i, v in parts.items() if v}
    return out
