"""The public contract of POST /v1/events, with the producer replaced at its boundary (or pointed at a
closed port, for the real 503)."""
import asyncio
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.common.events import SCHEMA_DIR
from services.common.settings import Settings
from devstack.ports import free_port
from services.ingest.app import create_app, openapi_document
from services.ingest.producer import EventProducer

from .example_order import ORDER
from .recording_producer import RecordingProducer

AUTH = {"Authorization": "Bearer k1"}
POST = json.loads((SCHEMA_DIR / "examples/post.v1/valid/instagram-snapshot.json").read_text())


@pytest.fixture
def producer():
    return RecordingProducer()


@pytest.fixture
def client(producer):
    settings = Settings(env="prod", api_keys="k1,k2", max_body_bytes=50_000)
    return TestClient(create_app(settings, producer))


def test_one_event_is_accepted_after_the_producer_returns(client, producer):
    r = client.post("/v1/events", json=ORDER, headers=AUTH)
    assert (r.status_code, r.json()) == (202, {"accepted": 1})
    assert producer.sent[0]["order_id"] == "ord-1001"


def test_an_array_is_accepted_whole(client, producer):
    r = client.post("/v1/events", json=[ORDER, POST], headers={"Authorization": "Bearer k2"})
    assert (r.status_code, r.json()) == (202, {"accepted": 2})


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic k1"}])
def test_missing_or_wrong_key_is_401(client, producer, headers):
    r = client.post("/v1/events", json=ORDER, headers=headers)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert producer.sent == []


def test_one_bad_event_refuses_the_whole_batch_with_indexed_errors(client, producer):
    bad = {**ORDER, "lines": [{"product": "p", "brand": "b", "quantity": 0, "revenue": "-1"}]}
    r = client.post("/v1/events", json=[ORDER, bad, {"type": "nope"}], headers=AUTH)
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert {(e["index"], e["field"]) for e in errors} == {(1, "lines.0.quantity"), (1, "lines.0.revenue"), (2, "type")}
    assert producer.sent == []


