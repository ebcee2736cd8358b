"""Progress: the aggregator writes each partition's events in offset order from where its facts end in Postgres,
whatever faust-streaming delivers: a redelivered event is skipped before any work, and an event past a hole
(offsets Faust never delivered, which its commit would then step over) is not written; the partition is sought
back and read again. This is the failure the fault suite caught (8–18 orders lost around a SIGKILL)."""
from __future__ import annotations

from types import SimpleNamespace

from faust.types import TP

from services.common import source_progress as p
from services.aggregator.progress import Progress

ATTR, CONTRACTS = TP("hk.attributions", 0), TP("hk.contracts", 0)


def events(tp, *offsets):
    return [SimpleNamespace(message=SimpleNamespace(tp=tp, topic=tp.topic, partition=tp.partition, offset=o))
            for o in offsets]


def offsets_of(todo):
    return [e.message.offset for e in todo.fresh]


def test_a_hole_is_not_written_and_the_partition_is_sought_back_then_read_on_from_it():
    progress = Progress("hk-aggregator", {"hk.attributions"})
    progress.next[ATTR] = 3  # stored in Postgres
    todo = progress.sort(events(ATTR, 3, 4, 7, 8))  # 5 and 6 never delivered (Faust's gap)
    assert offsets_of(todo) == [3, 4] and todo.holes == {ATTR: 5}
    assert todo.offsets == {("hk.attributions", 0): 5}  # stored with 3 and 4: never past the hole
    assert progress.to_seek(todo.holes) == {ATTR: 5}
    # what Faust had buffered past the hole arrives first: still not written, and not sought again at once
    again = progress.sort(events(ATTR, 9, 10))
    assert again.fresh == [] and again.offsets == {} and progress.to_seek(again.holes) == {}
    after_seek = progress.sort(events(ATTR, 5, 6, 7, 8, 9, 10))
    assert offsets_of(after_seek) == [5, 6, 7, 8, 9, 10] and after_seek.offsets == {("hk.attributions", 0): 11}


def test_a_partition_sought_back_whose_events_do_not_come_is_sought_again(monkeypatch):
    progress = Progress("hk-aggregator", {"hk.attributions"})
    progress.next[ATTR] = 5
    clock = [100.0]
    monkeypatch.setattr(p.time, "monotonic", lambda: clock[0])
    assert progress.to_seek(progress.sort(events(ATTR, 6)).holes) == {ATTR: 5}
    clock[0] += p.RESEEK_AFTER_S
    assert progress.to_seek(progress.sort(events(ATTR, 7)).holes) == {ATTR: 5}


def test_redelivered_events_are_skipped_before_any_work():
    progress = Progress("hk-aggregator", {"hk.attributions"})
    progress.next[ATTR] = 10
    todo = progress.sort(events(ATTR, 7, 8, 9, 10, 11))
    assert offsets_of(todo) == [10, 11] and todo.redelivered == {"hk.attributions": 3} and not todo.holes


def test_compacted_topics_have_holes_by_design():
    progress = Progress("hk-aggregator", {"hk.attributions"})
    progress.next[CONTRACTS] = 2
    todo = progress.sort(events(CONTRACTS, 5, 9))
    assert offsets_of(todo) == [5, 9] and todo.offsets == {("hk.contracts", 0): 10}


def test_a_partition_with_nothing_stored_starts_at_fausts_commit_or_its_first_event():
    progress = Progress("hk-aggregator", {"hk.attributions"})
    todo = progress.sort(events(ATTR, 4, 5), start_of={ATTR: 2}.get)
    assert todo.fresh == [] and todo.holes == {ATTR: 2}  # 2 and 3 were committed by nobody: read them
    fresh = Progress("hk-aggregator", {"hk.attributions"}).sort(events(ATTR, 0, 1))
    assert offsets_of(fresh) == [0, 1]


def test_a_revoked_partition_is_forgotten():
    progress = Progress("hk-aggregator", {"hk.attributions"})
    progress.next[ATTR] = 3
    progress.forget([ATTR])
    assert offsets_of(progress.sort(events(ATTR, 8))) == [8]


def test_a_quiet_partition_read_past_where_its_facts_end_is_a_hole_no_event_would_reveal(monkeypatch):
    progress = Progress("hk-aggregator", {"hk.attributions"})
    progress.next.update({ATTR: 10, CONTRACTS: 3})
    clock = [50.0]
    monkeypatch.setattr(p.time, "monotonic", lambda: clock[0])
    progress.sort(events(ATTR, 10))  # an event just arrived: its partition is not quiet
    assert progress.idle_behind({ATTR: 50, CONTRACTS: 9}) == {}  # (compacted topics have holes by design)
    clock[0] += 2
    assert progress.idle_behind({ATTR: 50, CONTRACTS: 9}) == {ATTR: 11}
    assert progress.idle_behind({ATTR: 11}) == {}  # read up to where the facts end: nothing missing
