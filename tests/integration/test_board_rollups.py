"""The campaign board's maintained state (migration 0008) against the facts it summarises, on a real PostgreSQL
through the aggregator's writer:

- daily_totals equals ``daily_totals_from_facts()``, and the windows carry each influencer's category, after
  every batch, through what moves a row: facts of an influencer not known yet, the influencer arriving, its
  category changing, post snapshots replacing each other (engagement rates out and in), a post whose reach was
  zero, refunds, a replayed batch;
- every report answers the same whether it reads the maintained windows and daily_totals or the daily rows:
  each window length, with all brands, one, two and none selected, and the categories filtered.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from services.aggregator.batch import Calendar
from services.aggregator.board_totals import DEFINITIONS
from services.aggregator.migrate import migrate
from services.aggregator.writer import write_batch
from services.common.db import make_engine
from services.common.settings import Settings
from services.reports.catalog import REPORTS, Filters, run

from .report_facts import CONTRACTS, FACTS, INFLUENCERS, LATE, REFUNDS, T, TZ, at, batch, contract, day, line, post, refund

pytestmark = pytest.mark.postgres
BRANDS = ("Gritzo", "HKVitals", "MuscleBlaze")
NEWCOMER = {"type": "influencer", "influencer_id": "Z", "name": "zeta", "category": "Fitness", "platform": "twitter",
            "follower_count": 10}
STEPS = [
    ("onboarding", [*INFLUENCERS, *CONTRACTS]),
    ("facts", FACTS),
    ("an influencer not known yet", [line("z1", "Z", "HKVitals", "250", 3), line("z2", "Z", "Gritzo", "120", 40),
                                     post("z-p", "Z", "twitter", "HKVitals", 3, 800, 30, 2)]),
    ("refunds and a late line", REFUNDS + LATE),
    ("the late line refunded today: clawed back in windows that never paid it", [refund("r3", "c3", "C", "MuscleBlaze", "800", 0)]),
    ("the influencer arrives", [NEWCOMER]),
    ("a new snapshot of every post", [{**p, "observed_at": f"{T.isoformat()}T03:00:00+05:30", "reach": p["reach"] + 500,
                                       "likes": p["likes"] + 7} for p in FACTS if p.get("type") == "post"]),
    ("its category changes, with a fact in the same batch", [{**NEWCOMER, "category": "Yoga"},
                                                              line("z3", "Z", "HKVitals", "75.5", 0),
                                                              refund("zr", "z1", "Z", "HKVitals", "50", 0)]),
    ("a later contract of another basis for A", [{**contract("A-mb2", "A", "MuscleBlaze", "revenue_share", "0.05"),
                                                  "valid_from": at(1, 0)}, line("a3", "A", "MuscleBlaze", "90", 0)]),
    ("a replay", FACTS + REFUNDS),
]


@pytest.fixture(scope="module")
def engine(postgres):
    url = postgres.create_database("hk_board_rollups")
    migrate(Settings(env="dev", database_url=url, business_tz=TZ, brand_baselines={"Gritzo": "0.5"}))
    engine = make_engine(url)
    yield engine
    engine.dispose()


def totals(conn, source: str) -> list:
    return sorted(map(tuple, conn.execute(text(f"SELECT * FROM {source}"))), key=repr)


MISCATEGORISED = """SELECT count(*) FROM rolling_sums r LEFT JOIN influencers i ON i.influencer_id = r.influencer_id
                    WHERE r.category <> CASE WHEN r.influencer_id = '' THEN '' ELSE coalesce(i.category, '') END"""


@pytest.fixture(scope="module")
def written(engine) -> list:
    """STEPS written one batch each; after each, every maintained table beside its definition, and the window rows
    whose category is not their influencer's."""
    after = []
    for step, records in STEPS:
        write_batch(engine, batch(records), Calendar(TZ))
        with engine.connect() as conn:
            after.append((step, {t: (totals(conn, t), totals(conn, d)) for t, d in DEFINITIONS.items()},
                          conn.execute(text(MISCATEGORISED)).scalar_one()))
    return after


def test_the_maintained_tables_equal_their_definitions_after_every_batch(engine, written):
    for step, tables, miscategorised in written:
        for table, (kept, defined) in tables.items():
            assert kept == defined, (step, table)
        assert miscategorised == 0, step  # the windows carry each influencer's category as it is now
    with engine.connect() as conn:
        categories = dict(conn.execute(text("SELECT category, sum(revenue) FROM daily_totals GROUP BY 1")).all())
        rated = conn.execute(text("SELECT sum(rated_posts) FROM daily_totals")).scalar_one()
    assert "" not in categories  # Z's history moved when Z arrived, and again to Yoga
    assert categories["Yoga"] == 2000 + 250 + 120 + 75.5 - 50  # B's order and Z's lines, net of Z's refund
    assert rated == 4  # b1, b2, z-p, and e1 once its reach is no longer zero


def reports(engine, name: str, windows: bool, **filters) -> list:
    """A report's rows, reading the maintained windows or (windows=False) only the daily rows."""
    with engine.connect() as conn:
        if not windows:  # no window matches any range: every report takes its daily-rows branch
            conn.execute(text("CREATE OR REPLACE FUNCTION rolling_windows() RETURNS integer[] IMMUTABLE "
                              "LANGUAGE sql AS $$ SELECT ARRAY[]::integer[] $$"))
        rows = [tuple(r) for r in run(conn, name, Filters(**filters))]
        conn.rollback()
    return rows


