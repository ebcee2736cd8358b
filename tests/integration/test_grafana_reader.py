"""The read-only role Grafana connects as. Grafana does not vet a viewer's SQL, so everything here is what
the viewer could try: it runs every report and every panel, reads nothing outside the reporting contract,
cannot write even after lifting read-only, and cannot lift the time bound."""
import json
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from services.aggregator.migrate import alembic_config, migrate
from services.aggregator.query_watchdog import cancel_overlong_queries
from services.common.db import sqlalchemy_url
from services.common.settings import Settings
from services.dashboards.build import BOARDS, render
from services.dashboards.expand import expand, targets
from services.reports.catalog import REPORTS, run

pytestmark = pytest.mark.postgres

# One of everything, so every report and panel has a row to compute; the alert outbox is there to be refused.
DATA = """
INSERT INTO influencers VALUES ('inf-1', 'Asha', 'Fitness', 'female', 12000, 'instagram', now());
INSERT INTO contracts VALUES ('con-1', 'inf-1', 'BrandA', 'order', 100, now() - interval '90 days', NULL, '{}', '{}', NULL);
INSERT INTO posts VALUES ('post-1', 'inf-1', 'instagram', 'BrandA', NULL, 'https://example.com/p/1', NULL,
                          now() - interval '1 day', business_today() - 1, 1000, 50, 5, now());
INSERT INTO attributed_orders VALUES ('ord-1', 0, 'cus-hash-1', 'inf-1', 'BrandA', 'Whey', 1, 1500, 0,
                                      now() - interval '1 day', business_today() - 1, 'coupon', 'con-1', NULL, 'instagram', true);
INSERT INTO spend VALUES ('order', 'ord-1', 'con-1', 'inf-1', 'BrandA', 'instagram', business_today() - 1, 100);
INSERT INTO influencer_daily VALUES (business_today() - 1, 'inf-1', 'BrandA', 'instagram', 1, 1500, 100, 1, 1000, 50, 5);
INSERT INTO roas_alerts (influencer_id, brand, window_days, roas_before, roas_now, spend, orders, threshold,
                         drop_fraction, reason, fired_at)
VALUES ('inf-1', 'BrandA', 7, 4, 1.5, 100, 1, 2, 0.5, 'ROAS below 2', now() - interval '1 hour');
INSERT INTO alert_outbox (event_id, influencer_id, payload) VALUES ('evt-1', 'inf-1', '{}');
SELECT refresh_rolling(true);
"""

# What the boards and reports read (services/reports/catalog.py, services/dashboards/): stated here, not
# imported from the migration, so a grant added there without a reason fails this test.
CONTRACT = {"app_config", "brand_config", "brand_rolling", "contract_rates", "contract_windows", "contracts", "daily_totals",
            "influencer_daily", "influencer_rolling", "influencers", "model_daily", "model_totals", "model_windows", "order_lines", "posts",
            "roas_alerts", "rolling_current", "rolling_state", "rolling_sums", "spend"}


def as_reader(url: str):
    # NullPool: the tests change session settings, which must not travel to the next test in a pooled session
    return create_engine(make_url(sqlalchemy_url(url)).set(username="hk_grafana", password="grafana-dev"),
                         poolclass=NullPool)


@pytest.fixture(scope="module")
def database(postgres):
    url = postgres.create_database("hk_reader")
    migrate(Settings(env="dev", database_url=url))
    owner = create_engine(sqlalchemy_url(url))
    with owner.begin() as conn:
        conn.execute(text(DATA))
    yield url, owner
    owner.dispose()


@pytest.fixture(scope="module")
def owner(database):
    return database[1]


@pytest.fixture(scope="module")
def reader(database):
    engine = as_reader(database[0])
    yield engine
    engine.dispose()


def test_the_reader_runs_every_report(reader):
    with reader.connect() as conn:
        assert conn.execute(text("SELECT current_user, current_setting('statement_timeout'), "
                                 "current_setting('default_transaction_read_only')")).one() == ("hk_grafana", "10s", "on")
        for name in REPORTS:
            run(conn, name).all()
        assert conn.execute(text("SELECT count(*) FROM influencer_rolling")).scalar_one() == 4  # 7, 30, 31, 366 days


