"""One batch's view of the attribution tables (services/attribution/batch_state.py), without servers: the same
records and the same state as one event at a time, each key read and written once, to its event's partition,
and a failing event undone alone."""
from dataclasses import dataclass
from datetime import timedelta

import pytest

from services.attribution.attributor import Attributor
from services.attribution.batch_state import BatchState
from services.common.settings import Settings

from .attribution_events import at, click, order


class CountingTable(dict):
    """A table that records its reads, and the partition each write was bound to."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.reads, self.writes, self.bound = [], [], None

    def get(self, key, default=None):
        self.reads.append(key)
        return super().get(key, default)

    def __setitem__(self, key, value):
        self.writes.append((key, self.bound))
        super().__setitem__(key, value)

    def pop(self, key, default=None):
        self.writes.append((key, self.bound))
        return super().pop(key, default)


@dataclass
class Event:
    partition: int


def tables():
    return CountingTable(), CountingTable(), CountingTable()


def batch_state(tabs):
    def bind(event):
        for t in tabs:
            t.bound = event.partition
    return BatchState(*tabs, bind_to=bind)


def events():
    """A customer's clicks, two orders (one by its click, one by the last click), a refund before its order and
    the order after it, a refund of an order seen earlier, and a retry of each."""
    e = [dict(click("k1"), type="click", influencer_id="inf-a"),
         dict(click("k2", -timedelta(minutes=5)), type="click"),
         order(order_id="o1", click_id="k1"),
         order(order_id="o2", placed_at=at(timedelta(minutes=1))),
         {"type": "refund", "refund_id": "r3", "order_id": "o3", "customer_id": "cus", "amount": "50", "refunded_at": at(timedelta(hours=2))},
         order(order_id="o3", coupon_code="ALPHA10", lines=[
             {"product": "Whey", "brand": "MuscleBlaze", "quantity": 1, "revenue": "60"},
             {"product": "Gummies", "brand": "HKVitals", "quantity": 2, "revenue": "40"}]),
         {"type": "refund", "refund_id": "r1", "order_id": "o1", "customer_id": "cus", "amount": "1000", "refunded_at": at(timedelta(hours=3))}]
    return e + e[2:]


def test_a_batch_emits_and_stores_what_one_event_at_a_time_does(contracts):
    one = [{}, {}, {}]
    single = Attributor(Settings(), contracts, *one)
    expected = [r for e in events() for r in single.handle(e)]

    tabs = tables()
    state = batch_state(tabs)
    batched = Attributor(Settings(), contracts, *state.views)
    got = []
    for e in events():
        with state.deciding(Event(3)):
            got += batched.handle(e)
    written = state.flush()
    assert got == expected
    assert [dict(t) for t in tabs] == one
    assert {r[1]["rule"] for r in got if r[1]["kind"] == "order_line"} == {"click", "last_click", "coupon"}
    # each key read from its table once and written once, however many events touched it
    for t in tabs:
        assert len(t.reads) == len(set(t.reads))
        assert sorted(k for k, _ in t.writes) == sorted(set(k for k, _ in t.writes))
    assert written == sum(len(t.writes) for t in tabs) == 5  # customer, o1, o2, o3; the pending refund's key deleted
    assert all(partition == 3 for t in tabs for _, partition in t.writes)


def test_each_key_is_written_to_the_partition_of_the_event_that_changed_it_last(contracts):
    tabs = tables()
    state = batch_state(tabs)
    attributor = Attributor(Settings(), contracts, *state.views)
    with state.deciding(Event(1)):
        attributor.handle(order(order_id="o1", customer_id="c1"))
    with state.deciding(Event(4)):
        attributor.handle(order(order_id="o2", customer_id="c2"))
    with state.deciding(Event(4)):
        attributor.handle(order(order_id="o2", customer_id="c2"))  # a retry reads the batch's own write
    state.flush()
    assert sorted(tabs[1].writes) == [("o1", 1), ("o2", 4)]
    assert tabs[1].reads == ["o1", "o2"]


def test_a_failing_event_is_undone_alone_and_the_batch_goes_on(contracts):
    tabs = tables()
    tabs[1]["o0"] = {"lines": [], "refunds": {}, "version": 0}
    tabs[1].writes.clear()
    state = batch_state(tabs)
    attributor = Attributor(Settings(), contracts, *state.views)
    with state.deciding(Event(0)):
        attributor.handle(order(order_id="o1"))
    with pytest.raises(ZeroDivisionError):
        with state.deciding(Event(0)):
            attributor.handle(order(order_id="o2"))
            state.views[1]["o1"] = "clobbered"
            del state.views[1]["o0"]
            raise ZeroDivisionError("a bug this event triggers")
    with state.deciding(Event(0)):
        records = attributor.handle(order(order_id="o1"))  # sees o1 as the first event left it
    state.flush()
    assert [r["order_id"] for _, r in records] == ["o1"]
    assert set(tabs[1]) == {"o0", "o1"} and tabs[1]["o1"]["lines"][0]["order_id"] == "o1"
    assert [k for k, _ in tabs[1].writes] == ["o1"]
