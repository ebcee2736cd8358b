"""OffsetGuard: a worker whose stream skips offsets exits before anything past the hole is acknowledged."""
from __future__ import annotations

import asyncio
from collections import defaultdict
from types import SimpleNamespace

from faust.types import TP as TopicPartition

import pytest

from services.common import offset_guard
from services.common.offset_guard import OffsetGuard


class Signal:
    def __init__(self):
        self.receivers = []

    def connect(self, fn):
        self.receivers.append(fn)


class Consumer:
    def __init__(self, committed=None, earliest=0):
        self._committed_offset = defaultdict(lambda: None, committed or {})
        self.earliest = earliest

    async def earliest_offsets(self, *tps):
        return {tp: self.earliest for tp in tps}


TP = TopicPartition("hk.storefront", 1)


def message(offset, topic="hk.storefront"):
    return SimpleNamespace(topic=topic, tp=TP if topic == TP.topic else TopicPartition(topic, 0), offset=offset)


@pytest.fixture
def exits(monkeypatch):
    codes = []

    def fake_exit(code):
        codes.append(code)
        raise SystemExit(code)
    monkeypatch.setattr(offset_guard.os, "_exit", fake_exit)
    return codes


def guard(committed=None, earliest=0):
    app = SimpleNamespace(on_partitions_revoked=Signal(), consumer=Consumer(committed, earliest))
    return OffsetGuard(app, {"hk.storefront"}), app


def feed(g, *offsets, topic="hk.storefront"):
    for o in offsets:
        asyncio.run(g.check(message(o, topic)))


def test_consecutive_offsets_and_redeliveries_pass(exits):
    g, _ = guard({TP: 10})
    feed(g, 10, 11, 12, 11, 12, 13)  # a redelivery (after a seek back) is processed again, idempotently
    assert exits == []


def test_a_hole_after_the_last_event_stops_the_worker(exits):
    g, _ = guard({TP: 10})
    feed(g, 10, 11)
    with pytest.raises(SystemExit):
        feed(g, 19)
    assert exits == [offset_guard.EXIT_CODE]


def test_a_first_event_past_the_committed_offset_stops_the_worker(exits):
    g, _ = guard({TP: 1805})
    with pytest.raises(SystemExit):
        feed(g, 1813)


def test_offsets_deleted_by_retention_are_not_a_hole(exits):
    g, _ = guard({TP: 100}, earliest=500)
    feed(g, 500, 501)
    assert exits == []


def test_a_revoked_partition_starts_again_from_its_commit(exits):
    g, app = guard({TP: 10})
    feed(g, 10, 11)
    asyncio.run(app.on_partitions_revoked.receivers[0](app, {TP}))
    app.consumer._committed_offset[TP] = 40  # another worker went on meanwhile
    feed(g, 40)
    assert exits == []


def test_other_topics_and_an_unknown_commit_are_not_checked(exits):
    g, _ = guard()
    feed(g, 7)                           # no commit yet: nothing to compare the first event with
    feed(g, 3, 90, topic="hk.contracts")  # compacted: holes are normal
    assert exits == []