@pytest.mark.parametrize("name", BOARDS)
def test_every_panel_query_runs_as_the_reader(reader, name):
    """What test_dashboard_queries proves on the pipeline's data, without Kafka: each SQL target of the board,
    annotations and variables included, expanded as Grafana expands it: every multi-value variable at "All", each
    single-value one (the attribution model) at each of its values in turn."""
    board = json.loads(render(name))
    end = datetime.now(timezone.utc)
    with reader.connect() as conn:
        variables = [v for v in board.get("templating", {}).get("list", []) if v["type"] == "query"]
        options = {v["name"]: [r[0] for r in conn.execute(text(v["query"]))] for v in variables}
        assert all(options.values()), options
        single = [v["name"] for v in variables if not v.get("multi")]
        everything = {k: (v if k not in single else v[:1]) for k, v in options.items()}
        selections = [everything] + [{**everything, k: [value]} for k in single for value in options[k][1:]]
        for values in selections:
            for _panel, sql in targets(board):
                conn.execute(text(expand(sql, end - timedelta(days=30), end, values))).all()


@pytest.mark.parametrize("sql", [
    "SELECT customer_id FROM attributed_orders",
    "SELECT count(*) FROM attributed_orders",
    "SELECT * FROM alert_outbox",
    "SELECT * FROM alembic_version",
])
def test_the_reader_cannot_read_outside_the_contract(reader, sql):
    with reader.connect() as conn, pytest.raises(DBAPIError, match="permission denied"):
        conn.execute(text(sql))


def test_order_reports_hide_customer_ids_from_the_reader_only(owner, reader):
    """report_orders (the drill-down, hk export) and report_orders_latest (Revenue tracking) read order_lines,
    which shows customer_id to whoever may read it in attributed_orders: the owner's exports keep it."""
    latest = "SELECT customer_id FROM report_orders_latest()"
    with reader.connect() as conn:
        assert [r.customer_id for r in run(conn, "orders")] == [None]
        assert conn.execute(text(latest)).scalars().all() == [None]
    with owner.connect() as conn:
        assert [r.customer_id for r in run(conn, "orders")] == ["cus-hash-1"]
        assert conn.execute(text(latest)).scalars().all() == ["cus-hash-1"]


def test_the_reader_can_read_exactly_the_reporting_contract(owner):
    with owner.connect() as conn:
        readable = set(conn.execute(text(
            "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace "
            "AND has_any_column_privilege('hk_grafana', oid, 'SELECT')")).scalars())
        writable = conn.execute(text(
            "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'v', 'p') "
            "AND (has_table_privilege('hk_grafana', oid, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER') "
            "     OR has_any_column_privilege('hk_grafana', oid, 'INSERT, UPDATE, REFERENCES'))")).scalars().all()
        # a SECURITY DEFINER function would read as its owner, around every grant above
        definers = conn.execute(text("SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace "
                                     "AND prosecdef")).scalars().all()
        creates = conn.execute(text(
            "SELECT has_database_privilege('hk_grafana', current_database(), 'CREATE, TEMPORARY'), "
            "has_schema_privilege('hk_grafana', 'public', 'CREATE')")).one()
    assert readable == CONTRACT
    assert writable == [] and definers == [] and creates == (False, False)


@pytest.mark.parametrize("sql", [
    "INSERT INTO app_config VALUES ('x', 'y')",
    "UPDATE influencer_daily SET revenue = 0",
    "DELETE FROM attributed_orders",
    "CREATE TABLE mine (x int)",
    "SELECT refresh_rolling(true)",
    "SET TRANSACTION READ WRITE; INSERT INTO app_config VALUES ('x', 'y')",
])
def test_the_reader_cannot_write(reader, sql):
    with reader.connect() as conn, pytest.raises(DBAPIError, match="permission denied|read-only transaction"):
        for statement in sql.split("; "):
            conn.execute(text(statement))


WRITES = [
    "INSERT INTO app_config VALUES ('x', 'y')",
    "UPDATE influencer_daily SET revenue = 0",
    "DELETE FROM roas_alerts",
    "CREATE TABLE mine (x int)",
    "CREATE TEMP TABLE mine (x int)",
    "CREATE SCHEMA mine",
    "SELECT refresh_rolling(true)",
]


