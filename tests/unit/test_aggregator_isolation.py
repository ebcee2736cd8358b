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
