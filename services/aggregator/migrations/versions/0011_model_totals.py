"""The model stat panels from maintained state: model_totals (model_daily per model, day, brand, platform and
category), kept by the batches, and report_model_totals reading it; the SQL and why are in 0011_model_totals.sql.

Revision ID: 0011
Revises: 0010
"""
from pathlib import Path

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(Path(__file__).with_suffix(".sql").read_text())


def downgrade() -> None:
    op.execute("DROP FUNCTION report_model_totals; DROP FUNCTION model_totals_from_daily; DROP TABLE model_totals;")
