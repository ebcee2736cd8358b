"""services/common/infrastructure.finish: an agent cancelled mid-event completes that event first."""
from __future__ import annotations

import asyncio

import pytest

from services.common.infrastructure import finish


def cancel_midway(wrap) -> list[str]:
    done: list[str] = []

    async def work() -> None:
        await asyncio.sleep(0.05)
        done.append("written")

    async def agent() -> None:
        await wrap(work())

    async def main() -> None:
        task = asyncio.create_task(agent())
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    return done


def test_a_cancelled_agent_finishes_the_event_in_hand_then_stops():
    assert cancel_midway(finish) == ["written"]


def test_without_it_the_cancellation_cuts_the_work_short():
    # the hazard finish() exists for: Faust would ack (and then commit) this event although nothing was written
    assert cancel_midway(lambda aw: aw) == []


def test_the_result_and_errors_of_the_work_come_through():
    async def fails():
        raise ValueError("bad")
    assert asyncio.run(finish(asyncio.sleep(0, result=7))) == 7
    with pytest.raises(ValueError):
        asyncio.run(finish(fails()))
