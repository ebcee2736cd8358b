"""The reporting contract's tables as SQLAlchemy Core objects (created by the Alembic migrations, which take this
metadata as their target_metadata; tests/integration/test_table_definitions.py checks the two agree)."""
from sqlalchemy import (ARRAY, BigInteger, Boolean, Column, Computed, Date, DateTime, Integer, MetaData, Numeric,
                        Table, Text, text)
from sqlalchemy.dialects.postgresql import JSONB

MONEY = Numeric(20, 4)
metadata = MetaData()

influencers = Table(
    "influencers", metadata,
    Column("influencer_id", Text, primary_key=True), Column("name", Text, nullable=False),
    Column("category", Text, nullable=False), Column("gender", Text), Column("follower_count", BigInteger),
    Column("platform", Text, nullable=False), Column("updated_at", DateTime(timezone=True), nullable=False))

contracts = Table(
    "contracts", metadata,
    Column("contract_id", Text, primary_key=True), Column("influencer_id", Text, nullable=False),
    Column("brand", Text, nullable=False), Column("basis", Text, nullable=False),
    Column("rate", Numeric(20, 6), nullable=False), Column("valid_from", DateTime(timezone=True), nullable=False),
    Column("valid_to", DateTime(timezone=True)), Column("coupon_codes", ARRAY(Text), nullable=False),
    Column("link_codes", ARRAY(Text), nullable=False), Column("campaign", Text))

posts = Table(
    "posts", metadata,
    Column("post_id", Text, primary_key=True), Column("influencer_id", Text, nullable=False),
    Column("platform", Text, nullable=False), Column("brand", Text, nullable=False), Column("campaign", Text),
    Column("url", Text, nullable=False), Column("caption", Text), Column("published_at", DateTime(timezone=True), nullable=False),
    Column("day", Date, nullable=False), Column("reach", BigInteger, nullable=False), Column("likes", BigInteger, nullable=False),
    Column("comments", BigInteger, nullable=False), Column("observed_at", DateTime(timezone=True), nullable=False))

attributed_orders = Table(
    "attributed_orders", metadata,
    Column("order_id", Text, primary_key=True), Column("line_no", Integer, primary_key=True),
    Column("customer_id", Text, nullable=False), Column("influencer_id", Text), Column("brand", Text, nullable=False),
    Column("product", Text, nullable=False), Column("quantity", Integer, nullable=False),
    Column("revenue", MONEY, nullable=False), Column("refunded", MONEY, nullable=False),
    Column("placed_at", DateTime(timezone=True), nullable=False), Column("day", Date, nullable=False),
    Column("rule", Text, nullable=False), Column("contract_id", Text), Column("click_id", Text),
    Column("platform", Text, nullable=False), Column("counts_order", Boolean, nullable=False),
    Column("touchpoints", JSONB))  # migration 0009: the order's journey, oldest first

refunds = Table(
    "refunds", metadata,
    Column("refund_id", Text, primary_key=True), Column("line_no", Integer, primary_key=True),
    Column("order_id", Text, nullable=False), Column("influencer_id", Text), Column("brand", Text, nullable=False),
    Column("platform", Text, nullable=False), Column("amount", MONEY, nullable=False),
    Column("refunded_at", DateTime(timezone=True), nullable=False), Column("day", Date, nullable=False))

spend = Table(
    "spend", metadata,
    Column("source_kind", Text, primary_key=True), Column("source_id", Text, primary_key=True),
    Column("contract_id", Text, nullable=False), Column("influencer_id", Text, nullable=False),
    Column("brand", Text, nullable=False), Column("platform", Text, nullable=False),
    Column("day", Date, nullable=False), Column("amount", MONEY, nullable=False))

influencer_daily = Table(
    "influencer_daily", metadata,
    Column("day", Date, primary_key=True), Column("influencer_id", Text, primary_key=True),
    Column("brand", Text, primary_key=True), Column("platform", Text, primary_key=True),
    Column("orders", Integer, nullable=False), Column("revenue", MONEY, nullable=False),
    Column("spend", MONEY, nullable=False), Column("posts", Integer, nullable=False),
    Column("reach", BigInteger, nullable=False), Column("likes", BigInteger, nullable=False),
    Column("comments", BigInteger, nullable=False))

rolling_sums = Table(
    "rolling_sums", metadata,
    Column("window_days", Integer, primary_key=True), Column("influencer_id", Text, primary_key=True),
    Column("brand", Text, primary_key=True), Column("category", Text, nullable=False),
    Column("orders", Integer, nullable=False),
    Column("revenue", MONEY, nullable=False), Column("incremental_revenue", Numeric, nullable=False),
    Column("spend", MONEY, nullable=False), Column("posts", Integer, nullable=False),
    Column("reach", BigInteger, nullable=False), Column("likes", BigInteger, nullable=False),
    Column("comments", BigInteger, nullable=False),
    Column("roas", Numeric, Computed("ratio(revenue, spend)", persisted=True)))  # 0008: what the ranked panels sort on

daily_totals = Table(  # influencer_daily per category instead of influencer (migration 0008, board_totals.py)
    "daily_totals", metadata,
    Column("day", Date, primary_key=True), Column("brand", Text, primary_key=True),
    Column("platform", Text, primary_key=True), Column("category", Text, primary_key=True),
    Column("orders", BigInteger, nullable=False), Column("revenue", MONEY, nullable=False),
    Column("spend", MONEY, nullable=False), Column("posts", BigInteger, nullable=False),
    Column("reach", BigInteger, nullable=False), Column("likes", BigInteger, nullable=False),
    Column("comments", BigInteger, nullable=False), Column("rated_posts", BigInteger, nullable=False),
    Column("post_rates", Numeric, nullable=False))

