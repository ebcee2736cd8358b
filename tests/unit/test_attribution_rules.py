"""Attribution rules without servers: each rule, precedence, window edges, refunds."""
from datetime import timedelta
from decimal import Decimal

import pytest

from services.attribution.attributor import Attributor
from services.attribution.rules import decide, split_refund
from services.common.settings import Settings

from .attribution_events import WEEK, at, click, contract, order, refund

def test_explicit_wins_over_everything(contracts):
    d = decide(order(influencer_id="inf-z", coupon_code="ALPHA10", click_id="k1"), [click()], contracts, WEEK)
    assert (d.rule, d.influencer_id) == ("explicit", "inf-z")


def test_coupon_beats_clicks_and_is_case_blind(contracts):
    d = decide(order(coupon_code="beta", click_id="k1"), [click()], contracts, WEEK)
    assert (d.rule, d.influencer_id, d.contract_id) == ("coupon", "inf-b", "c2")


def test_coupon_outside_contract_validity_falls_through(contracts):
    contracts.upsert(contract("c2", "inf-b", coupons=("BETA",), links=("beta",), valid_to=at(-timedelta(days=1))))
    d = decide(order(coupon_code="BETA"), [], contracts, WEEK)
    assert d.rule == "unattributed"


def test_named_click_beats_a_later_click(contracts):
    clicks = [click("k1", -timedelta(hours=5)), click("k2", -timedelta(hours=1), link_code="beta")]
    d = decide(order(click_id="k1"), clicks, contracts, WEEK)
    assert (d.rule, d.influencer_id, d.click_id) == ("click", "inf-a", "k1")


def test_last_click_takes_the_most_recent_click(contracts):
    clicks = [click("k1", -timedelta(hours=5)), click("k2", -timedelta(hours=1), link_code="beta")]
    d = decide(order(), clicks, contracts, WEEK)
    assert (d.rule, d.influencer_id, d.click_id) == ("last_click", "inf-b", "k2")


def test_window_edge_is_inclusive_and_one_second_more_is_out(contracts):
    assert decide(order(), [click(delta=-WEEK)], contracts, WEEK).rule == "last_click"
    assert decide(order(), [click(delta=-WEEK - timedelta(seconds=1))], contracts, WEEK).rule == "unattributed"


def test_window_is_configurable(contracts):
    assert decide(order(), [click(delta=-timedelta(days=2))], contracts, timedelta(days=1)).rule == "unattributed"


def test_clicks_after_the_order_never_count(contracts):
    assert decide(order(), [click(delta=timedelta(seconds=1))], contracts, WEEK).rule == "unattributed"
    assert decide(order(click_id="k1"), [click(delta=timedelta(minutes=1))], contracts, WEEK).rule == "unattributed"


def test_click_with_influencer_id_needs_no_contract(contracts):
    d = decide(order(), [click(link_code=None, influencer_id="inf-q", source="YouTube")], contracts, WEEK)
    assert (d.rule, d.influencer_id, d.platform) == ("last_click", "inf-q", "youtube")


def test_unknown_link_code_is_skipped_for_an_older_known_one(contracts):
    clicks = [click("k1", -timedelta(hours=5)), click("k2", -timedelta(hours=1), link_code="nobody")]
    assert decide(order(), clicks, contracts, WEEK).click_id == "k1"


def make_attributor(contracts):
    return Attributor(Settings(env="dev"), contracts, {}, {}, {})


def test_mixed_brand_basket_credits_each_brand_with_its_lines(contracts):
    a = make_attributor(contracts)
    lines = [{"product": "Whey", "brand": "MuscleBlaze", "quantity": 1, "revenue": "1000"},
             {"product": "Bar", "brand": "Gritzo", "quantity": 2, "revenue": "300.50"},
             {"product": "Creatine", "brand": "MuscleBlaze", "quantity": 1, "revenue": "500"}]
    out = [r for _, r in a.handle(order(coupon_code="ALPHA10", lines=lines))]
    assert [(r["brand"], r["revenue"], r["counts_order"]) for r in out] == [
        ("MuscleBlaze", "1000", True), ("Gritzo", "300.50", True), ("MuscleBlaze", "500", False)]
    assert {r["influencer_id"] for r in out} == {"inf-a"}


def test_an_order_seen_twice_emits_the_same_records(contracts):
    a = make_attributor(contracts)
    a.handle({"type": "click", **click()})
    first = a.handle(order())
    a.handle({"type": "click", **click("k9", link_code="beta", delta=-timedelta(minutes=1))})
    assert a.handle(order()) == first


