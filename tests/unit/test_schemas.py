"""Every example payload through its schema, and every valid one through the consumers that read it."""
import json
from decimal import Decimal
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from services.aggregator.batch import Batch
from services.aggregator.records import decode_record
from services.attribution.attributor import Attributor
from services.attribution.contracts import ContractIndex
from services.common import topics
from services.alerts import subscriber
from services.common import dead_letter_replay
from services.common.events import EVENT_TYPES, INTERNAL_CONTRACTS, SCHEMA_DIR, InvalidEvent, decode, schema
from services.common.settings import Settings

EXAMPLES = sorted((SCHEMA_DIR / "examples").glob("*/*/*.json"))
VALID = [p for p in EXAMPLES if p.parent.name == "valid"]
INVALID = [p for p in EXAMPLES if p.parent.name == "invalid"]


# the consumer side of each internal topic's contract: what its reader runs on the bytes
CONSUMERS = {"attribution": lambda raw: decode_record(topics.ATTRIBUTIONS, raw, "INR"),
             "dead-letter": lambda raw: dead_letter_replay.parse(raw).body,
             "alert": subscriber.decode}


def _type(path: Path) -> str:
    return path.parent.parent.name.split(".")[0]


def _consume(path: Path) -> dict:
    reader = CONSUMERS.get(_type(path))
    return reader(path.read_bytes()) if reader else decode(path.read_bytes(), "INR")


def test_every_schema_file_is_a_known_contract_and_every_contract_has_its_reader():
    assert sorted(p.name.split(".")[0] for p in SCHEMA_DIR.glob("*.v1.json")) == sorted(EVENT_TYPES + INTERNAL_CONTRACTS)
    assert set(CONSUMERS) == set(INTERNAL_CONTRACTS)


@pytest.mark.parametrize("event_type", EVENT_TYPES + INTERNAL_CONTRACTS)
def test_each_schema_is_draft_2020_12_with_valid_and_invalid_examples(event_type):
    Draft202012Validator.check_schema(schema(event_type))
    assert schema(event_type)["$schema"].endswith("2020-12/schema")
    assert any(_type(p) == event_type for p in VALID)
    assert any(_type(p) == event_type for p in INVALID)


