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


def migrate(settings: Settings, revision: str = "head") -> None:
    url = settings.require_database_url()
    engine = make_engine(url)
    try:
        wait_for(engine)
        command.upgrade(alembic_config(url), revision)
        with engine.begin() as conn:
            conn.execute(text("UPDATE app_config SET value = :tz WHERE key = 'business_tz'"), {"tz": settings.business_tz})
    finally:
        engine.dispose()
