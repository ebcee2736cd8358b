"""The request and response shapes of POST /v1/events for the OpenAPI document (body is parsed by hand
so that money stays Decimal and errors carry indexes; these declarations document it)."""
from ..common.events import EVENT_TYPES, schema


def _event_ref(t: str, currency: str) -> dict:
    s = {k: v for k, v in schema(t).items() if k not in ("$schema", "$id")}
    if "currency" in s.get("properties", {}):  # the schema allows any ISO code; this deployment takes one
        s["properties"] = {**s["properties"], "currency": {**s["properties"]["currency"], "enum": [currency]}}
    return s


def events_request(currency: str) -> dict:
    event = {"oneOf": [_event_ref(t, currency) for t in EVENT_TYPES], "discriminator": {"propertyName": "type"}}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": {
        "oneOf": [event, {"type": "array", "minItems": 1, "maxItems": 1000, "items": event}]}}}},
        "security": [{"bearer": []}]}


ERRORS = {"type": "object", "required": ["errors"], "properties": {"errors": {"type": "array", "items": {
    "type": "object", "required": ["index", "field", "message"],
    "properties": {"index": {"type": ["integer", "null"]}, "field": {"type": "string"}, "message": {"type": "string"}}}}}}


EVENTS_RESPONSES = {
    202: {"description": "Every event acknowledged by Kafka (acks=all)",
          "content": {"application/json": {"schema": {"type": "object", "required": ["accepted"],
                                                      "properties": {"accepted": {"type": "integer"}}}}}},
    400: {"description": "Body is not JSON, or not an event or array of events", "content": {"application/json": {"schema": ERRORS}}},
    401: {"description": "Missing or wrong API key", "content": {"application/json": {"schema": ERRORS}}},
    413: {"description": "Body or batch too large", "content": {"application/json": {"schema": ERRORS}}},
    422: {"description": "One or more events invalid; none accepted", "content": {"application/json": {"schema": ERRORS}}},
    429: {"description": "Over the key's event rate; none accepted, retry after Retry-After", "content": {"application/json": {"schema": ERRORS}}},
    503: {"description": "Kafka did not acknowledge, or the pipeline is too far behind (back-pressure); none accepted, retry after Retry-After", "content": {"application/json": {"schema": ERRORS}}},
}

_JSON_ERRORS = {"application/json": {"schema": ERRORS}}
SHOPIFY_RESPONSES = {
    200: {"description": "The order (and its refunds) acknowledged by Kafka; repeats are harmless",
          "content": {"application/json": {"schema": {"type": "object", "properties": {"accepted": {"type": "integer"}}}}}},
    400: {"description": "Not a readable Shopify order", "content": _JSON_ERRORS},
    401: {"description": "X-Shopify-Hmac-Sha256 does not match the body", "content": _JSON_ERRORS},
    404: {"description": "Shopify webhooks are not enabled (HK_SHOPIFY_WEBHOOK_SECRET unset)", "content": _JSON_ERRORS},
    413: {"description": "Body too large", "content": _JSON_ERRORS},
    422: {"description": "The mapped events are invalid (for example another currency); none accepted", "content": _JSON_ERRORS},
    503: {"description": "Kafka did not acknowledge, or the pipeline is too far behind; Shopify will retry", "content": _JSON_ERRORS},
}


def openapi_document() -> dict:
    """The document the ingest serves (committed as services/ingest/openapi.json, checked by a test)."""
    from ..common.settings import Settings
    from .app import create_app
    return create_app(Settings(env="dev")).openapi()