contract_windows = Table(  # what each contract paid per window (migration 0008, rolling.py)
    "contract_windows", metadata,
    Column("window_days", Integer, primary_key=True), Column("contract_id", Text, primary_key=True),
    Column("influencer_id", Text, nullable=False), Column("orders", Integer, nullable=False),
    Column("posts", Integer, nullable=False), Column("amount", MONEY, nullable=False))

model_credits = Table(  # one credit per (line or refund line, model, influencer) (migration 0009, model_credits.py)
    "model_credits", metadata,
    Column("source_kind", Text, primary_key=True), Column("source_id", Text, primary_key=True),
    Column("model", Text, primary_key=True), Column("influencer_id", Text, primary_key=True),
    Column("order_id", Text, nullable=False), Column("brand", Text, nullable=False),
    Column("platform", Text, nullable=False), Column("day", Date, nullable=False),
    Column("orders", Numeric, nullable=False), Column("revenue", MONEY, nullable=False),
    Column("spend", MONEY, nullable=False))

model_daily = Table(  # model_credits per day, influencer, brand and platform (migration 0009)
    "model_daily", metadata,
    Column("model", Text, primary_key=True), Column("day", Date, primary_key=True),
    Column("influencer_id", Text, primary_key=True), Column("brand", Text, primary_key=True),
    Column("platform", Text, primary_key=True), Column("orders", Numeric, nullable=False),
    Column("revenue", MONEY, nullable=False), Column("spend", MONEY, nullable=False))
MODEL_MEASURES = ("orders", "revenue", "spend")

model_windows = Table(  # model_daily per rolling window, model, brand ('' = all) and influencer (migration 0010)
    "model_windows", metadata,
    Column("window_days", Integer, primary_key=True), Column("model", Text, primary_key=True),
    Column("brand", Text, primary_key=True), Column("influencer_id", Text, primary_key=True),
    Column("orders", Numeric, nullable=False), Column("revenue", MONEY, nullable=False),
    Column("spend", MONEY, nullable=False))

model_totals = Table(  # model_daily per model, day, brand, platform and category ('' = unknown) (migration 0011)
    "model_totals", metadata,
    Column("model", Text, primary_key=True), Column("day", Date, primary_key=True),
    Column("brand", Text, primary_key=True), Column("platform", Text, primary_key=True),
    Column("category", Text, primary_key=True), Column("orders", Numeric, nullable=False),
    Column("revenue", MONEY, nullable=False), Column("spend", MONEY, nullable=False))

DAILY_MEASURES = ("orders", "revenue", "spend", "posts", "reach", "likes", "comments")

source_offsets = Table(  # where each source partition's facts end (migration 0007; written by progress.store)
    "source_offsets", metadata,
    Column("consumer", Text, primary_key=True), Column("topic", Text, primary_key=True),
    Column("partition", Integer, primary_key=True), Column("next_offset", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False))

# What the reports and the alerts read beside the facts (migrations 0001, 0002, 0004, 0008): declared so that every
# table has one definition the migrated database is checked against (test_table_definitions.py).
app_config = Table(  # key → value: business_tz, incremental_baseline, underperforming_min_spend
    "app_config", metadata,
    Column("key", Text, primary_key=True), Column("value", Text, nullable=False))

brand_config = Table(  # per-brand incremental baseline (0 ≤ x ≤ 1, checked in Postgres)
    "brand_config", metadata,
    Column("brand", Text, primary_key=True), Column("incremental_baseline", Numeric(6, 4), nullable=False))

rolling_state = Table(  # one row: the business day the rolling windows end on
    "rolling_state", metadata,
    Column("id", Boolean, primary_key=True), Column("as_of", Date, nullable=False))

contract_rates = Table(  # each influencer's rates per brand, for the payout comparison (board_totals.DEFINITIONS)
    "contract_rates", metadata,
    Column("influencer_id", Text, primary_key=True), Column("brand", Text, primary_key=True),
    Column("basis", Text, nullable=False), Column("post_rate", Numeric), Column("order_rate", Numeric),
    Column("rs_rate", Numeric))

roas_alerts = Table(  # fired and resolved ROAS-drop alerts (services/alerts/store.py)
    "roas_alerts", metadata,
    Column("alert_id", BigInteger, primary_key=True), Column("influencer_id", Text, nullable=False),
    Column("brand", Text, nullable=False), Column("window_days", Integer, nullable=False),
    Column("roas_before", Numeric), Column("roas_now", Numeric), Column("spend", MONEY, nullable=False),
    Column("orders", Integer, nullable=False), Column("threshold", Numeric, nullable=False),
    Column("drop_fraction", Numeric, nullable=False), Column("reason", Text, nullable=False),
    Column("fired_at", DateTime(timezone=True), nullable=False), Column("resolved_at", DateTime(timezone=True)),
    Column("resolved_roas", Numeric), Column("resolved_reason", Text))

alert_outbox = Table(  # alert events waiting for delivery to hk.alerts (written with the alert, in its transaction)
    "alert_outbox", metadata,
    Column("event_id", Text, primary_key=True), Column("influencer_id", Text, nullable=False),
    Column("payload", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("published_at", DateTime(timezone=True)))
