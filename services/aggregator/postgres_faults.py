"""Which Postgres failures are the database's rather than the record's. Those are retried in place and
counted (hk_postgres_errors_total), never dead-lettered: a standby promoted late, a database switched
read-only or a grant lost would otherwise send every good record of the stream to hk.dead-letter, one by
one. psycopg raises most of them as OperationalError (connection, disk full, shutdown, serialization);
two arrive as other classes and are named here by SQLSTATE."""
from __future__ import annotations

from sqlalchemy.exc import DBAPIError, OperationalError

NOT_THE_RECORDS = {
    "25006": "read-only transaction (a standby, or default_transaction_read_only)",
    "42501": "insufficient privilege (a grant missing)",
}


def infrastructure(exc: BaseException) -> bool:
    if isinstance(exc, OperationalError):
        return True
    return isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in NOT_THE_RECORDS
