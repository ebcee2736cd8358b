"""One bad record never stops the aggregator: a batch that fails is written again record by record, and
only the records that fail alone are dead-lettered, each with its reason.

Any exception counts, not only what Postgres refuses: a year-9999 time once raised OverflowError in the
day arithmetic, crashed the agent, and Faust acknowledged the batch as the agent unwound. An unreachable
Postgres is not the record's fault; ``write`` retries that in place and never raises it here.
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from .batch import Batch

log = logging.getLogger(__name__)

Member = tuple[Any, dict]  # (Faust event, decoded record)
Write = Callable[[Batch], Awaitable[Any]]
DeadLetter = Callable[[Any, Exception], Awaitable[None]]


def batch_of(members: list[Member], offsets: dict | None = None) -> Batch:
    batch = Batch(offsets=dict(offsets or {}))
    for _, record in members:
        batch.add(record)
    return batch


async def write_isolating(members: list[Member], write: Write, dead_letter: DeadLetter,
                          offsets: dict | None = None) -> list[Any]:
    """Write the members in one transaction, or each alone if that fails; returns the events written.
    Every member is either written or dead-lettered before this returns: nothing is left to ack unwritten.
    ``offsets`` (where the members end, per partition) are stored with the whole batch, or, after one-by-one
    writing, only once every member is written or its dead letter delivered: a crash in between re-reads
    them all, and the facts' natural keys make the rewrite a no-op."""
    try:
        await write(batch_of(members, offsets))
        return [event for event, _ in members]
    except Exception as exc:  # noqa: BLE001 — any failure of the batch: find the culprits one by one
        log.warning("batch of %d records failed (%s: %s); writing them one by one", len(members), type(exc).__name__, exc)
    written = []
    for event, record in members:
        try:
            await write(batch_of([(event, record)]))
            written.append(event)
        except Exception as exc:  # noqa: BLE001 — this record alone fails: it is the record's fault
            log.warning("record dead-lettered (%s: %s)", type(exc).__name__, exc)
            await dead_letter(event, exc)
    if offsets:
        await write(batch_of([], offsets))
    return written
