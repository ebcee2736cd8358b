"""Multi-touch models without servers: touchpoints of an order, each model's shares, and money split exactly,
on hand-computed cases, and Snowplow's dbt attribution package's expected outputs reproduced
(integration_tests/data/expected/snowplow_attribution_*_attributions_expected.csv: their linear and
position-based columns are rounded to whole units)."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from services.attribution.contracts import ContractIndex
from services.attribution.models import MODELS, SCALE, Touch, shares, split, touch_weights, touchpoints

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)
DAY, WEEK = timedelta(days=1), timedelta(days=7)
D = Decimal


def at(delta=timedelta()) -> str:
    return (T0 + delta).isoformat()


@pytest.fixture
def contracts():
    index = ContractIndex()
    for cid, inf, coupon, link in (("c1", "inf-a", "ALPHA", "alpha"), ("c2", "inf-b", "BETA", "beta"), ("c3", "inf-c", "GAMMA", "gamma")):
        index.upsert({"type": "contract", "contract_id": cid, "influencer_id": inf, "brand": "MuscleBlaze", "basis": "order",
                      "rate": "100", "valid_from": at(-30 * DAY), "valid_to": None, "coupon_codes": [coupon], "link_codes": [link]})
    return index


def click(cid, link, delta, **kw):
    return {"click_id": cid, "customer_id": "cus", "clicked_at": at(delta), "link_code": link, **kw}


def order(**kw):
    return {"type": "order", "order_id": "o1", "customer_id": "cus", "placed_at": at(), "currency": "INR",
            "lines": [{"product": "Whey", "brand": "MuscleBlaze", "quantity": 1, "revenue": "100.00"}], **kw}


def money(model, touches, amount="100.00", half_life=WEEK):
    return split(D(amount), shares(model, touches, T0, half_life))


def test_touchpoints_are_the_qualifying_clicks_the_coupon_and_the_explicit_influencer_oldest_first(contracts):
    clicks = [click("k-named", "gamma", -20 * DAY),                    # outside the window, but the order names it
              click("k-old", "gamma", -8 * DAY),                       # outside the 7-day window
              click("k-a", "alpha", -3 * DAY), click("k-b", "beta", -2 * DAY),
              click("k-unknown", "nobody", -DAY),                      # resolves to no influencer
              click("k-direct", "x", -DAY, influencer_id="inf-d"),   # an influencer's own link id
              click("k-late", "gamma", timedelta(minutes=5))]        # after the order: never
    # (oldest first, as Attributor._click keeps them)
    touches = touchpoints(order(coupon_code="beta", influencer_id="inf-e", click_id="k-named"), clicks, contracts, WEEK)
    assert [(t.influencer_id, t.kind, t.ref) for t in touches] == [
        ("inf-c", "click", "k-named"), ("inf-a", "click", "k-a"), ("inf-b", "click", "k-b"),
        ("inf-d", "click", "k-direct"), ("inf-b", "coupon", "c2"), ("inf-e", "explicit", "")]


def test_touches_at_the_same_instant_are_click_then_coupon_then_explicit(contracts):
    touches = touchpoints(order(coupon_code="ALPHA", influencer_id="inf-e"), [click("k", "beta", timedelta())], contracts, WEEK)
    assert [t.kind for t in touches] == ["click", "coupon", "explicit"]
    assert money("last_touch", touches) == {"inf-e": D("100.00")}
    assert money("first_touch", touches) == {"inf-b": D("100.00")}


@pytest.mark.parametrize("model", MODELS[1:])
def test_one_touch_takes_everything_under_every_model(model):
    assert money(model, [Touch("a", T0 - DAY, "click", "k")]) == {"a": D("100.00")}


@pytest.mark.parametrize("model", MODELS[1:])
def test_no_touch_credits_nobody(model):
    assert money(model, []) == {}


def test_two_touches():
    touches = [Touch("a", T0 - 3 * DAY, "click", "k1"), Touch("b", T0 - DAY, "click", "k2")]
    assert money("first_touch", touches) == {"a": D("100.00")}
    assert money("last_touch", touches) == {"b": D("100.00")}
    assert money("linear", touches) == {"a": D("50.00"), "b": D("50.00")}
    assert money("position_based", touches) == {"a": D("50.00"), "b": D("50.00")}
    # 2^(-3/7) = 0.742997, 2^(-1/7) = 0.905724: a = 100 × 0.742997 / 1.648721 = 45.0651 -> 45.07, b = 54.93
    assert money("time_decay", touches) == {"a": D("45.07"), "b": D("54.93")}
    # a shorter half-life favours the recent touch more: 2^(-3) / (2^(-3) + 2^(-1)) = 0.2
    assert money("time_decay", touches, half_life=DAY) == {"a": D("20.00"), "b": D("80.00")}


def test_many_touches_and_an_influencer_touching_twice():
    touches = [Touch(i, T0 - (5 - n) * DAY, "click", f"k{n}") for n, i in enumerate("abcba")]
    assert money("linear", touches) == {"a": D("40.00"), "b": D("40.00"), "c": D("20.00")}
    # 40 % first, 40 % last (both a), 20 % over the three middle touches: b twice (13.333…), c once (6.666…)
    assert money("position_based", touches) == {"a": D("80.00"), "b": D("13.33"), "c": D("6.67")}
    assert SCALE - len(touches) < sum(touch_weights("position_based", touches, T0)) <= SCALE  # the whole order, floored


def test_the_rounding_remainder_goes_to_the_largest_remainder_then_the_earlier_influencer():
    assert split(D("66.50"), {"a": 2, "b": 1}) == {"a": D("44.33"), "b": D("22.17")}   # .333 vs .666
    assert split(D("0.01"), {"a": 1, "b": 1}) == {"a": D("0.01"), "b": D("0.00")}     # a tie: the earlier
    assert split(D("10.0001"), {"a": 1, "b": 1, "c": 1}) == {"a": D("3.3334"), "b": D("3.3334"), "c": D("3.3333")}


@pytest.mark.parametrize("model", MODELS[1:])
@pytest.mark.parametrize("amount", ["0.01", "1.00", "66.50", "999999.99", "1234.5678"])
def test_credits_add_up_to_the_amount_exactly_under_every_model(model, amount):
    touches = [Touch(i, T0 - timedelta(hours=h), "click", f"k{h}") for h, i in ((170, "a"), (100, "b"), (50, "c"), (49, "b"), (1, "d"))]
    assert sum(money(model, touches, amount).values()) == D(amount)


def test_a_refund_after_a_multi_touch_order_splits_the_same_way():
    touches = [Touch("a", T0 - 3 * DAY, "click", "k1"), Touch("b", T0 - 2 * DAY, "click", "k2"), Touch("c", T0, "coupon", "c3")]
    weights = shares("position_based", touches, T0)
    assert split(D("999.00"), weights) == {"a": D("399.60"), "b": D("199.80"), "c": D("399.60")}
    assert split(D("30.00"), weights) == {"a": D("12.00"), "b": D("6.00"), "c": D("12.00")}


def test_an_unknown_model_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown attribution model 'u_shaped'"):
        touch_weights("u_shaped", [Touch("a", T0, "click")], T0)


# Snowplow's expected rows: (path, revenue) -> per touch (first, last, linear, position_based) as they print them
SNOWPLOW = [
    (["Direct"], "50.00", [("50.00", "50.00", 50, 50)]),
    (["Video"], "200.00", [("200.00", "200.00", 200, 200)]),
    (["Campaign 2", "Campaign 1"], "140.00", [("140.00", "0.00", 70, 70), ("0.00", "140.00", 70, 70)]),
    (["Organic_Search", "Display_Other", "Organic_Search"], "66.50",
     [("66.50", "0.00", 22, 27), ("0.00", "0.00", 22, None), ("0.00", "66.50", 22, 27)]),
    (["Direct", "Organic_Search", "Direct"], "140.00",
     [("140.00", "0.00", 47, 56), ("0.00", "0.00", 47, None), ("0.00", "140.00", 47, 56)]),
]


@pytest.mark.parametrize("path, revenue, expected", SNOWPLOW, ids=[" > ".join(p) for p, _, _ in SNOWPLOW])
def test_snowplow_s_expected_outputs_per_touch(path, revenue, expected):
    touches = [Touch(c, T0 - (len(path) - n) * DAY, "click", str(n)) for n, c in enumerate(path)]
    amount = D(revenue)
    for n, (first, last, linear, position) in enumerate(expected):
        per_touch = {m: amount * touch_weights(m, touches, T0)[n] / SCALE for m in ("first_touch", "last_touch", "linear", "position_based")}
        assert per_touch["first_touch"] == D(first) and per_touch["last_touch"] == D(last)
        assert round(per_touch["linear"]) == linear
        if position is not None:  # their middle touches print 2 and 7, which neither 20 % (13.30, 28.00) nor
            assert round(per_touch["position_based"]) == position  # their own totals explain; we keep the 20 %


def test_the_worked_example_in_docs_reporting_md():
    touches = [Touch("A", T0 - 3 * DAY, "click", "1"), Touch("B", T0 - 2 * DAY, "click", "2"), Touch("B", T0, "coupon", "c")]
    assert {m: money(m, touches) for m in MODELS[1:]} == {
        "first_touch": {"A": D("100.00")}, "last_touch": {"B": D("100.00")},
        "linear": {"A": D("33.33"), "B": D("66.67")}, "position_based": {"A": D("40.00"), "B": D("60.00")},
        "time_decay": {"A": D("28.99"), "B": D("71.01")}}
