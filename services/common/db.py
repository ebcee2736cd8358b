"""Postgres engine from DATABASE_URL, with a wait for a server that is still starting."""
from __future__ import annotations

import logging
import time

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

log = logging.getLogger(__name__)


def sqlalchemy_url(url: str) -> str:
    """Accept plain ``postgresql://`` / ``postgres://`` URLs and use the psycopg 3 driver for them."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    raise SystemExit(f"DATABASE_URL must be a postgresql:// URL, got {url.split(':', 1)[0]}://…")


def make_engine(url: str, **kwargs) -> Engine:
    return create_engine(sqlalchemy_url(url), pool_pre_ping=True, **kwargs)


def wait_for(engine: Engine, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return
        except OperationalError as exc:
            if time.monotonic() > deadline:
                raise SystemExit(f"Postgres did not answer within {timeout_s:.0f}s: {exc.orig}") from None
            log.info("waiting for Postgres: %s", exc.orig)
            time.sleep(0.5)
