"""The Alembic history runs up, down to nothing, and up again on a real PostgreSQL, and ends where it began."""
import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text

from devstack.sql_catalog import catalog, stale
from services.aggregator.migrate import alembic_config, migrate
from services.common.db import make_engine
from services.common.settings import Settings

pytestmark = pytest.mark.postgres


def test_upgrade_downgrade_upgrade(postgres):
    url = postgres.create_database("hk_migrations")
    settings = Settings(env="dev", database_url=url, brand_baselines={"Gritzo": "0.3"}, underperforming_min_spend="250")
    migrate(settings)
    command.downgrade(alembic_config(url), "0010")  # 0011 down alone: the model stat panels' table goes
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT to_regclass('model_totals')")).scalar_one() is None
        assert conn.execute(text("SELECT count(*) FROM model_windows")).scalar_one() == 0
    engine.dispose()
    command.downgrade(alembic_config(url), "0009")  # 0010 down alone: the model reports as 0009 left them
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT to_regclass('model_windows')")).scalar_one() is None
        assert conn.execute(text("SELECT count(*) FROM report_model_figures(p_model => 'linear')")).scalar_one() == 0
        assert conn.execute(text("SELECT refresh_rolling(true)")).scalar_one()  # 0008's, without the model windows
    engine.dispose()
    command.downgrade(alembic_config(url), "0008")  # 0009 down alone: the order reports as 0006 left them
    engine = make_engine(url)
    with engine.connect() as conn:
        assert "touchpoints" not in conn.execute(text("SELECT * FROM report_orders() LIMIT 0")).keys()
        assert conn.execute(text("SELECT to_regclass('model_daily')")).scalar_one() is None
    engine.dispose()
    command.downgrade(alembic_config(url), "base")
    migrate(settings)
    engine = make_engine(url)
    with engine.connect() as conn:
        head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head == "0011"
        assert conn.execute(text("SELECT count(*) FROM source_offsets")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM daily_totals")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM model_daily")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM model_windows")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM report_model_totals()")).scalar_one() == 6  # a row per model
        assert list(conn.execute(text("SELECT * FROM report_orders() LIMIT 0")).keys())[-1] == "touchpoints"
        assert list(conn.execute(text("SELECT * FROM order_lines LIMIT 0")).keys())[-1] == "touchpoints"
        assert [tuple(map(str, r)) for r in conn.execute(text("SELECT * FROM brand_config"))] == [("Gritzo", "0.3000")]
        assert conn.execute(text("SELECT value FROM app_config WHERE key = 'underperforming_min_spend'")).scalar_one() == "250"
        assert conn.execute(text("SELECT as_of = business_today() FROM rolling_state")).scalar_one() is True
    engine.dispose()
    # down to nothing and up again restores every function and view exactly as a first upgrade makes them
    assert stale(catalog(url)) == []
