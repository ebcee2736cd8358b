"""Every table (services/aggregator/tables.py) against the database the migrations build,
with Alembic's own comparison (compare_metadata): a column added, dropped, retyped or made nullable on one side
and not the other fails here, not in a batch at run time. Indexes are the migrations' alone (they serve the
reports' plans; tables.py declares none), so only indexes tables.py declared would be compared."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from services.aggregator import tables
from services.aggregator.migrate import migrate
from services.common.db import make_engine
from services.common.settings import Settings

pytestmark = pytest.mark.postgres


def declared(obj, name, type_, reflected, compare_to) -> bool:
    """What the comparison looks at: every table but Alembic's own (one the migrations create and tables.py does not
    declare comes out as "remove_table"), their columns and keys."""
    if type_ == "table":
        return name != "alembic_version"
    if type_ in ("index", "unique_constraint") and reflected and compare_to is None:
        return False  # the migrations' indexes, which tables.py does not declare
    return True


def test_the_declared_tables_are_the_migrated_ones(postgres):
    url = postgres.create_database("hk_table_definitions")
    migrate(Settings(env="dev", database_url=url))
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": declared})
            drift = compare_metadata(context, tables.metadata)
            present = {name for name in tables.metadata.tables if conn.dialect.has_table(conn, name)}
    finally:
        engine.dispose()
    assert present == set(tables.metadata.tables)  # every declared table exists (else it would be "add_table")
    assert drift == [], "\n".join(map(str, drift))
