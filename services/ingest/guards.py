"""What a request must pass before its events are looked at, as FastAPI dependencies: the API key, and a body
within the size, depth and count limits; the Shopify webhook's signature over its raw body. Each refuses with
refusal.Refused, so the endpoints hold only what happens to events that got through."""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable

from fastapi import Request

from ..common.settings import Settings
from .body import BodyTooLarge, TooManyObjects, parse, read_capped
from .refusal import Refused


def api_key(settings: Settings) -> Callable[[Request], Awaitable[bytes]]:
    digests = settings.api_key_digests()

    async def key(request: Request) -> bytes:
        """The digest of a valid bearer key (it also keys the rate limit)."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token:
            # compare the token's digest with every stored digest, always, in constant time
            digest = hashlib.sha256(token.encode()).digest()
            if any([hmac.compare_digest(digest, k) for k in digests]):
                return digest
        raise Refused(401, "send 'Authorization: Bearer <api key>' with a valid key", "Authorization",
                      {"WWW-Authenticate": "Bearer"})
    return key


async def capped_body(request: Request, settings: Settings) -> bytes:
    try:
        return await read_capped(request, settings.max_body_bytes)
    except BodyTooLarge:
        raise Refused(413, f"body larger than {settings.max_body_bytes} bytes; split it into smaller requests") from None


def event_batch(settings: Settings) -> Callable[[Request], Awaitable[list]]:
    async def events(request: Request) -> list:
        """One event object or a non-empty array of them, within the body's and the batch's limits."""
        body = await capped_body(request, settings)
        try:
            payload = parse(body)
        except TooManyObjects as exc:
            raise Refused(413, str(exc)) from None
        except (UnicodeDecodeError, ValueError) as exc:
            raise Refused(400, f"body is not valid UTF-8 JSON: {exc}") from None
        events = payload if isinstance(payload, list) else [payload]
        if not isinstance(payload, (list, dict)) or not events:
            raise Refused(400, "send one event object or a non-empty array of events")
        if len(events) > settings.max_batch_events:
            raise Refused(413, f"{len(events)} events in one request; send at most {settings.max_batch_events}")
        return events
    return events