@pytest.mark.parametrize("body", [b"{not json", b'"a string"', b"[]", b"\xff"])
def test_malformed_body_is_400(client, body):
    r = client.post("/v1/events", content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["errors"][0]["message"]


def test_too_many_events_or_bytes_is_413(client, producer):
    assert client.post("/v1/events", json=[POST] * 1001, headers=AUTH).status_code == 413
    big = {**POST, "caption": "x" * 60_000}
    assert client.post("/v1/events", json=big, headers=AUTH).status_code == 413
    assert producer.sent == []


def test_broker_failure_is_503_and_nothing_accepted():
    app = create_app(Settings(env="dev"), RecordingProducer(fail=True))
    r = TestClient(app).post("/v1/events", json=ORDER, headers={"Authorization": "Bearer dev-key"})
    assert r.status_code == 503 and r.headers["retry-after"]
    assert r.json()["errors"][0]["message"] == "Kafka did not acknowledge"


def test_a_real_producer_against_a_closed_port_gives_503_with_the_address():
    settings = Settings(env="dev", kafka_bootstrap=f"127.0.0.1:{free_port()}", produce_timeout_s=1.0)
    producer = EventProducer(settings)
    try:
        r = TestClient(create_app(settings, producer)).post("/v1/events", json=ORDER, headers={"Authorization": "Bearer dev-key"})
    finally:  # or librdkafka keeps calling the closed port, and printing so, until the test run ends
        producer.close()
    assert r.status_code == 503
    assert f"cannot reach Kafka at {settings.kafka_bootstrap}" in r.json()["errors"][0]["message"]


def test_prod_without_keys_refuses_to_start_and_dev_key_only_in_dev():
    with pytest.raises(SystemExit, match="HK_API_KEYS"):
        create_app(Settings(env="prod"), RecordingProducer())
    prod = TestClient(create_app(Settings(env="prod", api_keys="real"), RecordingProducer()))
    assert prod.post("/v1/events", json=ORDER, headers={"Authorization": "Bearer dev-key"}).status_code == 401


def test_health_and_openapi_are_served_and_metrics_are_not_on_the_public_port(client):
    assert client.get("/healthz").json()["status"] == "ok"
    client.post("/v1/events", json=ORDER, headers=AUTH)
    assert "/v1/events" in client.get("/openapi.json").json()["paths"]
    # the metrics are served on HK_INGEST_METRICS_PORT, which compose does not publish (test_ingest_limits reads them)
    assert client.get("/metrics").status_code == 404 and client.get("/metrics/").status_code == 404


def test_committed_openapi_document_is_what_the_app_serves():
    committed = json.loads((Path(__file__).parents[2] / "services/ingest/openapi.json").read_text())
    assert committed == json.loads(json.dumps(openapi_document())), "run: hk openapi -o services/ingest/openapi.json"


def test_keys_can_be_configured_as_hashes_only(monkeypatch, capsys):
    import hashlib
    import io

    from services.cli import main
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-key\n"))
    main(["hash-key"])
    entry = capsys.readouterr().out.strip()
    assert entry == "sha256:" + hashlib.sha256(b"s3cret-key").hexdigest()
    client = TestClient(create_app(Settings(env="prod", api_key_hashes=entry), RecordingProducer()))
    assert client.post("/v1/events", json=ORDER, headers={"Authorization": "Bearer s3cret-key"}).status_code == 202
    assert client.post("/v1/events", json=ORDER, headers={"Authorization": f"Bearer {entry}"}).status_code == 401
    assert client.post("/v1/events", json=ORDER, headers={"Authorization": "Bearer dev-key"}).status_code == 401


def test_a_malformed_hash_or_no_key_at_all_is_refused_at_start():
    from pydantic import ValidationError
    with pytest.raises(ValidationError, match="sha256:<64 hex digits>"):
        Settings(env="prod", api_key_hashes="md5:abc")
    with pytest.raises(SystemExit, match="HK_API_KEYS / HK_API_KEY_HASHES"):
        create_app(Settings(env="prod"), RecordingProducer())


def test_the_rate_limit_is_per_key_whole_batches_and_says_when_to_retry():
    producer = RecordingProducer()
    client = TestClient(create_app(Settings(env="prod", api_keys="k1,k2", rate_limit_events_s=2, rate_limit_burst=3), producer))
    assert client.post("/v1/events", json=[ORDER, ORDER, ORDER], headers=AUTH).status_code == 202
    r = client.post("/v1/events", json=[ORDER, ORDER], headers=AUTH)
    assert r.status_code == 429 and r.headers["Retry-After"] == "1" and "retry after 1 s" in r.text
    assert client.post("/v1/events", json=ORDER, headers={"Authorization": "Bearer k2"}).status_code == 202  # other key
    assert len(producer.sent) == 4
    r = client.post("/v1/events", json=[ORDER] * 4, headers={"Authorization": "Bearer k2"})
    assert r.status_code == 413 and "exceed this key's burst of 3" in r.text


def test_the_bucket_refills_at_the_rate():
    from services.ingest.rate_limit import RateLimiter
    now = [0.0]
    limiter = RateLimiter(rate=10, burst=10, clock=lambda: now[0])
    assert limiter.take(b"k", 10) == 0 and limiter.take(b"k", 1) == 0.1
    now[0] = 0.5
    assert limiter.take(b"k", 5) == 0 and limiter.take(b"k", 1) == 0.1
    assert limiter.take(b"k", 11) == float("inf")  # more than the burst can never pass: the 429 says so


def test_requests_over_the_inflight_limit_are_refused_at_once_not_queued():
    class SlowProducer(RecordingProducer):
        async def send_all(self, events):  # while this request waits on "Kafka", another one arrives
            # (from another thread: a TestClient call would block this event loop, which must answer it)
            self.second = await asyncio.to_thread(TestClient(app).post, "/v1/events", json=ORDER, headers=AUTH)
            await super().send_all(events)

    producer = SlowProducer()
    app = create_app(Settings(env="prod", api_keys="k1", ingest_max_inflight=1), producer)
    first = TestClient(app).post("/v1/events", json=ORDER, headers=AUTH)
    assert first.status_code == 202 and len(producer.sent) == 1
    assert producer.second.status_code == 503 and producer.second.headers["retry-after"] == "1"
    assert "already waiting on Kafka" in producer.second.json()["errors"][0]["message"]
