"""The request and response shapes of POST /v1/events for the OpenAPI document (body is parsed by hand
so that money stays Decimal and errors carry indexes; these declarations document it)."""
from ..common.events import EVENT_TYPES, schema


def _event_ref(t: str, currency: str, max_lines: int, platforms: list[str]) -> dict:
    s = {k: v for k, v in schema(t).items() if k not in ("$schema", "$id")}
    if "platform" in s.get("properties", {}):  # any lower-case name is processable; this deployment takes its list
        s["properties"] = {**s["properties"], "platform": {**s["properties"]["platform"], "enum": list(platforms)}}
    if "currency" in s.get("properties", {}):  # the schema allows any ISO code; this deployment takes one
        s["properties"] = {**s["properties"], "currency": {**s["properties"]["currency"], "enum": [currency]}}
    if "lines" in s.get("properties", {}):  # and as many lines an order as it is set to (HK_MAX_ORDER_LINES)
        s["properties"] = {**s["properties"], "lines": {**s["properties"]["lines"], "maxItems": max_lines}}
    return s


def events_request(currency: str, max_lines: int, platforms: list[str]) -> dict:
    event = {"oneOf": [_event_ref(t, currency, max_lines, platforms) for t in EVENT_TYPES], "discriminator": {"propertyName": "type"}}
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
    413: {"description": "Body or batch too large (over HK_MAX_BODY_BYTES, HK_MAX_BATCH_EVENTS, or 20,000 JSON objects and arrays)", "content": {"application/json": {"schema": ERRORS}}},
    422: {"description": "One or more events invalid; none accepted", "content": {"application/json": {"schema": ERRORS}}},
    429: {"description": "Over the key's event rate; none accepted, retry after Retry-After", "content": {"application/json": {"schema": ERRORS}}},
    503: {"description": "Kafka did not acknowledge, or the pipeline is too far behind (back-pressure); none accepted, retry after Retry-After", "content": {"application/json": {"schema": ERRORS}}},
}

_JSON_ERRORS = {"application/json": {"schema": ERRORS}}
SHOPIFY_DESCRIPTION = (
    "Subscribe this address to **orders/create** and **orders/updated** (JSON). Each delivery becomes one `order` event "
    "(lines per vendor, in the shop's currency: `price_set.shop_money`, never the buyer's presentment currency) and one "
    "`refund` event per refund in the order's `refunds`, worth the refunded lines' subtotals (tax and shipping are not "
    "attributed revenue); a cancelled or voided order also gets a refund of all its lines, `shopify-cancel-<order id>`. "
    "Refunds arrive with **orders/updated**: a **refunds/create** payload names no customer to key the refund by, and is "
    "refused (400). Orders marked `test: true` are acknowledged and dropped unless HK_SHOPIFY_INCLUDE_TEST_ORDERS is "
    "set. A discount code, `hk_click` or UTM value we cannot use is dropped, not refused. Edits to an order's lines "
    "change it to its newest version (`updated_at`): removed lines are voided, added ones appended, an older delivery "
    "changes nothing (see docs/reporting.md, \"Shopify webhook\").")
SHOPIFY_RESPONSES = {
    200: {"description": "The order, its refunds and any cancellation acknowledged by Kafka ({\"accepted\": 0} for a "
                         "test order); repeats are harmless: every id derives from Shopify's",
          "content": {"application/json": {"schema": {"type": "object", "properties": {"accepted": {"type": "integer"}}}}}},
    400: {"description": "Not a readable Shopify order: the message names the field and what it should be (for example "
                         "`line_items.0.quantity: expected a whole number from 0 to 2147483647, got 'abc'`), or a "
                         "refunds/create payload", "content": _JSON_ERRORS},
    401: {"description": "X-Shopify-Hmac-Sha256 does not match the body", "content": _JSON_ERRORS},
    404: {"description": "Shopify webhooks are not enabled (HK_SHOPIFY_WEBHOOK_SECRET unset)", "content": _JSON_ERRORS},
    413: {"description": "Body too large (over HK_MAX_BODY_BYTES, or 20,000 JSON objects and arrays)", "content": _JSON_ERRORS},
    422: {"description": "The mapped events are invalid (for example a shop in another currency); none accepted", "content": _JSON_ERRORS},
    503: {"description": "Kafka did not acknowledge, or the pipeline is too far behind; Shopify will retry", "content": _JSON_ERRORS},
}
