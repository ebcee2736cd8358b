"""The signed Shopify webhook: signature checked over the raw body in constant time, a real-shaped order
mapped to our order and refund events, repeats harmless, and refusals that say what to fix."""
import base64
import hashlib
import hmac
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.common.settings import Settings
from services.ingest.app import create_app
from services.ingest.shopify import to_events

from .test_ingest_api import RecordingProducer

SECRET = "shpss_test_secret"
BODY = (Path(__file__).parents[1] / "fixtures" / "shopify" / "order-with-refund.json").read_bytes()
URL = "/v1/webhooks/shopify/orders"


def sign(body: bytes, secret: str = SECRET) -> dict:
    digest = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return {"X-Shopify-Hmac-Sha256": digest, "X-Shopify-Topic": "orders/updated", "Content-Type": "application/json"}


@pytest.fixture
def producer():
    return RecordingProducer()


@pytest.fixture
def client(producer):
    return TestClient(create_app(Settings(env="prod", api_keys="k1", shopify_webhook_secret=SECRET), producer))


def test_a_signed_order_becomes_our_order_and_refund_events(client, producer):
    r = client.post(URL, content=BODY, headers=sign(BODY))
    assert (r.status_code, r.json()) == (200, {"accepted": 2})
    order, refund = producer.sent
    assert order == {
        "type": "order", "event_id": "shopify-5521130668124", "order_id": "shopify-5521130668124",
        "customer_id": "shopify-7012345678901", "placed_at": "2026-11-20T10:15:01+05:30", "currency": "INR",
        "lines": [{"product": "Whey Protein 1kg", "brand": "MuscleBlaze", "quantity": 1, "revenue": "2199.00"},
                  {"product": "Fish Oil 60 caps", "brand": "HKVitals", "quantity": 2, "revenue": "998.00"}],
        "coupon_code": "FITFANMB", "utm_source": "instagram", "utm_campaign": "diwali_mb", "click_id": "clk-991"}
    assert refund == {"type": "refund", "event_id": "shopify-refund-917000000001", "refund_id": "shopify-917000000001",
                      "order_id": "shopify-5521130668124", "customer_id": "shopify-7012345678901", "amount": "499.00",
                      "refunded_at": "2026-11-22T18:00:00+05:30"}  # the failed transaction is not money back


def test_a_redelivery_maps_to_the_same_ids(client, producer):
    for _ in range(2):
        assert client.post(URL, content=BODY, headers=sign(BODY)).status_code == 200
    assert producer.sent[:2] == producer.sent[2:]


@pytest.mark.parametrize("headers", [{}, sign(BODY, "wrong-secret"), sign(BODY + b" ")])
def test_a_bad_or_missing_signature_is_401_and_nothing_is_sent(client, producer, headers):
    r = client.post(URL, content=BODY, headers={"Content-Type": "application/json", **{
        k: v for k, v in headers.items() if k == "X-Shopify-Hmac-Sha256"}})
    assert r.status_code == 401 and "X-Shopify-Hmac-Sha256" in r.text and producer.sent == []


def test_refusals_say_what_to_fix(client, producer):
    other = json.dumps({**json.loads(BODY), "currency": "USD"}).encode()
    r = client.post(URL, content=other, headers=sign(other))
    assert r.status_code == 422 and "convert before sending" in r.text
    broken = json.dumps({"id": 1, "created_at": "2026-11-20T10:00:00Z"}).encode()
    r = client.post(URL, content=broken, headers=sign(broken))
    assert r.status_code == 400 and "line_items" in r.text
    assert producer.sent == []


def test_the_webhook_is_off_without_a_secret(producer):
    client = TestClient(create_app(Settings(env="prod", api_keys="k1"), producer))
    r = client.post(URL, content=BODY, headers=sign(BODY))
    assert r.status_code == 404 and "HK_SHOPIFY_WEBHOOK_SECRET" in r.text


def test_odd_discount_codes_are_dropped_and_guests_get_a_stable_customer():
    order = json.loads(BODY)
    order["discount_codes"] = [{"code": "SAVE 10%"}]
    order.pop("customer")
    first, _ = to_events(order, "INR")
    again, _ = to_events({**order, "email": " priya.s@EXAMPLE.com"}, "INR")
    assert "coupon_code" not in first and again["customer_id"].startswith("shopify-email-") and first["customer_id"] == again["customer_id"]
