"""Alembic environment: the URL comes from the settings (DATABASE_URL), never from a file. target_metadata is the
writer's table definitions (services/aggregator/tables.py), so `alembic check` and autogenerate compare against
them; tests/integration/test_table_definitions.py keeps the two from drifting."""
from alembic import context
from sqlalchemy import create_engine

from services.aggregator.tables import metadata

config = context.config
engine = create_engine(config.get_main_option("sqlalchemy.url"))
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()
