"""``hk ingest``: POST /v1/events → Kafka, all-or-nothing, 202 only after acks=all."""

import math
import time
from contextlib import asynccontextmanager
from typing import Annotated, Any, cast

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from ..common.events import EVENT_TYPES, MAX_DEPTH, too_deep
from ..common.metrics import INGEST_EVENTS, INGEST_PRODUCE_SECONDS
from ..common.settings import Settings
from .admission import Admitter
from .backpressure import LagGuard
from .body import TooManyObjects, parse
from .guards import api_key, capped_body, event_batch
from .openapi_doc import EVENTS_RESPONSES, SHOPIFY_DESCRIPTION, SHOPIFY_RESPONSES, events_request
from .producer import BrokerUnavailable, EventProducer
from .rate_limit import RateLimiter
from .refusal import Refused, answer, install
from .shopify import ShopifyPayloadError, to_events, verified

# FastAPI's type for ``responses``; openapi_doc's tables are dicts of that shape keyed by int status codes only
# (dict is invariant in its key, hence the casts below; FastAPI only reads them)
_Responses = dict[int | str, dict[str, Any]]


def create_app(settings: Settings, producer: EventProducer | None = None) -> FastAPI:
    limiter = RateLimiter(settings.rate_limit_events_s, settings.rate_limit_burst)
    secret = settings.shopify_webhook_secret.get_secret_value().encode() if settings.shopify_webhook_secret else None
    producer = producer or EventProducer(settings)
    guard = LagGuard(settings)
    admitter = Admitter(settings)
    inflight = [0]  # requests waiting on Kafka now (one event loop: no lock needed)
    key_of, events_of = api_key(settings), event_batch(settings)

    @asynccontextmanager
    async def lifespan(_app):
        guard.start()
        yield
        guard.close()
        producer.close()

    app = FastAPI(title="Influencer attribution ingest", version="1", lifespan=lifespan,
                  description="Storefronts and social collectors post events here; see schemas/ for each event.")
    install(app)
    _declare_bearer_auth(app)

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict:  # async: a sync handler would wait for a thread-pool hop
        return {"status": "ok", "service": "ingest"}

    @app.post("/v1/events", status_code=202, tags=["events"], openapi_extra=events_request(settings.currency, settings.max_order_lines, settings.platforms), responses=cast(_Responses, EVENTS_RESPONSES))
    async def post_events(key: Annotated[bytes, Depends(key_of)], events: Annotated[list, Depends(events_of)]) -> JSONResponse:
        wait = limiter.take(key, len(events))
        if wait == math.inf:
            raise Refused(413, f"{len(events)} events exceed this key's burst of {settings.rate_limit_burst}; split the request")
        if wait:
            raise Refused(429, f"over {settings.rate_limit_events_s:g} events/s for this key; retry after {wait:g} s, "
                          "or send fewer events per second", headers={"Retry-After": str(max(1, math.ceil(wait)))})
        return await accept(events, 202)

    async def accept(events: list, success: int) -> JSONResponse:
        """Validate every event as the workers will read it, then send them all (acks=all) or none."""
        admitted = await admitter.admit(events)
        if admitted.errors:
            for e in events:
                INGEST_EVENTS.labels(_type(e), "rejected").inc()
            raise Refused(422, errors=admitted.errors)
        events = admitted.events  # as they go on the topics: amounts at the currency's scale
        if refusal := overloaded():
            for e in events:
                INGEST_EVENTS.labels(e["type"], "failed").inc()
            raise Refused(503, refusal[0], headers={"Retry-After": refusal[1]})
        started = time.perf_counter()
        inflight[0] += 1
        try:
            await producer.send_all(events)
        except BrokerUnavailable as exc:
            for e in events:
                INGEST_EVENTS.labels(e["type"], "failed").inc()
            raise Refused(503, str(exc), headers={"Retry-After": "5"}) from None
        finally:
            inflight[0] -= 1
        INGEST_PRODUCE_SECONDS.observe(time.perf_counter() - started)
        for e in events:
            INGEST_EVENTS.labels(e["type"], "accepted").inc()
        return answer(success, {"accepted": len(events)})

    def overloaded() -> tuple[str, str] | None:
        """Why to refuse now (message, Retry-After), if the pipeline cannot take more without buffering it."""
        if inflight[0] >= settings.ingest_max_inflight:
            return (f"{inflight[0]} requests are already waiting on Kafka; nothing was accepted, retry shortly", "1")
        if behind := guard.behind():
            return (f"the {behind[0]} workers are {behind[1]} events behind (over {settings.ingest_max_lag}; Postgres or a "
                    "worker is slow); nothing was accepted, retry later", "5")
        return None

    @app.post("/v1/webhooks/shopify/orders", tags=["webhooks"], responses=cast(_Responses, SHOPIFY_RESPONSES),
              summary="Shopify orders/create and orders/updated webhooks (signed)", description=SHOPIFY_DESCRIPTION)
    async def shopify_orders(request: Request) -> JSONResponse:
        if secret is None:
            raise Refused(404, "Shopify webhooks are off: set HK_SHOPIFY_WEBHOOK_SECRET")
        body = await capped_body(request, settings)  # the size is checked while reading, before any HMAC
        if not verified(secret, body, request.headers.get("x-shopify-hmac-sha256")):
            raise Refused(401, "signature does not match the body under the shared webhook secret", "X-Shopify-Hmac-Sha256")
        try:
            order = parse(body)
            if too_deep(order):
                raise ShopifyPayloadError(f"nested deeper than {MAX_DEPTH} levels")
            events = to_events(order if isinstance(order, dict) else {}, settings.currency, settings.shopify_include_test_orders)
        except TooManyObjects as exc:
            raise Refused(413, str(exc)) from None
        except (UnicodeDecodeError, ValueError) as exc:  # ShopifyPayloadError is a ValueError
            raise Refused(400, str(exc)) from None
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

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend the generated schema


def openapi_document() -> dict:
    """The document the ingest serves (committed as services/ingest/openapi.json, checked by a test)."""
    return create_app(Settings(env="dev")).openapi()
