"""Attribution state bounded by the refund horizon (services/attribution/retention.py), without servers."""
from datetime import datetime, timedelta, timezone

import pytest

from services.attribution.attributor import Attributor
from services.attribution.contracts import ContractIndex
from services.attribution.retention import DAY_S, Retention, never_seen
from services.common.events import InvalidEvent
from services.common.settings import Settings

T0 = datetime(2026, 1, 1, 12, tzinfo=timezone.utc)
HORIZON = 10


def at(days: float) -> str:
    return (T0 + timedelta(days=days)).isoformat()


def ts(days: float) -> float:
    return (T0 + timedelta(days=days)).timestamp()


def order(oid: str, days: float, customer: str = "c1", **kw) -> dict:
    return {"type": "order", "order_id": oid, "customer_id": customer, "placed_at": at(days), "currency": "INR",
            "influencer_id": "inf-a", "lines": [{"product": "p", "brand": "MuscleBlaze", "quantity": 1, "revenue": "100"}],
            **kw}


def refund(oid: str, days: float, rid: str = "r1") -> dict:
    return {"type": "refund", "refund_id": rid, "order_id": oid, "customer_id": "c1", "amount": "10", "refunded_at": at(days)}


class Worker:
    """The worker's order of calls: track, decide, and a sweep per partition after each batch."""

    def __init__(self) -> None:
        self.orders, self.pending, self.expiry = {}, {}, {}
        settings = Settings(refund_horizon_days=HORIZON)
        self.attributor = Attributor(settings, ContractIndex(), {}, self.orders, self.pending)
        self.retention = Retention(settings, self.orders, self.pending, self.expiry)

    def batch(self, events: list[dict], now_days: float, partition: int = 0) -> tuple[list, list]:
        """The events, then a click at ``now_days`` (a partition's clock is the broker time of what it reads)."""
        records = []
        tick = {"type": "click", "click_id": f"k{now_days}", "customer_id": "c9", "clicked_at": at(now_days),
                "influencer_id": "inf-a"}
        for e in [*events, tick]:
            self.retention.track(partition, e, ts(now_days))
            records += self.attributor.handle(e)
        return records, self.retention.sweep(partition)


def test_an_order_is_pruned_past_the_horizon_and_a_late_refund_is_dead_lettered_with_the_reason():
    w = Worker()
    w.batch([order("o1", 0)], now_days=0)
    w.batch([order("o2", 5)], now_days=5)
    assert w.batch([refund("o1", 9)], now_days=9)[0], "within the horizon a refund is split as always"
    w.batch([], now_days=HORIZON + 1.5)
    assert w.orders["o1"] == {"pruned_day": int(ts(0) // DAY_S)} and "lines" in w.orders["o2"]
    with pytest.raises(InvalidEvent) as refused:
        w.attributor.handle(refund("o1", HORIZON + 2, rid="r2"))
    assert refused.value.reason == "order_pruned" and "refund horizon" in str(refused.value)
    assert w.attributor.handle(order("o1", 0)) == [], "a retry of the pruned order re-sends nothing"
    with pytest.raises(InvalidEvent):
        w.attributor.handle(order("o1", 0, version=2))  # an edit cannot be applied either
    for day in range(HORIZON + 2, 2 * HORIZON + 4):  # a sweep takes a few filed days at a time: batch daily
        w.batch([], now_days=day)
    assert "o1" not in w.orders, "the tombstone goes one horizon after the pruning"


def test_an_order_from_years_of_history_has_a_whole_horizon_from_its_arrival_for_its_refunds():
    w = Worker()
    w.batch([order("imported", -5 * HORIZON)], now_days=0)
    assert w.batch([refund("imported", HORIZON - 1)], now_days=HORIZON - 1)[0], "an import's refunds come after its orders"
    w.batch([], now_days=HORIZON + 2)
    assert "pruned_day" in w.orders["imported"]


def test_a_refund_whose_order_never_comes_is_dead_lettered_after_the_horizon_and_a_newer_one_is_kept():
    w = Worker()
    w.batch([refund("gone", 1, "r-old")], now_days=1)
    w.batch([refund("gone", 8, "r-new")], now_days=8)
    _, expired = w.batch([], now_days=HORIZON + 2)
    assert [r["refund_id"] for r in expired] == ["r-old"]
    assert list(w.pending["gone"]) == ["r-new"]
    assert never_seen(expired[0], HORIZON).reason == "order_never_seen"
    _, expired = w.batch([], now_days=HORIZON + 9)
    assert [r["refund_id"] for r in expired] == ["r-new"] and "gone" not in w.pending


def test_partitions_are_pruned_by_their_own_clock():
    w = Worker()
    w.batch([order("a", 0, "c1")], now_days=0, partition=0)
    w.batch([order("b", 0, "c2")], now_days=0, partition=1)
    w.batch([], now_days=HORIZON + 2, partition=1)
    assert "lines" in w.orders["a"] and "pruned_day" in w.orders["b"]


def test_state_stays_flat_over_a_year_of_daily_orders():
    w = Worker()
    sizes = set()
    for day in range(365):
        w.batch([order(f"o{day}-{i}", day + 0.1 * i) for i in range(5)], now_days=day + 0.5)
        if day >= 2 * HORIZON + 2:  # warmed up: a horizon of orders and a horizon of tombstones
            live = sum(1 for state in w.orders.values() if "lines" in state)
            sizes.add((live, len(w.orders), len(w.expiry)))
    [(live, kept, filed)] = sizes
    # the orders that arrived in the last horizon and today, and as many tombstones (each kept one more horizon)
    assert live == 5 * (HORIZON + 1) and kept == 2 * live and filed <= HORIZON + 2
