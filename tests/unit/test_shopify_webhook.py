"""The signed Shopify webhook: signature checked over the raw body in constant time, a real-shaped order
mapped to our order and refund events, test orders acknowledged and dropped, cancellations refunded, odd campaign
values dropped rather than refused, repeats harmless, and refusals that say what to fix."""
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

from .recording_producer import RecordingProducer

SECRET = "shpss_test_secret"
FIXTURES = Path(__file__).parents[1] / "fixtures" / "shopify"
BODY = (FIXTURES / "order-with-refund.json").read_bytes()
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


def test_a_test_order_is_acknowledged_and_not_counted(client, producer):
    body = (FIXTURES / "test-order.json").read_bytes()  # test: true, paid through the Bogus gateway
    r = client.post(URL, content=body, headers=sign(body))
    assert (r.status_code, r.json(), producer.sent) == (200, {"accepted": 0}, [])
    order, = to_events(json.loads(body), "INR", include_test=True)  # HK_SHOPIFY_INCLUDE_TEST_ORDERS=true
    assert order["order_id"] == "shopify-5521130668300"


def test_a_cancelled_cash_on_delivery_order_stops_counting(client, producer):
    body = (FIXTURES / "cancelled-cod-order.json").read_bytes()  # voided, cancelled, no refund: nothing was paid
    for _ in range(2):
        r = client.post(URL, content=body, headers=sign(body))
        assert (r.status_code, r.json()) == (200, {"accepted": 2})
    order, cancel = producer.sent[:2]
    assert cancel == {"type": "refund", "event_id": "shopify-cancel-5521130668401", "refund_id": "shopify-cancel-5521130668401",
                      "order_id": "shopify-5521130668401", "customer_id": "shopify-7012345670402",
                      "amount": "3097.00", "refunded_at": "2026-11-21T09:31:04+05:30"}  # 1258.37 + 1838.63, all of it
    assert producer.sent[2:] == [order, cancel]  # a redelivery repeats the ids: a no-op downstream


def test_a_cancellation_follows_the_real_refunds_and_claims_the_whole_order():
    paid = json.loads(BODY)
    events = to_events({**paid, "cancelled_at": "2026-11-23T09:00:00+05:30"}, "INR")
    # the 499.00 refund first; the cancellation names all 3197.00 and the attribution caps it at the 2698.00 left
    assert [(e["refund_id"], e["amount"]) for e in events[1:]] == [("shopify-917000000001", "499.00"),
                                                                    ("shopify-cancel-5521130668124", "3197.00")]


def test_odd_campaign_values_are_dropped_never_refused(client, producer):
    body = (FIXTURES / "odd-landing-site.json").read_bytes()  # hk_click=clk 991<script>, a 202-character campaign
    r = client.post(URL, content=body, headers=sign(body))
    assert (r.status_code, r.json()) == (200, {"accepted": 1})  # a 422 would have Shopify retry, then unsubscribe
    order, = producer.sent
    assert "click_id" not in order and "coupon_code" not in order
    assert (order["utm_source"], len(order["utm_campaign"])) == ("whatsapp status \U0001f4aa", 128)


@pytest.mark.parametrize("click", ["x" * 65, "clk%20991", "clk-991%0A", "clk%3Cb%3E", "%F0%9F%92%AA"])
def test_a_click_id_outside_the_id_pattern_is_dropped(click):
    order = {**json.loads(BODY), "landing_site": f"/products/whey?utm_source=instagram&hk_click={click}"}
    event = to_events(order, "INR")[0]
    assert "click_id" not in event and event["utm_source"] == "instagram"


def test_a_wrong_type_is_a_400_naming_the_field(client, producer):
    broken = BODY.replace(b'"quantity": 2', b'"quantity": "two"')
    r = client.post(URL, content=broken, headers=sign(broken))
    assert r.status_code == 400 and r.json()["errors"][0]["message"].startswith("line_items.1.quantity: expected a whole number")
    assert producer.sent == []


def test_a_refunds_create_payload_is_refused_with_the_topic_to_use(client, producer):
    refund = json.loads(BODY)["refunds"][0] | {"order_id": 5521130668124, "refund_line_items": []}
    body = json.dumps(refund).encode()  # refunds/create names no customer to key the refund by
    r = client.post(URL, content=body, headers=sign(body))
    assert r.status_code == 400 and "orders/updated" in r.text and producer.sent == []
