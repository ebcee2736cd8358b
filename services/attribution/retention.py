"""Attribution state bounded by the refund horizon (``HK_REFUND_HORIZON_DAYS``, 120 days by default).

An order's state is kept so that its refunds and edits can be split over its lines; past the horizon no refund
is expected, so the state is pruned, per partition, without scanning a table: every new order (and every refund
left waiting for its order) is filed under the day it arrived in small buckets of an ``expiry`` table, and each
batch sweeps its partitions' days older than the horizon. Days are broker time: the partition's clock is the
newest broker timestamp it has seen, so a replay prunes as the live run did, and an order imported from years
of history still has a whole horizon for its refunds (counted from when it was placed, an import's refunds
sent after its orders would all have been refused).

A pruned order leaves a small tombstone for one more horizon, so a refund or an edit that still comes for it is
dead-lettered with a reason that says so (``order_pruned``), not kept waiting for an order that will never
come; then the tombstone goes too. A refund that waited a whole horizon for its order is dead-lettered
(``order_never_seen``). Keys carry the partition: the memory store keeps all partitions in one mapping.
"""
from __future__ import annotations

from typing import MutableMapping

from ..common.events import FieldError, InvalidEvent
from ..common.metrics import ATTRIBUTION_PRUNED
from ..common.settings import Settings

DAY_S = 86_400
CHUNK = 200               # ids per bucket: a bucket is rewritten whole when an id is added
DAYS_PER_SWEEP = 3        # days with buckets swept per partition and batch: the sweep's cost stays small
EMPTY_DAYS_PER_SWEEP = 60


class Retention:
    def __init__(self, settings: Settings, orders: MutableMapping, pending: MutableMapping,
                 expiry: MutableMapping) -> None:
        self.horizon = settings.refund_horizon_days
        self.orders, self.pending, self.expiry = orders, pending, expiry
        self.clock: dict[int, float] = {}  # partition → the newest broker timestamp seen (s)

    def track(self, partition: int, event: dict, broker_ts: float) -> None:
        """Call before the event is decided: files a new order, or a refund its order is not here for."""
        self.clock[partition] = max(self.clock.get(partition, 0.0), broker_ts)
        today = int(broker_ts // DAY_S)
        if event["type"] == "order" and event["order_id"] not in self.orders:
            self._file(partition, today, ["o", event["order_id"]])
        elif event["type"] == "refund" and event["order_id"] not in self.orders:
            self._file(partition, today, ["p", event["order_id"], event["refund_id"]])

    def sweep(self, partition: int) -> list[dict]:
        """Prune what the partition filed before the horizon; returns the refunds whose order never came."""
        cursor, now = self.expiry.get(f"{partition}:cursor"), self.clock.get(partition)
        if cursor is None or now is None:
            return []
        cutoff, expired, busy, empty = int(now // DAY_S) - self.horizon, [], 0, 0
        while cursor < cutoff and busy < DAYS_PER_SWEEP and empty < EMPTY_DAYS_PER_SWEEP:
            chunks = self.expiry.pop(f"{partition}:{cursor}:n", 0)
            buckets = [self.expiry.pop(f"{partition}:{cursor}:{i}", None) for i in range(chunks + 1)]
            if any(buckets):
                busy += 1
            else:
                empty += 1
            for entry in (entry for bucket in buckets if bucket for entry in bucket):
                expired += self._expire(partition, cursor, cutoff, *entry)
            cursor += 1
        self.expiry[f"{partition}:cursor"] = cursor
        return expired

    def _expire(self, partition: int, day: int, cutoff: int, kind: str, key: str, refund_id: str = "") -> list[dict]:
        if kind == "o":
            state = self.orders.get(key)
            if state is None:
                return []
            if "pruned_day" in state:  # its second horizon is over: nothing is kept
                del self.orders[key]
                ATTRIBUTION_PRUNED.labels("tombstone").inc()
                return []
            self.orders[key] = {"pruned_day": day}
            self._file(partition, cutoff + self.horizon, ["o", key])  # today: swept again one horizon from now
            ATTRIBUTION_PRUNED.labels("order").inc()
            return []
        waiting = self.pending.get(key) or {}
        if refund_id not in waiting:  # its order came
            return []
        kept = {rid: r for rid, r in waiting.items() if rid != refund_id}
        if kept:
            self.pending[key] = kept
        else:
            del self.pending[key]
        ATTRIBUTION_PRUNED.labels("pending_refund").inc()
        return [waiting[refund_id]]

    def _file(self, partition: int, day: int, entry: list) -> None:
        cursor = self.expiry.get(f"{partition}:cursor")
        if cursor is None:
            self.expiry[f"{partition}:cursor"] = cursor = day
        day = max(day, cursor)  # a day already swept is filed under the next one swept
        n = self.expiry.get(f"{partition}:{day}:n", 0)
        bucket = [*(self.expiry.get(f"{partition}:{day}:{n}") or ()), entry]
        self.expiry[f"{partition}:{day}:{n}"] = bucket
        if len(bucket) >= CHUNK:
            self.expiry[f"{partition}:{day}:n"] = n + 1


def never_seen(refund: dict, horizon: int) -> InvalidEvent:
    return InvalidEvent("order_never_seen", [FieldError("order_id", (
        f"refund {refund['refund_id']} waited {horizon} days (HK_REFUND_HORIZON_DAYS) for order {refund['order_id']}, "
        "which never arrived; send the order and replay this refund"))])
