"""The ROAS-drop decision for one (influencer, brand), pure: its 7-day window against the 7 days before, the
poor-ROAS threshold and the drop fraction, guarded by minimum spend and orders, resolved with hysteresis."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .thresholds import Thresholds


@dataclass(frozen=True)
class Window:
    revenue: Decimal
    spend: Decimal
    orders: int
    roas: Decimal | None  # as Postgres's ratio() gives it (4 places; NULL without spend): one rounding, the boards'


@dataclass(frozen=True)
class Verdict:
    action: str            # fire | resolve | none
    reason: str
    roas_now: Decimal | None
    roas_before: Decimal | None


def drop(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    if now is None or not before or before <= 0:
        return None
    return 1 - now / before


def evaluate(now: Window, before: Window, firing: bool, t: Thresholds) -> Verdict:
    r_now, r_before = now.roas, before.roas
    fell = drop(r_now, r_before)
    verdict = lambda action, reason: Verdict(action, reason, r_now, r_before)
    if not firing:
        if now.spend < t.min_spend or now.orders < t.min_orders or r_now is None:
            return verdict("none", "below the minimum spend or orders")
        if r_now < t.poor_roas:
            return verdict("fire", f"7-day ROAS {r_now} is below {t.poor_roas}")
        if fell is not None and fell >= t.drop_fraction:
            return verdict("fire", f"7-day ROAS fell {fell:.0%} (from {r_before} to {r_now})")
        return verdict("none", "healthy")
    if now.spend == 0:
        return verdict("resolve", "no spend left in the window")
    recovered = r_now is not None and r_now >= t.resolve_roas and (fell is None or fell < t.resolve_drop_fraction)
    return verdict("resolve", f"7-day ROAS recovered to {r_now}") if recovered else verdict("none", "still firing")
