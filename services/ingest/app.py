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
from prometheus_client import make_asgi_app

from ..common.events import EVENT_TYPES, InvalidEvent, loads, validate
from ..common.metrics import INGEST_EVENTS, INGEST_PRODUCE_SECONDS, INGEST_REQUESTS
from ..common.settings import Settings
from .openapi_doc import EVENTS_RESPONSES, SHOPIFY_RESPONSES, events_request
from .backpressure import LagGuard
from .producer import BrokerUnavailable, EventProducer
from .rate_limit import RateLimiter
from .shopify import to_events, verified


def create_app(settings: Settings, producer: EventProducer | None = None) -> FastAPI:
    digests = settings.api_key_digests()
    limiter = RateLimiter(settings.rate_limit_events_s, settings.rate_limit_burst)
    secret = settings.shopify_webhook_secret.get_secret_value().encode() if settings.shopify_webhook_secret else None
    producer = producer or EventProducer(settings)
    guard = LagGuard(settings)
    inflight = [0]  # requests waiting on Kafka now (one event loop: no lock needed)

    @asynccontextmanager
    async def lifespan(_app):
        guard.start()
        yield
        guard.close()
        producer.close()

    app = FastAPI(title="Influencer attribution ingest", version="1", lifespan=lifespan,
                  description="Storefronts and social collectors post events here; see schemas/ for each event.")
    app.mount("/metrics", make_asgi_app())

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # the framework's own refusals (unknown path, wrong method) in the same shape as ours
        allowed = f"; this path accepts {exc.headers['Allow']}" if exc.headers and "Allow" in exc.headers else ""
        return reply(exc.status_code, {"errors": [{"index": None, "field": "",
                                                   "message": f"{request.method} {request.url.path}: {exc.detail}{allowed}"}]}, exc.headers)
    _declare_bearer_auth(app)

    def reply(status: int, body: dict, headers: dict | None = None) -> JSONResponse:
        INGEST_REQUESTS.labels(str(status)).inc()
        return JSONResponse(body, status_code=status, headers=headers)

    def key_digest(request: Request) -> bytes | None:
        """The digest of a valid bearer key (it also keys the rate limit), or None."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        # compare the token's digest with every stored digest, always, in constant time
        digest = hashlib.sha256(token.encode()).digest()
        return digest if any([hmac.compare_digest(digest, k) for k in digests]) else None

    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict:
        return {"status": "ok", "service": "ingest"}

    @app.post("/v1/events", status_code=202, tags=["events"], openapi_extra=events_request(settings.currency), responses=EVENTS_RESPONSES)
    async def post_events(request: Request) -> JSONResponse:
        key = key_digest(request)
        if key is None:
            return reply(401, {"errors": [{"index": None, "field": "Authorization", "message": "send 'Authorization: Bearer <api key>' with a valid key"}]},
                         {"WWW-Authenticate": "Bearer"})
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > settings.max_body_bytes:
            return _too_large(reply, settings)
        body = await request.body()
        if len(body) > settings.max_body_bytes:
            return _too_large(reply, settings)
        try:
            payload = loads(body)
        except (UnicodeDecodeError, ValueError) as exc:
            return reply(400, {"errors": [{"index": None, "field": "", "message": f"body is not valid UTF-8 JSON: {exc}"}]})
        events = payload if isinstance(payload, list) else [payload]
        if not isinstance(payload, (list, dict)) or not events:
            return reply(400, {"errors": [{"index": None, "field": "", "message": "send one event object or a non-empty array of events"}]})
        if len(events) > settings.max_batch_events:
            return reply(413, {"errors": [{"index": None, "field": "", "message": f"{len(events)} events in one request; send at most {settings.max_batch_events}"}]})
        wait = limiter.take(key, len(events))
        if wait == math.inf:
            return reply(413, {"errors": [{"index": None, "field": "", "message": f"{len(events)} events exceed this key's "
                                           f"burst of {settings.rate_limit_burst}; split the request"}]})
        if wait:
            return reply(429, {"errors": [{"index": None, "field": "", "message": f"over {settings.rate_limit_events_s:g} events/s "
                                           f"for this key; retry after {wait:g} s, or send fewer events per second"}]},
                         {"Retry-After": str(max(1, math.ceil(wait)))})
        return await accept(events, 202)

    async def accept(events: list, success: int) -> JSONResponse:
        """Validate every event, then send them all (acks=all) or none; the one path for every source."""
        errors = []
        for i, event in enumerate(events):
            try:
                validate(event, settings.currency)
            except InvalidEvent as exc:
                errors += [e.as_dict(i) for e in exc.errors]
        if errors:
            for e in events:
                INGEST_EVENTS.labels(_type(e), "rejected").inc()
            return reply(422, {"errors": errors})
        if refusal := overloaded():
            for e in events:
                INGEST_EVENTS.labels(e["type"], "failed").inc()
            return reply(503, {"errors": [{"index": None, "field": "", "message": refusal[0]}]}, {"Retry-After": refusal[1]})
        started = time.perf_counter()
        inflight[0] += 1
        try:
            await producer.send_all(events)
        except BrokerUnavailable as exc:
            for e in events:
                INGEST_EVENTS.labels(e["type"], "failed").inc()
            return reply(503, {"errors": [{"index": None, "field": "", "message": str(exc)}]}, {"Retry-After": "5"})
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
              summary="Shopify orders/create, orders/updated and refunds webhooks (signed)")
    async def shopify_orders(request: Request) -> JSONResponse:
        if secret is None:
            return reply(404, {"errors": [{"index": None, "field": "", "message": "Shopify webhooks are off: set HK_SHOPIFY_WEBHOOK_SECRET"}]})
        body = await request.body()
        if len(body) > settings.max_body_bytes:
            return _too_large(reply, settings)
        if not verified(secret, body, request.headers.get("x-shopify-hmac-sha256")):
            return reply(401, {"errors": [{"index": None, "field": "X-Shopify-Hmac-Sha256",
                                           "message": "signature does not match the body under the shared webhook secret"}]})
        try:
            order = loads(body)
            events = to_events(order if isinstance(order, dict) else {}, settings.currency)
        except (UnicodeDecodeError, ValueError) as exc:  # ShopifyPayloadError is a ValueError
            return reply(400, {"errors": [{"index": None, "field": "", "message": str(exc)}]})
        return await accept(events, 200)  # Shopify counts any 2xx as delivered

    return app


def _type(event) -> str:
    t = event.get("type") if isinstance(event, dict) else None
    return t if t in EVENT_TYPES else "unknown"


def _too_large(reply, settings: Settings) -> JSONResponse:
    return reply(413, {"errors": [{"index": None, "field": "", "message": f"body larger than {settings.max_body_bytes} bytes; split it into smaller requests"}]})


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
