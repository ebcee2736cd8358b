"""``hk ingest``: POST /v1/events → Kafka, all-or-nothing, 202 only after acks=all."""
from __future__ import annotations

import hashlib
import hmac
import math
import time
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..common.events import EVENT_TYPES, MAX_DEPTH, too_deep
from ..common.metrics import INGEST_EVENTS, INGEST_PRODUCE_SECONDS, INGEST_REQUESTS
from ..common.settings import Settings
from .openapi_doc import EVENTS_RESPONSES, SHOPIFY_DESCRIPTION, SHOPIFY_RESPONSES, events_request
from .admission import Admitter
from .backpressure import LagGuard
from .body import BodyTooLarge, TooManyObjects, parse, read_capped
from .producer import BrokerUnavailable, EventProducer
from .rate_limit import RateLimiter
from .shopify import ShopifyPayloadError, to_events, verified


def create_app(settings: Settings, producer: EventProducer | None = None) -> FastAPI:
    digests = settings.api_key_digests()
    limiter = RateLimiter(settings.rate_limit_events_s, settings.rate_limit_burst)
    secret = settings.shopify_webhook_secret.get_secret_value().encode() if settings.shopify_webhook_secret else None
    producer = producer or EventProducer(settings)
    guard = LagGuard(settings)
    admitter = Admitter(settings)
    inflight = [0]  # requests waiting on Kafka now (one event loop: no lock needed)
    for status in ("500", "503"):  # present from the start: rate() misses the first increase of a new series
        INGEST_REQUESTS.labels(status)

    @asynccontextmanager
    async def lifespan(_app):
        guard.start()
        yield
        guard.close()
        producer.close()

    app = FastAPI(title="Influencer attribution ingest", version="1", lifespan=lifespan,
                  description="Storefronts and social collectors post events here; see schemas/ for each event.")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # the framework's own refusals (unknown path, wrong method) in the same shape as ours
        allowed = f"; this path accepts {exc.headers['Allow']}" if exc.headers and "Allow" in exc.headers else ""
        return refuse(exc.status_code, f"{request.method} {request.url.path}: {exc.detail}{allowed}", headers=exc.headers)
    _declare_bearer_auth(app)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # a bug answers 500 in the one error shape and is counted like every answer (the availability SLO);
        # Starlette logs the traceback after this reply
        return refuse(500, "internal error: take nothing in this request as accepted and send it again")

    def reply(status: int, body: dict, headers: dict | None = None) -> JSONResponse:
        INGEST_REQUESTS.labels(str(status)).inc()
        return JSONResponse(body, status_code=status, headers=headers)

    def refuse(status: int, message: str, field: str = "", headers: dict | None = None) -> JSONResponse:
        """A refusal of the whole request, in the one error shape every answer uses."""
        return reply(status, {"errors": [{"index": None, "field": field, "message": message}]}, headers)

    def too_large() -> JSONResponse:
        return refuse(413, f"body larger than {settings.max_body_bytes} bytes; split it into smaller requests")

    def key_digest(request: Request) -> bytes | None:
        """The digest of a valid bearer key (it also keys the rate limit), or None."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        # compare the token's digest with every stored digest, always, in constant time
        digest = hashlib.sha256(token.encode()).digest()
        return digest if any([hmac.compare_digest(digest, k) for k in digests]) else None

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict:  # async: a sync handler would wait for a thread-pool hop
        return {"status": "ok", "service": "ingest"}

    @app.post("/v1/events", status_code=202, tags=["events"], openapi_extra=events_request(settings.currency, settings.max_order_lines, settings.platforms), responses=EVENTS_RESPONSES)
    async def post_events(request: Request) -> JSONResponse:
        key = key_digest(request)
        if key is None:
            return refuse(401, "send 'Authorization: Bearer <api key>' with a valid key", "Authorization",
                          {"WWW-Authenticate": "Bearer"})
        try:
            body = await read_capped(request, settings.max_body_bytes)
            payload = parse(body)
        except BodyTooLarge:
            return too_large()
        except TooManyObjects as exc:
            return refuse(413, str(exc))
        except (UnicodeDecodeError, ValueError) as exc:
            return refuse(400, f"body is not valid UTF-8 JSON: {exc}")
        events = payload if isinstance(payload, list) else [payload]
        if not isinstance(payload, (list, dict)) or not events:
            return refuse(400, "send one event object or a non-empty array of events")
        if len(events) > settings.max_batch_events:
            return refuse(413, f"{len(events)} events in one request; send at most {settings.max_batch_events}")
        wait = limiter.take(key, len(events))
        if wait == math.inf:
            return refuse(413, f"{len(events)} events exceed this key's burst of {settings.rate_limit_burst}; split the request")
        if wait:
            return refuse(429, f"over {settings.rate_limit_events_s:g} events/s for this key; retry after {wait:g} s, "
                          "or send fewer events per second", headers={"Retry-After": str(max(1, math.ceil(wait)))})
        return await accept(events, 202)

    async def accept(events: list, success: int) -> JSONResponse:
        """Validate every event as the workers will read it, then send them all (acks=all) or none."""
        admitted = await admitter.admit(events)
        if admitted.errors:
            for e in events:
                INGEST_EVENTS.labels(_type(e), "rejected").inc()
            return reply(422, {"errors": admitted.errors})
        events = admitted.events  # as they go on the topics: amounts at the currency's scale
        if refusal := overloaded():
            for e in events:
                INGEST_EVENTS.labels(e["type"], "failed").inc()
            return refuse(503, refusal[0], headers={"Retry-After": refusal[1]})
        started = time.perf_counter()
        inflight[0] += 1
        try:
            await producer.send_all(events)
        except BrokerUnavailable as exc:
            for e in events:
                INGEST_EVENTS.labels(e["type"], "failed").inc()
            return refuse(503, str(exc), headers={"Retry-After": "5"})
        finally:
            inflight[0] -= 1
        INGEST_PRODUCE_SECONDS.observe(time.perf_counter() - started)
        for e in events:
            INGEST_EVENTS.labels(e["type"], "accepted").inc()
        return reply(success, {"accepted": len(events)})

    def overloaded() -> tuple[str, str] | None:
        """Why to refuse now (message, Retry-After), if the pipeline cannot take more without buffering it."""
        if inflight[0] >= settings.ingest_max_inflight:
            return (f"{inflight[0]} requests are already waiting on Kafka; nothing was accepted, retry shortly", "1")
        if behind := guard.behind():
            return (f"the {behind[0]} workers are {behind[1]} events behind (over {settings.ingest_max_lag}; Postgres or a "
                    "worker is slow); nothing was accepted, retry later", "5")
        return None

    @app.post("/v1/webhooks/shopify/orders", tags=["webhooks"], responses=SHOPIFY_RESPONSES,
              summary="Shopify orders/create and orders/updated webhooks (signed)", description=SHOPIFY_DESCRIPTION)
    async def shopify_orders(request: Request) -> JSONResponse:
        if secret is None:
            return refuse(404, "Shopify webhooks are off: set HK_SHOPIFY_WEBHOOK_SECRET")
        try:  # the size is checked while reading, before any HMAC is computed over the body
            body = await read_capped(request, settings.max_body_bytes)
        except BodyTooLarge:
            return too_large()
        if not verified(secret, body, request.headers.get("x-shopify-hmac-sha256")):
            return refuse(401, "signature does not match the body under the shared webhook secret", "X-Shopify-Hmac-Sha256")
        try:
            order = parse(body)
            if too_deep(order):
                raise ShopifyPayloadError(f"nested deeper than {MAX_DEPTH} levels")
            events = to_events(order if isinstance(order, dict) else {}, settings.currency, settings.shopify_include_test_orders)
        except TooManyObjects as exc:
            return refuse(413, str(exc))
        except (UnicodeDecodeError, ValueError) as exc:  # ShopifyPayloadError is a ValueError
            return refuse(400, str(exc))
        return await accept(events, 200)  # Shopify counts any 2xx as delivered

    return app


def _type(event) -> str:
    t = event.get("type") if isinstance(event, dict) else None
    return t if t in EVENT_TYPES else "unknown"


def _declare_bearer_auth(app: FastAPI) -> None:
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            doc = build()
            doc.setdefault("components", {})["securitySchemes"] = {
                "bearer": {"type": "http", "scheme": "bearer", "description": "an API key from HK_API_KEYS"}}
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi


def openapi_document() -> dict:
    """The document the ingest serves (committed as services/ingest/openapi.json, checked by a test)."""
    return create_app(Settings(env="dev")).openapi()