@pytest.mark.parametrize("path", VALID, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_valid_example_passes(path):
    """Through its topic's reader: an event as the workers count it, an internal record as it was written."""
    read = _consume(path)
    if _type(path) in CONSUMERS:
        assert read == json.loads(path.read_text())
    else:
        assert read["type"] == _type(path)


@pytest.mark.parametrize("path", INVALID, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_invalid_example_is_refused_with_a_field_and_a_message(path):
    with pytest.raises(InvalidEvent) as err:
        _consume(path)
    assert err.value.reason == f"invalid_{_type(path).replace('-', '_')}"
    assert all(e.message for e in err.value.errors)


def _storefront(event_type: str) -> list[dict]:
    return [decode(p.read_bytes(), "INR") for p in VALID if _type(p) == event_type]


def _through_the_aggregator(records: list) -> Batch:
    """The attributor's records as the aggregator decodes them from hk.attributions' bytes."""
    batch = Batch()
    for key, record in records:
        assert key
        batch.add(decode_record(topics.ATTRIBUTIONS, json.dumps(record).encode(), "INR"))
    return batch


def test_every_valid_storefront_example_runs_through_the_attributor_and_the_aggregator():
    """Clicks first (remembered per customer, nothing emitted), then every order (a record per line, decoded by
    the aggregator with its order and revenue), then the refund (lines adding up to its amount)."""
    contracts = ContractIndex()
    for c in (SCHEMA_DIR / "examples" / "contract.v1" / "valid").glob("*.json"):
        contracts.upsert(json.loads(c.read_text()))
    customers: dict = {}
    attributor = Attributor(Settings(env="dev"), contracts, customers, {}, {})
    clicks, orders, refunds = _storefront("click"), _storefront("order"), _storefront("refund")
    assert len(clicks) >= 2 and len(orders) >= 3 and refunds  # every valid storefront example, not a sample
    for click in clicks:
        assert attributor.handle(click) == []
        assert click["click_id"] in {c["click_id"] for c in customers[click["customer_id"]]}
    for order in orders:
        batch = _through_the_aggregator(attributor.handle(order))
        assert [(r["order_id"], Decimal(str(r["revenue"]))) for r in batch.order_lines] == [
            (order["order_id"], Decimal(line["revenue"])) for line in order["lines"]]
        assert len(batch) == len(order["lines"])
    for refund in refunds:
        batch = _through_the_aggregator(attributor.handle(refund))
        assert {r["order_id"] for r in batch.refund_lines} == {refund["order_id"]}
        assert sum(Decimal(str(r["amount"])) for r in batch.refund_lines) == Decimal(refund["amount"])


ID_FIELD = {"post": "post_id", "influencer": "influencer_id", "contract": "contract_id"}


@pytest.mark.parametrize("path", [p for p in VALID if _type(p) in ID_FIELD], ids=lambda p: p.stem)
def test_valid_examples_of_aggregator_topics_decode_into_a_batch(path):
    topic = topics.ROUTES[_type(path)][0]
    batch = Batch()
    batch.add(decode_record(topic, path.read_bytes(), "INR"))
    stored = {"post": batch.posts, "influencer": batch.influencers, "contract": batch.contracts}[_type(path)]
    field = ID_FIELD[_type(path)]
    assert len(batch) == 1 and stored[0][field] == json.loads(path.read_text())[field]


def test_wrong_currency_is_refused_with_advice():
    order = json.loads((SCHEMA_DIR / "examples/order.v1/valid/coupon-order.json").read_text())
    order["currency"] = "USD"
    with pytest.raises(InvalidEvent, match="accounts in INR"):
        decode(json.dumps(order).encode(), "INR")


@pytest.mark.parametrize("raw,reason", [(b"\xff\xfe", "undecodable"), (b'{"type": "order"', "undecodable"),
                                        (b"[]", "not_an_object"), (b'{"type": "tiktok"}', "unknown_type"), (None, "empty")])
def test_garbage_gets_a_reason(raw, reason):
    with pytest.raises(InvalidEvent) as err:
        decode(raw, "INR")
    assert err.value.reason == reason


@pytest.mark.parametrize("sent,counted", [(b"0.1", "0.10"), (b"0.30000000000000004", "0.30"), (b'"10.125"', "10.12"),
                                          (b"10.135", "10.14"), (b"27", "27.00"), (b"1e-30", "0.00")])
def test_money_never_becomes_float_and_is_rounded_half_even_to_the_minor_unit(sent, counted):
    event = decode(b'{"type":"refund","refund_id":"r","order_id":"o","customer_id":"c","amount":' + sent +
                   b',"refunded_at":"2026-01-01T00:00:00Z"}', "INR")
    assert event["amount"] == counted


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}/{p.stem}")
def test_the_fast_validator_and_the_explaining_one_agree_on_every_example(path):
    # jsonschema-rs decides, jsonschema explains: a disagreement would let an event through that the
    # explanation calls invalid, or refuse one with no reason
    from services.common.events import _fast_validator, _validator, loads
    event = loads(path.read_bytes())
    fast = _fast_validator(_type(path)).is_valid(event)
    assert fast == (path.parent.name == "valid") == _validator(_type(path)).is_valid(event)


@pytest.mark.parametrize("value", ["0000-00-00T00:00:00Z", "2026-02-30T10:00:00+05:30", "2026-06-30T23:59:60Z",
                                   "2026-11-24", "yesterday", "2026-11-24T10:00:00+05:30"])
def test_both_validators_read_date_time_as_the_workers_parse_it(value):
    from services.common.events import _fast_validator, _validator, timestamp
    click = {"type": "click", "click_id": "c1", "customer_id": "u1", "link_code": "L1", "clicked_at": value}
    try:
        parses = bool(timestamp(value))
    except ValueError:
        parses = False
    fast = _fast_validator("click").is_valid(click)
    assert fast == _validator("click").is_valid(click)
    assert fast == (parses and "T" in value)  # the schema's pattern also asks for a time and an offset
