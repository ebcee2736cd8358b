"""Which Postgres failures are retried as the database's (never dead-lettered) and which are the record's."""
import psycopg.errors as pg
import pytest
from sqlalchemy.exc import DBAPIError

from services.aggregator.postgres_faults import infrastructure


def wrapped(error: Exception) -> DBAPIError:
    return DBAPIError.instance("INSERT …", {}, error, pg.Error)


@pytest.mark.parametrize("error", [pg.ReadOnlySqlTransaction(), pg.InsufficientPrivilege(), pg.DiskFull(),
                                   pg.AdminShutdown(), pg.SerializationFailure(), pg.DeadlockDetected(),
                                   pg.TooManyConnections(), pg.OperationalError("connection refused")])
def test_the_database_s_failures_are_retried(error):
    assert infrastructure(wrapped(error))


@pytest.mark.parametrize("error", [pg.NumericValueOutOfRange(), pg.UniqueViolation(), pg.CheckViolation(),
                                   pg.InvalidTextRepresentation()])
def test_a_record_the_database_refuses_is_the_record_s(error):
    assert not infrastructure(wrapped(error))


def test_anything_else_is_the_record_s():
    assert not infrastructure(OverflowError("year 9999 is out of range"))