def test_lifting_read_only_gains_the_reader_nothing(reader):
    """default_transaction_read_only is a role default the session may turn off; the grants are the wall."""
    refused = {}
    with reader.connect() as conn:
        conn.execute(text("SET default_transaction_read_only = off"))
        conn.commit()
        for sql in WRITES:
            conn.execute(text("SET TRANSACTION READ WRITE"))
            assert conn.execute(text("SHOW transaction_read_only")).scalar_one() == "off"
            try:
                conn.execute(text(sql))
                refused[sql] = None
            except DBAPIError as exc:
                refused[sql] = str(exc.orig).splitlines()[0]
            conn.rollback()
    assert {sql: error for sql, error in refused.items() if not (error or "").startswith("permission denied")} == {}


PROBE = "hk_watchdog_probe"  # a non-superuser stand-in for the aggregator's user


@pytest.fixture(scope="module")
def probe(owner):
    with owner.begin() as conn:
        conn.execute(text(f"DROP ROLE IF EXISTS {PROBE}; CREATE ROLE {PROBE} NOLOGIN"))
    yield PROBE
    with owner.begin() as conn:
        conn.execute(text(f"DROP ROLE {PROBE}"))


def sleeping(owner) -> bool:
    with owner.connect() as conn:  # a new transaction each time: pg_stat_activity is a snapshot per transaction
        return bool(conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE usename = 'hk_grafana' "
                                      "AND state = 'active' AND query LIKE '%pg_sleep%'")).scalar_one())


@pytest.mark.parametrize("caller", ["owner", "member of hk_grafana"])
def test_the_watchdog_cancels_a_query_that_lifted_its_timeout(owner, reader, probe, caller):
    outcome = {}

    def sleep_30s():
        with reader.connect() as conn:
            conn.execute(text("SET statement_timeout = 0"))
            conn.execute(text("SELECT set_config('statement_timeout', '0', false)"))
            outcome["timeout"] = conn.execute(text("SHOW statement_timeout")).scalar_one()
            started = time.monotonic()
            try:
                conn.execute(text("SELECT pg_sleep(30)"))
            except DBAPIError as exc:
                outcome["error"] = str(exc.orig)
            outcome["seconds"] = time.monotonic() - started

    sleeper = threading.Thread(target=sleep_30s)
    sleeper.start()
    try:
        deadline = time.monotonic() + 10
        while not sleeping(owner):
            assert time.monotonic() < deadline, "the reader's query never started"
            time.sleep(0.1)
        time.sleep(1.5)
        with owner.connect() as conn:  # rolled back on close: the probe's membership is for this test only
            if caller != "owner":
                conn.execute(text(f"GRANT hk_grafana TO {probe}; SET LOCAL ROLE {probe}"))
            cancelled = cancel_overlong_queries(conn, limit_s=1)
    finally:
        sleeper.join(timeout=35)
    assert outcome["timeout"] == "0"
    assert cancelled == 1
    assert "canceling statement due to user request" in outcome["error"]
    assert outcome["seconds"] < 10


def test_the_watchdog_refuses_a_caller_that_cannot_see_the_reader(owner, probe):
    """Without the reader's privileges pg_stat_activity hides its queries: finding none would look like health."""
    with owner.connect() as conn, pytest.raises(PermissionError, match=f"{probe} cannot see or cancel hk_grafana's"):
        conn.execute(text(f"SET LOCAL ROLE {probe}"))
        cancel_overlong_queries(conn)


def test_downgrade_restores_the_blanket_grants(postgres):
    url = postgres.create_database("hk_reader_downgrade")
    migrate(Settings(env="dev", database_url=url))
    command.downgrade(alembic_config(url), "0005")
    owner, reader = create_engine(sqlalchemy_url(url)), as_reader(url)
    try:
        with owner.begin() as conn:
            conn.execute(text("CREATE TABLE later (x int)"))  # 0003's default privileges cover it again
        with reader.connect() as conn:
            conn.execute(text("SELECT customer_id FROM attributed_orders, alert_outbox, alembic_version, later")).all()
            conn.commit()
            conn.execute(text("SET TRANSACTION READ WRITE"))
            conn.execute(text("CREATE TEMP TABLE mine (x int)"))
        with owner.begin() as conn:
            conn.execute(text("DROP TABLE later"))
    finally:
        owner.dispose()
        reader.dispose()
    command.upgrade(alembic_config(url), "head")
