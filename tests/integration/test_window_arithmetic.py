"""Where Python and SQL must agree, checked on a real PostgreSQL over generated data: the windows a batch adds to
(rolling.window_deltas, Python, per batch) against the windows' definition (rolling_from_daily, SQL, used by the
refresh and the rebuild): which days fall in a window, and incremental revenue at each brand's baseline. ROAS
has one rounding only, SQL's ratio(); the alert detector reads it (services/alerts/store.py)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from services.aggregator.batch import Deltas
from services.aggregator.migrate import migrate
from services.aggregator.rolling import window_deltas
from services.common.db import make_engine
from services.common.settings import Settings

pytestmark = pytest.mark.postgres
AS_OF = date(2026, 3, 10)
MEASURES = ("orders", "revenue", "incremental_revenue", "spend")
money = st.decimals(min_value=0, max_value=10**12, places=4)
# days relative to the windows' end: anywhere, and on either side of each window's first day (7, 30, 31, 366 long)
offsets = st.integers(-400, 2) | st.sampled_from([d - n for n in (7, 30, 31, 366) for d in (0, 1)] + [0, 1])
facts = st.lists(st.tuples(offsets, st.sampled_from(["i1", "i2"]), st.sampled_from(["MB", "HK", "GZ"]),
                           st.integers(0, 3), money, money), max_size=12)


@pytest.fixture(scope="module")
def engine(postgres):
    url = postgres.create_database("hk_window_arithmetic")
    migrate(Settings(env="dev", database_url=url, brand_baselines={"MB": "0.35", "HK": "0"}))
    engine = make_engine(url)
    yield engine
    engine.dispose()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(facts=facts)
def test_the_windows_a_batch_adds_to_are_the_windows_sql_defines(engine, facts):
    deltas = Deltas()
    for offset, influencer, brand, orders, revenue, spend in facts:
        deltas.add((AS_OF + timedelta(days=offset), influencer, brand, "instagram"), orders=orders, revenue=revenue,
                   spend=spend)
    with engine.begin() as conn:
        windows = conn.execute(text("SELECT rolling_windows()")).scalar_one()
        default = conn.execute(text("SELECT value::numeric FROM app_config WHERE key = 'incremental_baseline'")).scalar_one()
        baseline = dict(conn.execute(text("SELECT brand, incremental_baseline FROM brand_config")).all())
        python = {k: tuple(v.get(m, 0) for m in MEASURES) for k, v in
                  window_deltas(deltas, AS_OF, windows, baseline, default).items()}
        conn.execute(text("DELETE FROM influencer_daily"))
        rows = [{"d": k[0], "i": k[1], "b": k[2], "o": v["orders"], "r": v["revenue"], "s": v["spend"]}
                for k, v in deltas.sorted_rows()]
        if rows:
            conn.execute(text("INSERT INTO influencer_daily (day, influencer_id, brand, platform, orders, revenue, spend) "
                              "VALUES (:d, :i, :b, 'instagram', :o, :r, :s)"), rows)
        sql = {(n, i, b): tuple(row) for n, i, b, *row in conn.execute(text(
            f"SELECT window_days, influencer_id, brand, {', '.join(MEASURES)} FROM rolling_from_daily(:d)"), {"d": AS_OF})}
    assert python == sql
    assert baseline == {"MB": Decimal("0.3500"), "HK": Decimal("0.0000")}  # both the set and the default paths ran
