"""Failures of the infrastructure, not of the event: retry them, and never dead-letter a good event for them.

A poison event is the event's fault and goes to the dead-letter topic. A broker that is away, a
changelog topic not yet in the metadata, or a socket reset is nobody's fault: the event is retried in
place, and if that keeps failing the worker exits so its supervisor restarts it from the last committed
offset (the same path as a SIGKILL, which the fault suite proves loses nothing).
"""
from __future__ import annotations

import asyncio
import logging
import os
from typing import Awaitable, Callable, TypeVar

import aiokafka.errors
import faust.exceptions

log = logging.getLogger(__name__)
T = TypeVar("T")

TRANSIENT = (aiokafka.errors.KafkaError, faust.exceptions.FaustError, OSError, asyncio.TimeoutError)
DELAYS_S = (0.5, 1, 2, 4, 8, 15)
EXIT_CODE = 75  # EX_TEMPFAIL: "try again later", for the supervisor


async def retrying(what: str, attempt: Callable[[], Awaitable[T]], delays=DELAYS_S) -> T:
    for delay in (*delays, None):
        try:
            return await attempt()
        except TRANSIENT as exc:
            if delay is None:
                log.critical("%s still failing after %d retries (%r): exiting for a restart from the last commit",
                             what, len(delays), exc)
                logging.shutdown()
                os._exit(EXIT_CODE)  # no clean shutdown: it could commit offsets past the failing event
            log.warning("%s failed (%r); retrying in %.1fs", what, exc, delay)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")



async def finish(work: Awaitable[T]) -> T:
    """Await ``work`` to its end even if the agent is cancelled meanwhile (a worker stopping, a rebalance).

    Faust acks the event an agent holds when the agent unwinds (``finally`` in its stream iterator and in
    ``take_events``), and the shutdown commits acked offsets: an event whose work stopped halfway would be
    committed unprocessed. So the work completes first; then the cancellation goes on."""
    task = asyncio.ensure_future(work)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        if not task.done():
            log.info("stopping: finishing the event in hand first")
            await task
        raise
