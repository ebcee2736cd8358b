"""A read-only role for Grafana: SELECT on the reporting contract, EXECUTE on its functions, nothing else;
every transaction read-only and bounded by a statement timeout (Grafana does not vet a viewer's SQL).

The role is cluster-wide, so it is created only if missing; ``hk migrate`` gives it a password and LOGIN
from HK_GRAFANA_DB_PASSWORD (a dev default only in dev mode).

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ROLE = "hk_grafana"


def upgrade() -> None:
    op.execute(f"""
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}') THEN
    CREATE ROLE {ROLE} NOLOGIN;
  END IF;
END $$;
ALTER ROLE {ROLE} SET default_transaction_read_only = on;
ALTER ROLE {ROLE} SET statement_timeout = '10s';
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO {ROLE};
GRANT SELECT ON ALL TABLES IN SCHEMA public TO {ROLE};
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {ROLE};
REVOKE EXECUTE ON FUNCTION refresh_rolling(boolean) FROM PUBLIC;
-- Grafana's time range arrives as instants ($__timeFrom()); the reports take business days.
CREATE FUNCTION business_day(t timestamptz) RETURNS date STABLE LANGUAGE sql AS
  $$ SELECT (t AT TIME ZONE (SELECT value FROM app_config WHERE key = 'business_tz'))::date $$;
""")
    op.execute("DO $$ BEGIN EXECUTE format('GRANT CONNECT ON DATABASE %I TO hk_grafana', current_database()); END $$")


def downgrade() -> None:
    op.execute(f"""
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT ON TABLES FROM {ROLE};
REVOKE SELECT ON ALL TABLES IN SCHEMA public FROM {ROLE};
REVOKE USAGE ON SCHEMA public FROM {ROLE};
GRANT EXECUTE ON FUNCTION refresh_rolling(boolean) TO PUBLIC;
DROP FUNCTION business_day(timestamptz);
""")
    op.execute("DO $$ BEGIN EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM hk_grafana', current_database()); END $$")
