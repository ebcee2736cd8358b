"""Where the aggregator's facts end, per source partition, written in the same transaction as the facts.

The worker resumes from here on every assignment (it seeks to these offsets), so what Postgres holds and where
the worker reads from cannot disagree, whatever faust-streaming commits (its commit can move past a hole in
what it delivered after a rebalance). ``next_offset`` is Kafka's meaning: the next offset to read.
Not granted to hk_grafana: it is the pipeline's bookkeeping, not the reporting contract.

Revision ID: 0007
Revises: 0006
"""
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
CREATE TABLE source_offsets (
  consumer text NOT NULL, topic text NOT NULL, partition integer NOT NULL, next_offset bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (consumer, topic, partition));
""")


def downgrade() -> None:
    op.execute("DROP TABLE source_offsets")
