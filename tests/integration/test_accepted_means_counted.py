"""The property the ingest promises: an event it answers 202 is counted. Requests are generated from the
ingest's own OpenAPI document (the event schemas), and every event accepted goes the whole way the
workers take it, from the bytes on the topic: the attribution worker's decoder and attributor, the
aggregator's decoder and ``write_batch`` into a real PostgreSQL. None of them may fail."""
from __future__ import annotations

import json

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from services.aggregator.batch import Batch, Calendar
from services.aggregator.migrate import migrate
from services.aggregator.records import decode_record
from services.aggregator.writer import write_batch
from services.alerts.thresholds import load as load_alert_config
from services.attribution.attributor import Attributor
from services.attribution.contracts import ContractIndex
from services.common import topics
from services.common.db import make_engine
from services.common.events import decode, dumps
from services.common.settings import Settings
from services.ingest.app import create_app

pytestmark = pytest.mark.postgres


class KeepingProducer:
    def __init__(self) -> None:
        self.sent: list[dict] = []

    async def send_all(self, events: list[dict]) -> None:
        self.sent.extend(events)

    def close(self) -> None:
        pass


# The widest door the workers can take (any year they can convert), so generated events of every year are
# accepted and followed downstream; production's door (2000 .. a day ahead) is narrower.
SETTINGS = Settings(env="prod", api_keys="k", earliest_event_time="0001-01-01T00:00:00Z", max_future_seconds=1e12)
PRODUCER = KeepingProducer()
APP = create_app(SETTINGS, PRODUCER)
CLIENT = TestClient(APP)
EVENTS = schemathesis.openapi.from_asgi("/openapi.json", APP)["/v1/events"]["POST"]


@pytest.fixture(scope="module")
def engine(postgres):
    url = postgres.create_database("hk_accepted")
    migrate(Settings(env="dev", database_url=url))
    engine = make_engine(url)
    yield engine
    engine.dispose()


def count(engine, events: list[dict]) -> None:
    """What the two workers do with these events, from the bytes the ingest put on the topics."""
    contracts = ContractIndex()
    attributor = Attributor(SETTINGS, contracts, {}, {}, {})
    batch = Batch()
    for event in events:
        topic, raw = topics.ROUTES[event["type"]][0], dumps(event)
        if topic == topics.STOREFRONT:
            for _key, record in attributor.handle(decode(raw, SETTINGS.currency)):
                batch.add(decode_record(topics.ATTRIBUTIONS, dumps(record), SETTINGS.currency))
            continue
        record = decode_record(topic, raw, SETTINGS.currency)
        if record["type"] == "contract":
            contracts.upsert(decode(raw, SETTINGS.currency))
        batch.add(record)
    write_batch(engine, batch, Calendar(SETTINGS.business_tz), load_alert_config())


def post(body: bytes) -> int:
    PRODUCER.sent.clear()
    return CLIENT.post("/v1/events", content=body, headers={"Authorization": "Bearer k", "Content-Type": "application/json"}).status_code


@given(case=EVENTS.as_strategy(generation_mode=GenerationMode.POSITIVE))
@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_generated_event_the_ingest_accepts_is_counted_without_an_error(engine, case):
    if post(json.dumps(case.body).encode()) == 202:
        count(engine, PRODUCER.sent)


ORDER = {"type": "order", "order_id": "o-1", "customer_id": "c-1", "placed_at": "2026-03-03T10:00:00+05:30",
         "currency": "INR", "influencer_id": "i-1", "lines": [{"product": "p", "brand": "b", "quantity": 1, "revenue": "REV"}]}


@pytest.mark.parametrize("revenue,counted", [("0.30000000000000004", "0.30"), ("10.12345", "10.12"), ('"10.125"', "10.12"), ('"10.135"', "10.14"),
                                             ("1e-7", "0.00"), ("999999999999", "999999999999.00")])
def test_money_with_float_noise_or_extra_places_is_accepted_rounded_and_counted(engine, revenue, counted):
    body = json.dumps({**ORDER, "order_id": f"o-{counted}"}).replace('"REV"', revenue).encode()
    assert post(body) == 202
    assert PRODUCER.sent[0]["lines"][0]["revenue"] == counted
    count(engine, PRODUCER.sent)


@pytest.mark.parametrize("field,value", [("placed_at", "9999-12-31T23:00:00-10:00"), ("placed_at", "0001-01-01T00:00:00+05:30"),
                                         ("product", "a\u0000b"), ("product", "\ud800"), ("quantity", 2**31)])
def test_what_the_workers_or_postgres_cannot_take_is_refused_at_the_door(field, value):
    event = {**ORDER, "lines": [{**ORDER["lines"][0], "revenue": "1"}]}
    if field in ("product", "quantity"):
        event["lines"][0][field] = value
    else:
        event[field] = value
    r = CLIENT.post("/v1/events", content=json.dumps(event).encode(), headers={"Authorization": "Bearer k"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"].endswith(field), r.text
