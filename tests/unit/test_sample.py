"""hk sample: the seed's sample shape, and payouts.csv totals that agree with the rows they price."""
from datetime import date
from decimal import Decimal

from services.simulator.sample import sample_tables
from services.simulator.world import World


def test_the_sample_has_the_seeds_shape():
    t = sample_tables(days=90, end=date(2026, 6, 30))
    assert len(t["influencers.csv"]) == 15 and len({i["category"] for i in t["influencers.csv"]}) == 5
    assert len(t["posts.csv"]) >= 200 and {p["platform"] for p in t["posts.csv"]} == {"Instagram", "YouTube", "Twitter"}
    assert {r["brand"] for r in t["tracking.csv"]} == {"MuscleBlaze", "HKVitals", "Gritzo"}
    assert min(r["date"] for r in t["tracking.csv"]) == "2026-04-02" and max(r["date"] for r in t["tracking.csv"]) == "2026-06-30"
    assert sample_tables(days=90, end=date(2026, 6, 30)) == t  # the same seed, the same files


def test_payout_totals_price_the_rows_with_the_influencers_contract():
    t = sample_tables(days=30, end=date(2026, 6, 30))
    contracts = {c["influencer_id"]: c for c in World().contracts}
    assert len(t["payouts.csv"]) == len(contracts)  # a row per contract: an empty file would check nothing
    assert {p["basis"] for p in t["payouts.csv"]} == {c["basis"] for c in contracts.values()}
    for p in t["payouts.csv"]:
        iid, rate = p["influencer_id"], Decimal(p["rate"])
        mine = [r for r in t["tracking.csv"] if r["influencer_id"] == iid]
        units = {"post": sum(x["influencer_id"] == iid for x in t["posts.csv"]), "order": sum(r["orders"] for r in mine),
                 "revenue_share": sum(Decimal(r["revenue"]) for r in mine)}[p["basis"]]
        assert (p["basis"], rate) == (contracts[iid]["basis"], Decimal(contracts[iid]["rate"]))
        assert Decimal(p["total_payout"]) == rate * units and p["orders"] == sum(r["orders"] for r in mine)
