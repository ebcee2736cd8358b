"""Every reporting function against a small dataset whose figures are worked out by hand below, on a real
PostgreSQL through the aggregator's writer. Days are relative to today (T) in the business time zone, so
the rolling windows are tested on real dates.

Influencers and contracts (baseline 0.2, Gritzo 0.5):
  A Fitness/instagram  MuscleBlaze order basis 100/order
  B Yoga/youtube       HKVitals post basis 1000/post, ends T-5 (mid-period: the T-2 post is not paid)
  C Fitness/twitter    MuscleBlaze revenue_share 0.1 (partial and full refund on T, a late order of T-40)
  D Nutrition/insta    no contract (zero spend)
  E Wellness/youtube   Gritzo post basis 500/post (its one post has zero reach)
Facts: A 300 on T-3 and 300 on T -> revenue 600 spend 200 ROAS 3.0 (boundary: average)
       B order 2000 on T-10, posts T-10 (reach 10000, 90+10 -> 1.0 % exactly) and T-2 (5000, 140+10 -> 3.0 %)
         -> revenue 2000 spend 1000 ROAS 2.0 (boundary: average)
       C 1000 and 500 on T-1, refunds 400 (partial) and 500 (full) on T, late 800 on T-40 -> revenue 1400 spend 140
       D 1000 (Gritzo) on T-2; E 400 (Gritzo) on T-1 and a post on T-1; an unattributed 999 line on T.
"""
from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlalchemy import text

from services.aggregator.batch import Calendar
from services.aggregator.migrate import migrate
from services.aggregator.rolling import RollingClock
from services.aggregator.writer import write_batch
from services.common.db import make_engine
from services.common.settings import Settings
from services.reports.catalog import REPORTS, Filters, FilterError, run

from .report_facts import CONTRACTS, FACTS, INFLUENCERS, LATE, REFUNDS, T, TZ, batch, day

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def engine(postgres):
    url = postgres.create_database("hk_reports")
    settings = Settings(env="dev", database_url=url, business_tz=TZ, brand_baselines={"Gritzo": "0.5"})
    migrate(settings)
    engine = make_engine(url)
    calendar = Calendar(TZ)
    for records in ([*INFLUENCERS, *CONTRACTS], FACTS, REFUNDS, LATE, FACTS + REFUNDS):  # the last is a replay
        write_batch(engine, batch(records), calendar)
    yield engine
    engine.dispose()


def report(engine, name, **filters):
    with engine.connect() as conn:
        return [dict(r._mapping) for r in run(conn, name, Filters(**filters))]


def pick(rows, *cols):
    return [tuple(r[c] for c in cols) for r in rows]


def test_kpis_all_time_and_for_a_date_range(engine):
    [k] = report(engine, "kpis")
    # revenue 600+2000+1400+1000+400; spend 200+1000+140+0+500; incremental 480+1600+1120+500+200 (Gritzo 0.5)
    assert k == {"total_revenue": D("5400"), "total_spend": D("1840"), "overall_roas": D("2.9348"), "roas_class": "average",
                 "incremental_roas": D("2.1196"), "total_orders": 8, "total_posts": 3, "total_reach": 15000,
                 "total_likes": 230, "total_comments": 20, "engagement_rate": D("1.6667"),
                 "avg_engagement_rate": D("2.0000"), "influencers": 5, "cpm": D("122.6667"), "cost_per_order": D("230.0000")}
    [week] = report(engine, "kpis", date_from=day(7), date_to=T)
    # T-3 300/100 (1 order), T-2 1000/0 (1, + post b2), T-1 1900/650 (3), T -600/10 (1)
    assert (week["total_revenue"], week["total_spend"], week["total_orders"], week["total_reach"]) == (D(2600), D(760), 6, 5000)
    [none] = report(engine, "kpis", brands=["NoSuchBrand"])
    assert (none["total_revenue"], none["overall_roas"], none["avg_engagement_rate"]) == (0, None, None)


