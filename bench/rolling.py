"""``hk bench rolling``: rolling-window queries at N influencers × D days of influencer_daily, read from the
maintained sums (what the boards read) against the same view computed from the daily rows (the baseline:
what every read would cost without the maintained table)."""
from __future__ import annotations

import time
from contextlib import contextmanager

from sqlalchemy import text

from services.aggregator.migrate import migrate
from services.common.db import make_engine
from services.common.settings import Settings

from .timing import print_table, time_query

FILL = """
INSERT INTO influencers
SELECT 'inf-' || i, 'creator ' || i, (ARRAY['Fitness','Nutrition','Wellness','Bodybuilding','Yoga'])[1 + i % 5],
       NULL, 1000 + i, (ARRAY['instagram','youtube','twitter'])[1 + i % 3], now()
FROM generate_series(1, :n) i;
INSERT INTO influencer_daily (day, influencer_id, brand, platform, orders, revenue, spend, posts, reach, likes, comments)
SELECT business_today() - dd, 'inf-' || i, (ARRAY['MuscleBlaze','HKVitals','Gritzo'])[1 + i % 3],
       (ARRAY['instagram','youtube','twitter'])[1 + i % 3], (i + dd) % 4, ((i * 13 + dd) % 500) * 10.5,
       ((i * 17 + dd) % 300) * 7.25, ((i + dd) % 7 = 0)::int, ((i + dd) % 7 = 0)::int * (1000 + i % 5000),
       ((i + dd) % 7 = 0)::int * (i % 90), ((i + dd) % 7 = 0)::int * (i % 11)
FROM generate_series(0, :days - 1) dd, generate_series(1, :n) i;
"""
QUERIES = {
    "top 10 influencers by 7-day ROAS": "SELECT * FROM report_rolling(7) LIMIT 10",
    "every influencer, 7 and 30 days": "SELECT * FROM influencer_rolling",
    "one influencer's windows": "SELECT * FROM influencer_rolling WHERE influencer_id = 'inf-4242'",
    "per-brand windows": "SELECT * FROM brand_rolling",
    "one brand's 30-day top 10": "SELECT * FROM report_rolling(30, ARRAY['Gritzo']) LIMIT 10",
}


@contextmanager
def stale_windows(engine):
    """Make the maintained sums look a day old, so the view computes from influencer_daily."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE rolling_state SET as_of = as_of - 1"))
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE rolling_state SET as_of = as_of + 1"))


def run(influencers: int, days: int, repeat: int) -> None:
    from devstack.postgres import EmbeddedPostgres
    pg = EmbeddedPostgres().start()
    try:
        url = pg.create_database("hk_bench_rolling")
        migrate(Settings(env="dev", database_url=url))
        engine = make_engine(url)
        started = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE influencer_daily SET UNLOGGED"))  # a bench database: load speed only
            for statement in FILL.split(";")[:-1]:
                conn.execute(text(statement), {"n": influencers, "days": days})
        with engine.begin() as conn:
            conn.execute(text("ANALYZE influencers"))
            conn.execute(text("ANALYZE influencer_daily"))
        rows = influencers * days
        print(f"loaded {rows:,} influencer_daily rows ({influencers:,} influencers × {days} days) "
              f"in {time.perf_counter() - started:.0f}s", flush=True)
        with engine.begin() as conn:
            conn.execute(text("UPDATE rolling_state SET as_of = as_of - 1"))
        started = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(text("SELECT refresh_rolling()"))
            conn.execute(text("ANALYZE rolling_sums"))
        print(f"refresh_rolling() (once per business day) rebuilt the windows in {time.perf_counter() - started:.2f}s\n")
        table = []
        for name, sql in QUERIES.items():
            fast = time_query(engine, sql, repeat)
            with stale_windows(engine):
                slow = time_query(engine, sql, max(3, repeat // 2))
            table.append((name, f"{fast[0]:.1f}", f"{fast[1]:.1f}", f"{slow[0]:.1f}", f"{slow[0] / fast[0]:.0f}×"))
        print_table(("query", "maintained p50 ms", "p95 ms", "from daily rows p50 ms (baseline)", "speed-up"), table)
        engine.dispose()
    finally:
        pg.cleanup()
