"""The ingest API fuzzed from its own OpenAPI document (schemathesis): valid and invalid requests, no 5xx,
every response as documented, and no invalid event ever handed to the producer."""
from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import jsonschema
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, find, settings
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


OWN_PRODUCER = CheckingProducer()
OWN_CLIENT = TestClient(create_app(Settings(env="prod", api_keys="fuzz-key", shopify_webhook_secret="fuzz-secret",
                                            earliest_event_time="0001-01-01T00:00:00Z", max_future_seconds=1e12),
                                   OWN_PRODUCER))


def _sent(case) -> tuple[int, int]:
    """A generated POST /v1/events case with the valid key, through an app and a CheckingProducer of this test's
    own: the status, and how many events reached the producer (each checked there)."""
    OWN_PRODUCER.accepted = 0
    case.headers = {**(case.headers or {}), "Authorization": "Bearer fuzz-key"}
    response = OWN_CLIENT.request(**case.as_transport_kwargs())
    if response.status_code != 202:  # 422 only for a time outside the accepted range (the fuzz test says why)
        assert response.status_code == 422 and all("outside the accepted range" in e["message"]
                                                    for e in response.json()["errors"]), response.text
    return response.status_code, OWN_PRODUCER.accepted


VALID_BATCHES = schema["/v1/events"]["POST"].as_strategy(GenerationMode.POSITIVE)
QUIET = settings(deadline=None, max_examples=200, phases=[Phase.generate], suppress_health_check=list(HealthCheck))


def test_a_generated_valid_batch_is_accepted_and_every_event_reaches_the_producer_checked():
    """Self-contained (it once counted what the fuzz test above had sent, so it passed only after it): find a
    generated batch the ingest accepts, and every event of it went through CheckingProducer."""
    case = find(VALID_BATCHES, lambda c: _sent(c)[0] == 202, settings=QUIET)
    status, accepted = _sent(case)
    events = case.body if isinstance(case.body, list) else [case.body]
    assert status == 202 and accepted == len(events) > 0