def test_influencers_table_with_class_boundaries_zero_spend_and_zero_reach(engine):
    rows = report(engine, "influencers")
    cols = ("influencer_id", "name", "category", "orders", "revenue", "spend", "roas", "roas_class", "incremental_roas",
            "posts", "reach", "engagement_rate", "engagement_class", "cpm", "cost_per_order")
    assert pick(rows, *cols) == [
        ("C", "gamma", "Fitness", 3, D(1400), D(140), D(10), "good", D(8), 0, 0, None, None, None, D("46.6667")),
        ("A", "alpha", "Fitness", 2, D(600), D(200), D(3), "average", D("2.4"), 0, 0, None, None, None, D(100)),
        ("B", "beta", "Yoga", 1, D(2000), D(1000), D(2), "average", D("1.6"), 2, 15000, D("1.6667"), "average",
         D("66.6667"), D(1000)),
        ("E", "eps", "Wellness", 1, D(400), D(500), D("0.8"), "poor", D("0.4"), 1, 0, None, None, None, D(500)),
        ("D", "delta", "Nutrition", 1, D(1000), D(0), None, None, None, 0, 0, None, None, None, D(0)),
    ]
    assert pick(report(engine, "top_influencers", limit=2), "influencer_id", "roas") == [("C", D(10)), ("A", D(3))]
    # only Fitness, only the last 7 days: C 1500-900 on T-1..T, A 300+300
    assert pick(report(engine, "influencers", categories=["Fitness"], date_from=day(6)), "influencer_id", "revenue", "spend") == [
        ("C", D(600), D(60)), ("A", D(600), D(200))]


def test_underperforming_needs_poor_roas_and_the_minimum_spend(engine):
    assert report(engine, "underperforming") == []  # E is poor (0.8) but spent 500 < the default 1000
    assert pick(report(engine, "underperforming", min_spend=D(500)), "influencer_id", "roas", "spend") == [("E", D("0.8"), D(500))]
    assert report(engine, "underperforming", min_spend=D(501)) == []


def test_platforms_brands_categories_and_daily(engine):
    assert pick(report(engine, "platforms"), "platform", "revenue", "revenue_share_pct", "orders", "spend") == [
        ("youtube", D(2400), D("44.44"), 2, D(1500)), ("instagram", D(1600), D("29.63"), 3, D(200)),
        ("twitter", D(1400), D("25.93"), 3, D(140))]
    assert pick(report(engine, "brands"), "brand", "revenue", "spend", "orders", "roas", "roas_class", "incremental_roas",
                "engagement_rate", "cost_per_order") == [
        ("HKVitals", D(2000), D(1000), 1, D(2), "average", D("1.6"), D("1.6667"), D(1000)),
        ("MuscleBlaze", D(2000), D(340), 5, D("5.8824"), "good", D("4.7059"), None, D(68)),
        ("Gritzo", D(1400), D(500), 2, D("2.8"), "average", D("1.4"), None, D(250))]
    assert pick(report(engine, "categories"), "category", "influencers", "revenue", "spend", "roas") == [
        ("Fitness", 2, D(2000), D(340), D("5.8824")), ("Yoga", 1, D(2000), D(1000), D(2)),
        ("Nutrition", 1, D(1000), D(0), None), ("Wellness", 1, D(400), D(500), D("0.8"))]
    assert pick(report(engine, "daily"), "day", "revenue", "spend", "orders") == [
        (day(40), D(800), D(80), 1), (day(10), D(2000), D(1000), 1), (day(3), D(300), D(100), 1),
        (day(2), D(1000), D(0), 1), (day(1), D(1900), D(650), 3), (day(0), D(-600), D(10), 1)]
    assert pick(report(engine, "daily", platforms=["Twitter"], date_to=day(1)), "day", "revenue") == [
        (day(40), D(800)), (day(1), D(1500))]


def test_posts_engagement_exactly_at_the_class_boundaries(engine):
    assert pick(report(engine, "posts"), "post_id", "reach", "engagement_rate", "engagement_class") == [
        ("e1", 0, None, None), ("b2", 5000, D(3), "average"), ("b1", 10000, D(1), "average")]
    assert pick(report(engine, "posts", brands=["HKVitals"], date_from=day(5)), "post_id") == [("b2",)]


