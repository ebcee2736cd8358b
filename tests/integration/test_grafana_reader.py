"""The read-only role Grafana connects as: it can run every report and cannot change anything."""
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from services.aggregator.migrate import migrate
from services.common.db import sqlalchemy_url
from services.common.settings import Settings
from services.reports.catalog import REPORTS, run

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def reader(postgres):
    url = postgres.create_database("hk_reader")
    migrate(Settings(env="dev", database_url=url))
    owner = make_url(sqlalchemy_url(url))
    engine = create_engine(owner.set(username="hk_grafana", password="grafana-dev"))
    yield engine
    engine.dispose()


def test_the_reader_runs_every_report(reader):
    with reader.connect() as conn:
        assert conn.execute(text("SELECT current_user, current_setting('statement_timeout'), "
                                 "current_setting('default_transaction_read_only')")).one() == ("hk_grafana", "10s", "on")
        for name in REPORTS:
            run(conn, name).all()
        assert conn.execute(text("SELECT count(*) FROM influencer_rolling")).scalar_one() == 0


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
