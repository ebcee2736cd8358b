"""ROAS alerts: one row per firing (and its resolution), and an outbox of hk.alerts events written in the same
transaction, so an alert is published at least once even if the worker dies right after committing.

Revision ID: 0004
Revises: 0003
"""
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
CREATE TABLE roas_alerts (
  alert_id bigserial PRIMARY KEY, influencer_id text NOT NULL, brand text NOT NULL, window_days integer NOT NULL,
  roas_before numeric, roas_now numeric, spend NUMERIC(20,4) NOT NULL, orders integer NOT NULL,
  threshold numeric NOT NULL, drop_fraction numeric NOT NULL, reason text NOT NULL,
  fired_at timestamptz NOT NULL, resolved_at timestamptz, resolved_roas numeric, resolved_reason text);
-- at most one open alert per influencer and brand
CREATE UNIQUE INDEX roas_alerts_open ON roas_alerts (influencer_id, brand) WHERE resolved_at IS NULL;
CREATE INDEX roas_alerts_fired ON roas_alerts (fired_at);
CREATE TABLE alert_outbox (
  event_id text PRIMARY KEY, influencer_id text NOT NULL, payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(), published_at timestamptz);
CREATE INDEX alert_outbox_unpublished ON alert_outbox (created_at) WHERE published_at IS NULL;
""")


def downgrade() -> None:
    op.execute("DROP TABLE alert_outbox; DROP TABLE roas_alerts;")
