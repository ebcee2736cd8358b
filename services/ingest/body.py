"""Request bodies read within a size limit, and parsed only if parsing cannot stall the event loop.

The limit is counted while reading: a chunked body has no Content-Length, and the webhook must refuse a
400 MB body before it computes an HMAC over it (one such body took the ingest from 80 MB to 900 MB).
"""
from __future__ import annotations

from typing import Any

from starlette.requests import Request

from ..common.events import loads

# json.loads holds the GIL for its whole run (a thread would not keep the event loop free): what bounds the
# stall is the number of objects. 1 MiB of "{}," (349,000 empty order lines) took 104 ms to parse and
# 25 s to explain; a real batch of 1000 events under 1 MiB has well under 20,000 objects and arrays (4 ms to parse).
MAX_CONTAINERS = 20_000


class BodyTooLarge(Exception):
    pass


class TooManyObjects(Exception):
    def __str__(self) -> str:
        return (f"more than {MAX_CONTAINERS} JSON objects and arrays in one body (counting any '{{' or '[' in text); "
                "split it into smaller requests")


async def read_capped(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    size, chunks = 0, []
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def parse(body: bytes) -> Any:
    """JSON as ``events.loads`` reads it (Decimal money); ValueError for anything that is not JSON."""
    if body.count(b"{") + body.count(b"[") > MAX_CONTAINERS:  # an upper bound, counted at C speed before parsing
        raise TooManyObjects
    return loads(body)
