"""The models carried by attribution records: every order line and refund line of an order credited by the
shares decided when the order was first seen, adding up exactly to its revenue or refund under every model."""
from datetime import timedelta
from decimal import Decimal

import pytest

from services.aggregator.records import decode_record
from services.attribution.attributor import Attributor
from services.attribution.credits import CREDITED
from services.common.events import InvalidEvent, dumps, loads
from services.common.settings import Settings

from .attribution_events import click, order, refund

LINES = [{"product": "Whey", "brand": "MuscleBlaze", "quantity": 1, "revenue": "1000"},
         {"product": "Bar", "brand": "Gritzo", "quantity": 3, "revenue": "100.01"}]


def journey(contracts, **settings):
    """inf-a's link clicked 3 days before, inf-b's a day before, and inf-b's coupon at checkout."""
    a = Attributor(Settings(env="dev", **settings), contracts, {}, {}, {})
    a.handle({"type": "click", **click("k1", -timedelta(days=3))})
    a.handle({"type": "click", **click("k2", -timedelta(days=1), link_code="beta")})
    return a, [r for _, r in a.handle(order(coupon_code="BETA", lines=LINES))]


def test_each_line_carries_the_touchpoints_and_its_revenue_under_every_model(contracts):
    _, lines = journey(contracts)
    assert lines[0]["influencer_id"] == "inf-b" and lines[0]["rule"] == "coupon"  # the rules, unchanged
    assert [(t["influencer_id"], t["kind"]) for t in lines[0]["touchpoints"]] == [
        ("inf-a", "click"), ("inf-b", "click"), ("inf-b", "coupon")]
    assert lines[0]["touchpoints"] == lines[1]["touchpoints"]
    first, second = (line["credits"] for line in lines)
    assert set(first) == set(CREDITED)
    assert first["first_touch"] == {"inf-a": "1000.00"} and first["last_touch"] == {"inf-b": "1000.00"}
    assert first["linear"] == {"inf-a": "333.33", "inf-b": "666.67"}
    assert first["position_based"] == {"inf-a": "400.00", "inf-b": "600.00"}  # 40 first, 20 middle + 40 last
    assert second["linear"] == {"inf-a": "33.34", "inf-b": "66.67"}  # 33.336.. and 66.673..: the remainder's cent
    for line in lines:
        for model in CREDITED:
            assert sum(map(Decimal, line["credits"][model].values())) == Decimal(line["revenue"]), model


def test_time_decay_follows_the_configured_half_life(contracts):
    _, week = journey(contracts)
    _, day = journey(contracts, attribution_half_life_days=1)
    # 7 days: 2^(-3/7) : 2^(-1/7) + 1 = 0.7430 : 1.9057 of 1000; 1 day: 2^-3 : 2^-1 + 1 = 0.125 : 1.5
    assert week[0]["credits"]["time_decay"] == {"inf-a": "280.51", "inf-b": "719.49"}
    assert day[0]["credits"]["time_decay"] == {"inf-a": "76.92", "inf-b": "923.08"}


def test_a_refund_is_credited_by_the_same_shares_and_adds_up_to_its_parts(contracts):
    a, lines = journey(contracts)
    refunds = [r for _, r in a.handle(refund("r1", "550.01"))]
    assert [r["amount"] for r in refunds] == ["500.01", "50.00"]  # split_refund: the leftover cent to the first line
    for r in refunds:
        for model in CREDITED:
            assert sum(map(Decimal, r["credits"][model].values())) == Decimal(r["amount"]), model
    assert refunds[0]["credits"]["linear"] == {"inf-a": "166.67", "inf-b": "333.34"}
    assert refunds[0]["credits"]["first_touch"] == {"inf-a": "500.01"}


def test_an_edit_credits_its_new_line_by_the_shares_decided_first(contracts):
    a, _ = journey(contracts)
    a.handle({"type": "click", **click("k3", -timedelta(minutes=1), link_code="gamma")})  # after: changes nothing
    edited = [r for _, r in a.handle(order(coupon_code="BETA", version=1, lines=LINES + [
        {"product": "Shaker", "brand": "MuscleBlaze", "quantity": 1, "revenue": "10"}]))]
    added = next(r for r in edited if r.get("kind") == "order_line" and r["line_no"] == 2)
    assert added["credits"]["linear"] == {"inf-a": "3.33", "inf-b": "6.67"}


def test_an_unattributed_order_has_no_touchpoints_and_no_credits(contracts):
    a = Attributor(Settings(env="dev"), contracts, {}, {}, {})
    [(_, line)] = a.handle(order())
    assert line["rule"] == "unattributed" and line["touchpoints"] == [] and line["credits"] == {}


def test_one_influencer_touching_twice_gets_all_of_it_under_every_model_and_stores_no_shares(contracts):
    a = Attributor(Settings(env="dev"), contracts, {}, {}, {})
    a.handle({"type": "click", **click("k1", -timedelta(days=3))})  # inf-a's link, then inf-a's own order
    [(_, line)] = a.handle(order(influencer_id="inf-a", lines=LINES[:1]))
    assert [t["influencer_id"] for t in line["touchpoints"]] == ["inf-a", "inf-a"] and "shares" not in a.orders["o1"]
    assert line["credits"] == {model: {"inf-a": "1000.00"} for model in CREDITED}
    [(_, r)] = a.handle(refund("r1", "10"))
    assert r["credits"] == {model: {"inf-a": "10.00"} for model in CREDITED}
    assert decode_record("hk.attributions", dumps(line), "INR")["credits"] == line["credits"]


def test_an_order_stored_before_the_models_is_sent_as_it_was(contracts):
    a = Attributor(Settings(env="dev"), contracts, {}, {}, {})
    first = a.handle(order(influencer_id="inf-z"))
    a.orders["o1"] = {k: v for k, v in a.orders["o1"].items() if k not in ("touchpoints", "shares")}
    again = a.handle(order(influencer_id="inf-z"))
    assert [r for _, r in again] == [{k: v for k, v in r.items() if k not in ("touchpoints", "credits")} for _, r in first]
    [(_, r)] = a.handle(refund("r1", "10"))
    assert r["amount"] == "10.00" and "credits" not in r


def test_the_aggregator_takes_the_records_as_sent_and_refuses_credits_it_cannot_count(contracts):
    a, lines = journey(contracts)
    sent = lines + [r for _, r in a.handle(refund("r1", "550.01"))]
    assert [decode_record("hk.attributions", dumps(r), "INR") for r in sent] == [loads(dumps(r)) for r in sent]
    bad = {"off by a cent": {"linear": {"inf-a": "333.33", "inf-b": "666.66"}},
           "unknown model": {"u_shaped": {"inf-a": "1000"}},
           "negative": {"first_touch": {"inf-a": "1000.01", "inf-b": "-0.01"}},
           "not a string": {"first_touch": {"inf-a": 1000}},
           "no influencer": {"first_touch": {"": "1000"}},
           "not a map": {"first_touch": ["inf-a", "1000"]}}
    for why, credits in bad.items():
        with pytest.raises(InvalidEvent) as refused:
            decode_record("hk.attributions", dumps({**lines[0], "credits": credits}), "INR")
        assert refused.value.reason == "invalid_attribution", why
        assert any(e.field.startswith("credits") for e in refused.value.errors), why
    for touches in ([{"influencer_id": "inf-a", "at": "yesterday", "kind": "click"}], [{"influencer_id": "inf-a"}], "inf-a"):
        with pytest.raises(InvalidEvent):
            decode_record("hk.attributions", dumps({**lines[0], "touchpoints": touches}), "INR")
