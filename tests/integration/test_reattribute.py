"""``hk reattribute`` on the real stack: a storefront history with clicks over three weeks, attributed live with a
7-day window, then re-attributed beside it.

- With the live settings, the re-run's tables equal the live ones row for row (facts, spend, rollups, the models'
  credits): the what-if path is the live path, so a difference it prints is the settings', not the tool's.
- With a 21-day window, every line attributed live keeps its influencer and more lines are attributed (a longer
  window can only add last clicks behind the same most recent one); with precedence last_click,coupon an
  order with both a click in the window and a coupon goes to the click.
- The live tables are untouched, the re-run's reader joins no group and commits nothing (the live workers' groups
  are not disturbed), and the CLI prints the comparison from a
  scratch database it drops.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from services.common.db import make_engine
from services.simulator.world import World
from services.whatif.reattribute import reattribute, what_if

from .pipeline import Pipeline, eventually
from .topic_reader import group_offsets

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]
TABLES = ("attributed_orders", "refunds", "spend", "influencer_daily", "daily_totals", "model_credits", "model_daily", "model_totals",
          "rolling_sums")


def history() -> tuple[list[dict], list[dict]]:
    """Setup, then 21 days of events (a batch of 60 every 8 hours) from 150 customers, so clicks and orders meet."""
    world = World(seed=3, prefix=f"wi{uuid.uuid4().hex[:4]}")
    world._customer = lambda: f"{world.prefix}-cus-{world.rng.randint(1, 150)}"
    start = datetime.now(timezone.utc) - timedelta(days=21)
    events = [e for n in range(63) for e in world.next_events(60, now=start + timedelta(hours=8 * n))]
    return world.setup_events(), events


def settled(read, timeout_s: float = 60) -> None:
    """Until two reads a second apart agree."""
    def twice():
        first = read()
        time.sleep(1)
        return first, read()
    eventually(twice, lambda pair: pair[0] == pair[1], timeout_s, "settled")


def rows(engine, table: str) -> list:
    with engine.connect() as conn:
        return sorted(map(tuple, conn.execute(text(f"SELECT * FROM {table}"))), key=repr)


@pytest.fixture(scope="module")
def live(kafka_bootstrap, postgres, tmp_path_factory):
    setup, events = history()
    p = Pipeline(kafka_bootstrap, postgres, tmp_path_factory.mktemp("reattribute"))
    try:
        assert p.post(setup).status_code == 202
        contracts = sum(e["type"] == "contract" for e in setup)
        eventually(lambda: p.query("SELECT count(*) FROM contracts")[0][0], lambda n: n == contracts, 60, "contracts")
        for i in range(0, len(events), 300):
            assert p.post(events[i:i + 300]).status_code == 202
        lines = sum(len(e["lines"]) for e in events if e["type"] == "order")
        posts = len({e["post_id"] for e in events if e["type"] == "post"})
        eventually(lambda: p.query("SELECT (SELECT count(*) FROM attributed_orders), (SELECT count(*) FROM posts)")[0],
                   lambda n: tuple(n) == (lines, posts), 180, "every line and post written")
        settled(lambda: p.query("SELECT count(*), sum(amount) FROM refunds")[0])  # refunds follow their orders
        yield p
    finally:
        p.close()


def test_with_the_live_settings_the_re_run_equals_the_live_tables(live, postgres, kafka_bootstrap):
    before = {t: rows(live.engine, t) for t in TABLES}
    url = postgres.create_database(f"hk_whatif_{uuid.uuid4().hex[:8]}")
    done = reattribute(live.settings, url, batch_size=700, progress=False)
    assert done.records > 0 and not done.skipped
    same = make_engine(url)
    try:
        assert [t for t in TABLES if rows(same, t) != before[t]] == []
        assert rows(same, "model_credits"), "the models credited nothing: the comparison would be vacuous"
    finally:
        same.dispose()
    assert {t: rows(live.engine, t) for t in TABLES} == before, "the live tables changed"
    assert group_offsets(kafka_bootstrap, f"{live.settings.app_id}-reattribute") == {}, "the re-run committed offsets"


def lines_by_key(engine) -> dict:
    with engine.connect() as conn:
        return {(o, n): (i, r, rev) for o, n, i, r, rev in conn.execute(text(
            "SELECT order_id, line_no, influencer_id, rule, revenue FROM attributed_orders"))}


def test_a_longer_window_keeps_every_live_credit_and_adds_last_clicks(live, postgres):
    url = postgres.create_database(f"hk_whatif_{uuid.uuid4().hex[:8]}")
    reattribute(what_if(live.settings, 21, None, None), url, batch_size=700, progress=False)
    wider = make_engine(url)
    try:
        now, then = lines_by_key(live.engine), lines_by_key(wider)
    finally:
        wider.dispose()
    assert now.keys() == then.keys()
    kept = [k for k, (influencer, _, _) in now.items() if influencer]
    assert all(then[k][0] == now[k][0] for k in kept), "a line attributed live changed influencer"
    added = [k for k, (influencer, _, _) in now.items() if not influencer and then[k][0]]
    assert added and all(then[k][1] == "last_click" for k in added)


def test_clicks_before_coupons_moves_coupon_orders_with_a_click_in_the_window(live, postgres):
    url = postgres.create_database(f"hk_whatif_{uuid.uuid4().hex[:8]}")
    reattribute(what_if(live.settings, None, ["last_click", "coupon"], None), url, batch_size=700, progress=False)
    swapped = make_engine(url)
    try:
        now, then = lines_by_key(live.engine), lines_by_key(swapped)
    finally:
        swapped.dispose()
    moved = [k for k, (_, rule, _) in now.items() if rule == "coupon" and then[k][1] == "last_click"]
    assert moved, "no coupon order had a click in its window: the workload does not test the precedence"
    assert all(then[k][1] == "coupon" for k, (_, rule, _) in now.items() if rule == "coupon" and k not in moved)
    assert {k for k, v in then.items() if v[1] == "last_click"} >= {k for k, v in now.items() if v[1] == "last_click"}


def test_the_cli_prints_the_comparison_from_a_scratch_database_it_drops(live):
    env = {**os.environ, **live.env}
    done = subprocess.run([sys.executable, "-m", "services.cli", "reattribute", "--window-days", "14", "--model", "linear",
                           "--limit", "5", "--no-progress"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert out[0].startswith("model linear, business days ") and "what if: window 14 d" in out[0]
    assert out[1].split()[:3] == ["influencer", "revenue", "now"] and len(out) == 1 + 2 + 5 + 2
    assert out[-1].endswith("changed rank")
    scratch = live.query("SELECT count(*) FROM pg_database WHERE datname LIKE :n", n=f"{live.engine.url.database}_whatif_%")
    assert scratch[0][0] == 0, "the scratch database was left behind"
