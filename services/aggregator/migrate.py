"""``hk migrate``: wait for Postgres, then bring its schema to the newest Alembic revision."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from ..common.db import make_engine, sqlalchemy_url, wait_for
from ..common.settings import Settings

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", sqlalchemy_url(database_url).replace("%", "%%"))
    return cfg


def write_config(conn, settings: Settings) -> None:
    """The settings the SQL reads (time zone, baselines, thresholds); the environment is the truth."""
    config = {"business_tz": settings.business_tz, "incremental_baseline": str(settings.incremental_baseline),
              "underperforming_min_spend": str(settings.underperforming_min_spend)}
    for key, value in config.items():
        conn.execute(text("INSERT INTO app_config VALUES (:k, :v) ON CONFLICT (key) DO UPDATE SET value = :v"),
                     {"k": key, "v": value})
    password = settings.effective_grafana_password()
    if password:
        # ALTER ROLE takes no bind parameters: pass the secret as a transaction-local setting and quote it
        # server-side with %L, so it is neither spliced into SQL here nor written to the statement log.
        conn.execute(text("SELECT set_config('hk.grafana_password', :p, true)"), {"p": password})
        conn.execute(text("DO $$ BEGIN EXECUTE format('ALTER ROLE hk_grafana LOGIN PASSWORD %L', "
                          "current_setting('hk.grafana_password')); END $$"))
    conn.execute(text("DELETE FROM brand_config"))
    for brand, baseline in sorted(settings.brand_baselines.items()):
        conn.execute(text("INSERT INTO brand_config VALUES (:b, :v)"), {"b": brand, "v": baseline})
    # the time zone decides the windows' last day, the baselines their incremental revenue: rebuild
    conn.execute(text("SELECT refresh_rolling(true)"))


def migrate(settings: Settings, revision: str = "head") -> None:
    url = settings.require_database_url()
    engine = make_engine(url)
    try:
        wait_for(engine)
        command.upgrade(alembic_config(url), revision)
        with engine.begin() as conn:
            write_config(conn, settings)
    finally:
        engine.dispose()