def test_revenue_tracking_lists_every_line_with_its_rule_and_refunds(engine):
    rows = report(engine, "orders", date_from=day(1))
    assert pick(rows, "order_id", "influencer_id", "rule", "revenue", "refunded", "net_revenue") == [
        ("c1", "C", "explicit", D(1000), D(400), D(600)), ("c2", "C", "explicit", D(500), D(500), D(0)),
        ("eo1", "E", "explicit", D(400), D(0), D(400)), ("a1", "A", "explicit", D(300), D(0), D(300)),
        ("u1", None, "unattributed", D(999), D(0), D(999))]
    assert [r["order_id"] for r in report(engine, "orders", categories=["Fitness"], date_from=day(1))] == ["c1", "c2", "a1"]


def test_payouts_and_the_payout_comparison(engine):
    assert pick(report(engine, "payouts"), "contract_id", "basis", "rate", "orders", "posts", "total_payout") == [
        ("B-hk", "post", D(1000), 0, 1, D(1000)), ("E-gz", "post", D(500), 0, 1, D(500)),
        ("A-mb", "order", D(100), 2, 0, D(200)), ("C-mb", "revenue_share", D("0.1"), 0, 0, D(140))]
    # rates: own contract, else the brand's average for the basis, else all brands' (post 750, order 100, share 0.1)
    assert pick(report(engine, "payout_comparison"), "influencer_id", "brand", "current_basis", "actual_payout",
                "cost_post_basis", "cost_order_basis", "cost_revenue_share_basis", "cheapest_basis", "saving") == [
        ("B", "HKVitals", "post", D(1000), D(2000), D(100), D(200), "order", D(900)),
        ("E", "Gritzo", "post", D(500), D(500), D(100), D(40), "revenue_share", D(460)),
        ("A", "MuscleBlaze", "order", D(200), D(0), D(200), D(60), "post", D(200)),
        ("C", "MuscleBlaze", "revenue_share", D(140), D(0), D(300), D(140), "post", D(140)),
        ("D", "Gritzo", None, D(0), D(0), D(100), D(100), "post", D(0))]


ROLLING = {  # window -> influencer -> (orders, revenue, spend, posts, reach, roas)
    7: {"C": (2, D(600), D(60), 0, 0, D(10)), "A": (2, D(600), D(200), 0, 0, D(3)), "E": (1, D(400), D(500), 1, 0, D("0.8")),
        "B": (0, D(0), D(0), 1, 5000, None), "D": (1, D(1000), D(0), 0, 0, None)},
    30: {"C": (2, D(600), D(60), 0, 0, D(10)), "A": (2, D(600), D(200), 0, 0, D(3)),
         "B": (1, D(2000), D(1000), 2, 15000, D(2)), "E": (1, D(400), D(500), 1, 0, D("0.8")),
         "D": (1, D(1000), D(0), 0, 0, None)},
}


def rolling(engine):
    rows = report(engine, "rolling")
    return {w: {r["influencer_id"]: (r["orders"], r["revenue"], r["spend"], r["posts"], r["reach"], r["roas"])
                for r in rows if r["window_days"] == w} for w in (7, 30)}, {r["as_of"] for r in rows}