def test_refunds_are_floored_at_zero_and_repeat_identically(contracts):
    a = make_attributor(contracts)
    lines = [{"product": "Whey", "brand": "MuscleBlaze", "quantity": 1, "revenue": "750"},
             {"product": "Bar", "brand": "Gritzo", "quantity": 1, "revenue": "250"}]
    a.handle(order(influencer_id="inf-a", lines=lines))
    r1 = a.handle(refund("r1", "400"))
    assert [(r["line_no"], r["amount"]) for _, r in r1] == [(0, "300.00"), (1, "100.00")]
    r2 = a.handle(refund("r2", "5000"))  # more than what is left: only the rest
    assert sum(Decimal(r["amount"]) for _, r in r2) == Decimal("600")
    assert a.handle(refund("r2", "5000")) == r2  # a retry of the same refund changes nothing
    assert a.handle(refund("r3", "1")) == []


def test_a_refund_before_its_order_waits_for_it(contracts):
    a = make_attributor(contracts)
    assert a.handle(refund("r1", "100")) == []
    out = [r for _, r in a.handle(order(influencer_id="inf-a"))]
    assert [r["kind"] for r in out] == ["order_line", "refund_line"]
    assert out[1]["amount"] == "100.00"


def test_an_order_processed_again_re_emits_the_refunds_it_absorbed(contracts):
    # the first run's records can die with a killed worker while its table writes survive (RocksDB):
    # the second run must send the waiting refund again, not only the order lines
    a = make_attributor(contracts)
    a.handle(refund("r1", "100"))
    first = a.handle(order(influencer_id="inf-a"))
    assert a.handle(order(influencer_id="inf-a")) == first
    assert [r["kind"] for _, r in first] == ["order_line", "refund_line"]


class CrashOnDelete(dict):
    def __delitem__(self, key):
        raise KeyboardInterrupt("worker killed")


def test_a_crash_between_applying_and_dropping_a_waiting_refund_loses_nothing(contracts):
    pending = CrashOnDelete()
    a = Attributor(Settings(env="dev"), contracts, {}, {}, pending)
    a.handle(refund("r1", "100"))
    with pytest.raises(KeyboardInterrupt):
        a.handle(order(influencer_id="inf-a"))
    a.pending = {**pending}  # the restarted worker: the refund is still waiting, and already on the order
    out = [r for _, r in a.handle(order(influencer_id="inf-a"))]
    assert [(r["kind"], r.get("amount")) for r in out] == [("order_line", None), ("refund_line", "100.00")]
    assert a.pending == {}


@pytest.mark.parametrize("amount,remaining,expected", [
    ("100", ["0.01", "0.01", "99.98"], ["0.01", "0.01", "99.98"]),
    ("10", ["3", "3", "3"], ["3", "3", "3"]),
    ("1", ["1", "1", "1"], ["0.34", "0.33", "0.33"]),
    ("0", ["5"], ["0"]),
])
def test_split_refund_adds_up_exactly(amount, remaining, expected):
    parts = split_refund(Decimal(amount), [Decimal(r) for r in remaining])
    assert parts == [Decimal(e) for e in expected]
    assert all(p <= Decimal(r) for p, r in zip(parts, remaining, strict=True))


def test_clicks_are_bounded_per_customer(contracts):
    a = Attributor(Settings(env="dev", max_clicks_per_customer=3), contracts, {}, {}, {})
    for i in range(10):
        a.handle({"type": "click", **click(f"k{i}", delta=timedelta(minutes=i - 20))})
    assert [c["click_id"] for c in a.customers["cus"]] == ["k7", "k8", "k9"]


def test_precedence_is_configurable_and_a_rule_left_out_is_never_used(contracts):
    o = order(influencer_id="inf-z", coupon_code="BETA", click_id="k1")
    clicks = [click(), click("k2", -timedelta(minutes=5), link_code="beta")]
    assert decide(o, clicks, contracts, WEEK, ("coupon", "explicit")).rule == "coupon"
    assert decide(o, clicks, contracts, WEEK, ("last_click", "click")).click_id == "k2"
    assert decide(o, clicks, contracts, WEEK, ("click",)).click_id == "k1"
    assert decide(order(), clicks, contracts, WEEK, ("explicit", "coupon", "click")).rule == "unattributed"
    assert decide(o, clicks, contracts, WEEK).rule == "explicit"  # DESIGN.md's order by default


def test_a_precedence_naming_an_unknown_or_repeated_rule_is_refused():
    assert Settings(env="dev", attribution_precedence="coupon, last_click").attribution_precedence == ["coupon", "last_click"]
    for bad in ("coupon,coupon", "coupon,first_touch", ""):
        with pytest.raises(ValueError, match="HK_ATTRIBUTION_PRECEDENCE"):
            Settings(env="dev", attribution_precedence=bad)
