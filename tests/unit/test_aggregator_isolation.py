"""A batch the aggregator cannot write is written record by record; only the records that fail alone are
dead-lettered, whatever they raise, and every record is written or dead-lettered before the call returns."""
import asyncio

import pytest

from services.aggregator.batch import Batch
from services.aggregator.isolation import write_isolating


def line(order_id: str) -> dict:
    return {"kind": "order_line", "order_id": order_id, "line_no": 0}


class Sink:
    """Stands in for one Postgres transaction per call: all of a batch is kept, or none of it."""

    def __init__(self, poison: dict[str, Exception]) -> None:
        self.poison, self.rows, self.calls = poison, [], 0

    async def write(self, batch: Batch) -> None:
        self.calls += 1
        ids = [r["order_id"] for r in batch.order_lines]
        for i in ids:
            if i in self.poison:
                raise self.poison[i]
        self.rows += ids


@pytest.mark.parametrize("error", [OverflowError("date value out of range"), KeyError("platform"),
                                   ValueError("CheckViolation"), ZeroDivisionError()])
def test_any_exception_dead_letters_only_the_record_that_raises_it(error):
    sink, dead = Sink({"bad": error}), []

    async def dead_letter(event, exc):
        dead.append((event, exc))

    members = [(f"e{i}", line(i)) for i in ("a", "bad", "b")]
    written = asyncio.run(write_isolating(members, sink.write, dead_letter))
    assert sink.rows == ["a", "b"] and written == ["ea", "eb"]
    assert dead == [("ebad", error)]


def test_a_good_batch_is_one_write():
    sink = Sink({})

    async def dead_letter(event, exc):
        raise AssertionError("nothing to dead-letter")

    written = asyncio.run(write_isolating([(f"e{i}", line(i)) for i in "abc"], sink.write, dead_letter))
    assert (sink.calls, sink.rows, written) == (1, ["a", "b", "c"], ["ea", "eb", "ec"])


def test_a_record_of_an_unknown_kind_is_dead_lettered_too():
    sink, dead = Sink({}), []

    async def dead_letter(event, exc):
        dead.append(event)

    written = asyncio.run(write_isolating([("e1", line("a")), ("e2", {"kind": "coupon"})], sink.write, dead_letter))
    assert (written, dead, sink.rows) == (["e1"], ["e2"], ["a"])


class OffsetSink(Sink):
    """Also keeps the offsets each committed transaction stored, in commit order."""

    def __init__(self, poison) -> None:
        super().__init__(poison)
        self.offsets = []

    async def write(self, batch: Batch) -> None:
        await super().write(batch)
        if batch.offsets:
            self.offsets.append((list(self.rows), dict(batch.offsets)))


def test_offsets_are_stored_with_a_whole_batch_or_after_its_last_record_is_written_or_dead_lettered():
    sink, dead, offsets = OffsetSink({"bad": ValueError("no")}), [], {("hk.attributions", 0): 13}

    async def dead_letter(event, exc):
        assert not sink.offsets, "offsets stored before a record's dead letter was delivered"
        dead.append(event)

    asyncio.run(write_isolating([(f"e{i}", line(i)) for i in ("a", "bad", "b")], sink.write, dead_letter, offsets))
    # the one-by-one writes store no offset: a crash among them re-reads the whole batch (its rewrite is a no-op)
    assert sink.offsets == [(["a", "b"], offsets)] and dead == ["ebad"]
    good = OffsetSink({})
    asyncio.run(write_isolating([("e1", line("a"))], good.write, dead_letter, offsets))
    assert good.offsets == [(["a"], offsets)] and good.calls == 1
