"""The ingest API fuzzed from its own OpenAPI document (schemathesis): valid and invalid requests, no 5xx,
every response as documented, and no invalid event ever handed to the producer."""
from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import jsonschema
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from services.common.events import SCHEMA_DIR, decode, dumps, loads
from services.common.settings import Settings
from services.ingest.app import create_app

# The schemas on disk, checked with jsonschema directly: an independent judge of what was accepted.
SCHEMAS = {p.name.split(".")[0]: json.loads(p.read_text()) for p in SCHEMA_DIR.glob("*.v1.json")}
VALIDATORS = {name: jsonschema.Draft202012Validator(s) for name, s in SCHEMAS.items()}


class CheckingProducer:
    """Stands in for Kafka and refuses, loudly, any event the ingest should not have accepted."""

    def __init__(self) -> None:
        self.accepted = 0

    async def send_all(self, events: list[dict]) -> None:
        for event in events:
            VALIDATORS[event["type"]].validate(event)
            for name, spec in SCHEMAS[event["type"]]["properties"].items():
                if spec.get("format") == "date-time" and name in event:
                    datetime.fromisoformat(event[name].replace("z", "Z"))  # what the workers will parse
            assert event.get("currency", "INR") == "INR"
            # the bytes on the topic pass the workers' own check and read back as exactly what was validated
            assert decode(dumps(event), "INR") == event == loads(dumps(event))
            for amount in [line["revenue"] for line in event.get("lines", [])] + [event[k] for k in ("amount", "rate") if k in event]:
                assert Decimal(str(amount)) >= 0, f"negative money accepted: {event}"
        self.accepted += len(events)

    def close(self) -> None:
        pass


PRODUCER = CheckingProducer()
# The widest time range the workers can process, so that generated dates of any year reach the producer.
APP = create_app(Settings(env="prod", api_keys="fuzz-key", shopify_webhook_secret="fuzz-secret",
                          earliest_event_time="0001-01-01T00:00:00Z", max_future_seconds=1e12), PRODUCER)
CLIENT = TestClient(APP)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=150)
# Invalid data may also be refused as too large (413, a batch over 1000 events), as the document says.
schema.config.checks.negative_data_rejection.expected_statuses += ["413"]


@schema.auth()
class BearerKey:
    """The valid key for generated requests; schemathesis also sends none and a wrong one, expecting 401."""

    def get(self, case, context):
        return "fuzz-key"

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_the_ingest_answers_every_generated_request_as_documented(case):
    # Sent with Starlette's client: schemathesis's requests transport trips over urllib3-future (which
    # grafana-client's niquests installs over urllib3). For the same reason its ignored_auth check, which
    # sends requests of its own, is replaced by the wrong-key requests below.
    response = CLIENT.request(**case.as_transport_kwargs())
    case.validate_response(response, excluded_checks=[ignored_auth, positive_data_acceptance])
    if case.meta.generation.mode.is_positive and response.status_code == 422:
        # a schema cannot say "not more than a day past now": the only schema-valid events refused are those
        # outside the deployment's time range (HK_EARLIEST_EVENT_TIME, HK_MAX_FUTURE_SECONDS), and they say so
        assert all("outside the accepted range" in e["message"] for e in response.json()["errors"]), response.text
    for wrong in ({}, {"Authorization": "Bearer not-the-key"}):
        kwargs = case.as_transport_kwargs()
        kwargs["headers"] = {**{k: v for k, v in kwargs["headers"].items() if k.lower() != "authorization"}, **wrong}
        if case.path == "/v1/events":
            assert CLIENT.request(**kwargs).status_code in (401, 405)
    assert response.status_code < 500
    if response.status_code >= 400:
        errors = response.json()["errors"]
        assert errors and all(e["message"] for e in errors), "every refusal tells the sender what to fix"


def test_the_fuzzing_reached_the_producer_with_valid_events():
    assert PRODUCER.accepted > 0  # positive cases got through, each checked by CheckingProducer