def test_rolling_windows_are_current_and_equal_a_recomputation(engine):
    assert rolling(engine) == (ROLLING, {T})
    with engine.begin() as conn:
        assert conn.execute(text("SELECT as_of FROM rolling_state")).scalar_one() == T  # maintained, not computed
        brands = conn.execute(text("SELECT brand, revenue, spend, roas, incremental_roas FROM brand_rolling "
                                   "WHERE window_days = 7 ORDER BY 1")).all()
    assert brands == [("Gritzo", D(1400), D(500), D("2.8"), D("1.4")), ("HKVitals", D(0), D(0), None, None),
                      ("MuscleBlaze", D(1200), D(260), D("4.6154"), D("3.6923"))]
    # brand-filtered windows sum the chosen brands' rows; incremental uses each brand's baseline (Gritzo 0.5)
    gritzo = report(engine, "rolling", window=7, brands=["Gritzo"])
    assert pick(gritzo, "influencer_id", "revenue", "spend", "roas", "incremental_roas") == [
        ("E", D(400), D(500), D("0.8"), D("0.4")), ("D", D(1000), D(0), None, None)]
    # A day turns and nothing has refreshed yet: the windows still end yesterday, so the view computes from the
    # daily rows; then the refresh moves the windows a day
    with engine.begin() as conn:
        conn.execute(text("SELECT refresh_rolling(true, :d)"), {"d": day(1)})
        assert conn.execute(text("SELECT sum(revenue) FROM rolling_sums WHERE window_days = 7")).scalar_one() != sum(
            v[1] for v in ROLLING[7].values())  # yesterday's windows differ from today's: they must not be read
    assert rolling(engine) == (ROLLING, {T})
    assert RollingClock(Calendar(TZ)).refresh(engine) == T
    assert rolling(engine) == (ROLLING, {T})


def test_a_report_refuses_a_filter_it_cannot_apply(engine):
    with pytest.raises(FilterError, match="limit must be 0 or more"):
        report(engine, "influencers", limit=-1)
    with pytest.raises(FilterError, match="rolling.*date_from.*end today"):
        report(engine, "rolling", date_from=T)
    with pytest.raises(FilterError, match="after date_to"):
        report(engine, "kpis", date_from=T, date_to=day(1))


@pytest.mark.parametrize("value, roas_class, engagement_class", [
    ("1.9999", "poor", "average"), ("2", "average", "average"), ("3", "average", "average"),
    ("3.0001", "good", "high"), ("0.9999", "poor", "low"), ("1", "poor", "average"), (None, None, None)])
def test_class_boundaries(engine, value, roas_class, engagement_class):
    with engine.connect() as conn:
        got = conn.execute(text("SELECT roas_class(CAST(:v AS numeric)), engagement_class(CAST(:v AS numeric))"), {"v": value}).one()
    assert tuple(got) == (roas_class, engagement_class)


def test_docs_list_every_report_with_the_columns_it_returns(engine):
    import re
    from pathlib import Path
    from services.reports.catalog import REPORTS
    doc = (Path(__file__).parents[2] / "docs" / "reporting.md").read_text()
    documented = {m[1]: [c.strip() for c in m[2].split(",")] for m in re.finditer(r"^\| `(\w+)` \| ([a-z_, ]+) \|$", doc, re.M)}
    with engine.connect() as conn:
        actual = {name: list(run(conn, name).keys()) for name in REPORTS}
    assert documented == actual


def test_hk_export_writes_the_filtered_report_as_csv(engine, tmp_path, monkeypatch, capsys):
    from services.cli import main
    from services.common.settings import get_settings
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    try:
        main(["export", "brands", "--platform", "YouTube", "--brand", "HKVitals,Gritzo", "-o", str(tmp_path / "b.csv")])
        main(["export", "all", "--from", day(7).isoformat(), "-o", str(tmp_path / "all")])
        with pytest.raises(SystemExit, match="does not take date_from"):
            main(["export", "rolling", "--from", day(7).isoformat()])
    finally:
        get_settings.cache_clear()
    lines = (tmp_path / "b.csv").read_text().splitlines()
    assert lines[0].split(",")[:3] == ["brand", "influencers", "posts"]
    # youtube only: B's HKVitals (2000 revenue, 1000 spend, 2 posts) and E's Gritzo (400, 500, 1 post of zero reach)
    assert [ln.split(",")[:3] + [ln.split(",")[9], ln.split(",")[10]] for ln in lines[1:]] == [
        ["HKVitals", "1", "2", "2000.0000", "1000.0000"], ["Gritzo", "1", "1", "400.0000", "500.0000"]]
    written = sorted(p.name for p in (tmp_path / "all").iterdir())
    assert written == sorted(f"{n}.csv" for n in REPORTS if n != "rolling")  # rolling takes no date range
    assert (tmp_path / "all" / "kpis.csv").read_text().splitlines()[1].startswith("2600.0000,760.0000,")