@pytest.mark.parametrize("length", [7, 30, 31, 366])
@pytest.mark.parametrize("brands", [None, list(BRANDS), ["MuscleBlaze"], ["Gritzo", "HKVitals"]])
def test_reports_read_the_windows_and_answer_as_the_daily_rows_do(engine, written, length, brands):
    for categories in (None, ["Fitness", "Yoga", "Wellness", "Nutrition"], ["Yoga"]):
        filters = dict(date_from=day(length - 1), date_to=T, brands=brands, categories=categories,
                       platforms=["instagram", "twitter", "youtube", "unknown"])
        for name, report in REPORTS.items():
            for limit in ((None, 1, 3) if report.limit else (None,)):
                if not report.dated:
                    continue
                fast, slow = (reports(engine, name, True, **filters, limit=limit),
                              reports(engine, name, False, **filters, limit=limit))
                assert fast == slow, (name, length, brands, categories, limit)
            if name in ("influencers", "kpis", "brands") and categories is None:
                assert fast, (name, length, brands, categories)  # the comparison is not between two empty answers


def test_the_rolling_report_with_every_brand_chosen_is_the_all_brands_rows(engine, written):
    every = reports(engine, "rolling", True, brands=list(BRANDS))
    assert every == reports(engine, "rolling", True) and every
    with engine.connect() as conn:  # and those equal the chosen brands' rows summed, as before 0008
        summed = conn.execute(text(
            "SELECT window_days, influencer_id, sum(revenue), sum(spend) FROM rolling_sums WHERE brand <> '' "
            "AND influencer_id <> '' GROUP BY 1, 2 ORDER BY 1, 2")).all()
    assert sorted((r[0], r[2], r[6], r[7]) for r in every) == [tuple(r) for r in summed]


def test_the_ranked_payouts_are_the_first_rows_of_the_payouts_report(engine, written):
    with engine.connect() as conn:
        negative = conn.execute(text("SELECT count(*) FROM contract_windows WHERE amount < 0")).scalar_one()
        assert negative, "the dataset has a contract clawed back more than it paid in a window"
        for length in (7, 30, 31, 366, 12):  # 12: no window, report_payouts itself
            for brands in (None, list(BRANDS), ["MuscleBlaze"]):
                for categories, limit in ((None, None), (None, 1), (None, 3), (["Fitness", "Yoga"], 2)):
                    args = {"f": day(length - 1), "t": T, "b": brands, "c": categories, "n": limit}
                    ranked = conn.execute(text("SELECT * FROM report_payouts_top(:f, :t, :b, NULL, :c, :n)"), args).all()
                    full = conn.execute(text("SELECT * FROM report_payouts(:f, :t, :b, NULL, :c) LIMIT :n"), args).all()
                    assert ranked == full and full, (length, brands, categories, limit)


@pytest.mark.parametrize("stale", [False, True])
def test_the_ranked_rolling_report_is_the_first_rows_of_the_rolling_report(engine, written, stale):
    with engine.connect() as conn:
        if stale:  # the day turned and nothing refreshed yet: the walk must not read yesterday's windows
            conn.execute(text("UPDATE rolling_state SET as_of = as_of - 1"))
            conn.execute(text("UPDATE rolling_sums SET revenue = revenue + 1000000"))
        for window in (7, 30, 31, 366):
            for brands in (None, list(BRANDS), ["MuscleBlaze"], ["Gritzo", "HKVitals"]):
                for categories, limit in ((None, None), (None, 2), (["Fitness", "Yoga"], 1)):
                    args = {"w": window, "b": brands, "c": categories, "n": limit}
                    ranked = conn.execute(text("SELECT * FROM report_rolling_top(:w, :b, :c, :n)"), args).all()
                    full = conn.execute(text("SELECT * FROM report_rolling(:w, :b, :c) LIMIT :n"), args).all()
                    assert ranked == full and (full or categories), (window, brands, categories, limit)
        conn.rollback()


@pytest.mark.parametrize("days", [1, 2, 6, 40, 400])
def test_moving_the_windows_a_few_days_equals_rebuilding_them(engine, written, days):
    """refresh_rolling() moves the windows by the days that leave and enter (400: longer than any window, rebuilt)."""
    with engine.connect() as conn:
        conn.execute(text("SELECT refresh_rolling(true)"))
        rebuilt = [totals(conn, t) for t in ("rolling_sums", "contract_windows", "model_windows")]
        conn.execute(text("SELECT refresh_rolling(true, :d)"), {"d": day(days)})
        then = [totals(conn, t) for t in ("rolling_sums", "contract_windows", "model_windows")]
        # today as the database sees it now: T was read when the module was imported, and a run that crosses the
        # business day's midnight (18:30 UTC for Asia/Kolkata) would otherwise fail here, as one did
        assert conn.execute(text("SELECT refresh_rolling()")).scalar_one() == conn.execute(
            text("SELECT business_today()")).scalar_one() in (T, T + timedelta(days=1))
        moved = [totals(conn, t) for t in ("rolling_sums", "contract_windows", "model_windows")]
        conn.rollback()
    assert then != rebuilt  # the windows of that day differ from today's, so the move has work to do
    assert moved == rebuilt
