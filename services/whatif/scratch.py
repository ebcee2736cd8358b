"""A scratch database beside the live one for ``hk reattribute``: created empty on the same server, dropped at the
end unless kept. Needs CREATEDB (the embedded and compose servers' owner has it); otherwise pass --database-url."""
from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from ..common.db import sqlalchemy_url


@contextmanager
def scratch_database(live_url: str, keep: bool) -> Iterator[str]:
    url = make_url(sqlalchemy_url(live_url))
    name = f"{url.database}_whatif_{time.strftime('%Y%m%d%H%M%S')}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except DBAPIError as exc:
        admin.dispose()
        raise SystemExit(f"hk reattribute: cannot create a scratch database beside {url.database} ({exc.orig}); "
                         "create an empty one and pass --database-url") from None
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        if keep:
            print(f"kept the re-attributed tables in database {name}")
        else:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
