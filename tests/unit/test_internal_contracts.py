"""The producer side of the internal topics' contracts: whatever our services write on hk.attributions and
hk.dead-letter meets schemas/attribution.v1.json and schemas/dead-letter.v1.json, and declares every field it sends
(hk.alerts' producer writes through Postgres: tests/integration/test_roas_alerts.py). The consumer side runs every
example in test_schemas.py."""
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.attribution.attributor import Attributor
from services.attribution.credits import CREDITED
from services.common import dead_letter, dead_letter_replay
from services.common.events import FieldError, InvalidEvent, conforms, schema, validate
from services.common.settings import RULES, Settings

from .attribution_events import click, order, refund

ATTRIBUTION = schema("attribution")


def _declared(record: dict) -> set[str]:
    return set(record) - set(ATTRIBUTION["$defs"][record["kind"]]["properties"])


def test_the_schema_names_the_rules_and_models_the_code_has():
    line = ATTRIBUTION["$defs"]["order_line"]["properties"]
    assert line["rule"]["enum"] == [*RULES, "unattributed"]
    assert line["credits"]["propertyNames"]["enum"] == list(CREDITED)


revenue = st.decimals(min_value=0, max_value=10**9, places=2).map(str)
lines = st.lists(st.fixed_dictionaries({"product": st.sampled_from(["Whey", "Creatine"]), "revenue": revenue,
                                        "brand": st.sampled_from(["MuscleBlaze", "HKVitals", "Gritzo"]),
                                        "quantity": st.integers(1, 5)}), min_size=1, max_size=4)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=lines, edited=st.none() | lines, links=st.lists(st.sampled_from(["alpha", "beta", "nobody"]), max_size=3),
       coupon=st.sampled_from([None, "ALPHA10", "beta"]), utm=st.sampled_from([None, "instagram", "Newsletter"]),
       refunds=st.lists(revenue, max_size=3), refund_first=st.booleans(), models=st.booleans())
def test_every_record_the_attributor_writes_meets_the_contract(contracts, first, edited, links, coupon, utm, refunds,
                                                             refund_first, models):
    """Any order (coupon or none, clicks of two influencers or none, a utm_source that names a platform or not),
    refunded before or after it arrives, edited or not, with the models on or off."""
    attributor = Attributor(Settings(env="dev", attribution_models=models), contracts, {}, {}, {})
    events = [validate({"type": "click", **click(f"k{n}", -timedelta(hours=n + 1), link_code=code)}, "INR")
              for n, code in enumerate(links)]
    placed = order(lines=first, **{k: v for k, v in (("coupon_code", coupon), ("utm_source", utm)) if v})
    money_back = [validate(refund(f"r{n}", amount), "INR") for n, amount in enumerate(refunds)]
    events += money_back + [validate(placed, "INR")] if refund_first else [validate(placed, "INR")] + money_back
    if edited:
        events.append(validate({**placed, "version": 1, "lines": edited}, "INR"))
    for event in events:
        for key, record in attributor.handle(event):
            assert key and conforms(record, "attribution") == [], record
            assert _declared(record) == set(), f"{sorted(_declared(record))} sent but not in the schema"


@pytest.mark.parametrize("error", [InvalidEvent("invalid_order", [FieldError("lines.0.revenue", "is negative")]),
                                   InvalidEvent("order_pruned", []), KeyError(), ValueError("bad"), Exception("")],
                         ids=lambda e: f"{type(e).__name__}({e})")
@pytest.mark.parametrize("key,value", [(b"cus-1", b'{"type":"order"}'), (None, None), (b"k", b"\xff" * 300_000)],
                         ids=["record", "tombstone", "huge"])
def test_every_dead_letter_meets_the_contract_and_reads_back(error, key, value):
    body = dead_letter.record("attribution", error, topic="hk.storefront", partition=0, offset=12, key=key, value=value)
    letter = dead_letter_replay.parse(body, b"the letter's own key")
    assert letter.key == (key if key is not None else b"the letter's own key")
    assert all(e["message"] for e in letter.body["errors"])
    assert letter.body["value_size"] == (None if value is None else len(value))


def test_a_bad_row_of_an_imported_file_is_a_dead_letter_too():
    body = dead_letter.record("import", InvalidEvent("invalid_csv_row", [FieldError("date", "date: not a date")]),
                              topic="file:orders.csv", partition=None, offset=7, key=None, value="a,b\xe9".encode())
    assert dead_letter_replay.parse(body).source == "file:orders.csv[None]@7"
