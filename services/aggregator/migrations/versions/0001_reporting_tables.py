"""Reporting tables: facts, spend, influencer_daily, and the payouts and rolling-window views.

Revision ID: 0001
Revises:
"""
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

MONEY = "NUMERIC(20,4)"

TABLES = f"""
CREATE TABLE influencers (
  influencer_id text PRIMARY KEY, name text NOT NULL, category text NOT NULL, gender text,
  follower_count bigint, platform text NOT NULL, updated_at timestamptz NOT NULL);
CREATE TABLE contracts (
  contract_id text PRIMARY KEY, influencer_id text NOT NULL, brand text NOT NULL,
  basis text NOT NULL CHECK (basis IN ('post','order','revenue_share')), rate NUMERIC(20,6) NOT NULL CHECK (rate >= 0),
  valid_from timestamptz NOT NULL, valid_to timestamptz, coupon_codes text[] NOT NULL, link_codes text[] NOT NULL,
  campaign text);
CREATE INDEX contracts_influencer_brand ON contracts (influencer_id, brand);
CREATE TABLE posts (
  post_id text PRIMARY KEY, influencer_id text NOT NULL, platform text NOT NULL, brand text NOT NULL, campaign text,
  url text NOT NULL, caption text, published_at timestamptz NOT NULL, day date NOT NULL,
  reach bigint NOT NULL, likes bigint NOT NULL, comments bigint NOT NULL, observed_at timestamptz NOT NULL);
CREATE INDEX posts_influencer_brand ON posts (influencer_id, brand);
-- One row per order line; unattributed lines too (influencer_id NULL, rule 'unattributed') as the organic baseline.
CREATE TABLE attributed_orders (
  order_id text NOT NULL, line_no integer NOT NULL, customer_id text NOT NULL, influencer_id text,
  brand text NOT NULL, product text NOT NULL, quantity integer NOT NULL, revenue {MONEY} NOT NULL CHECK (revenue >= 0),
  refunded {MONEY} NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= revenue),
  placed_at timestamptz NOT NULL, day date NOT NULL,
  rule text NOT NULL CHECK (rule IN ('explicit','coupon','click','last_click','unattributed')),
  contract_id text, click_id text, platform text NOT NULL, counts_order boolean NOT NULL,
  PRIMARY KEY (order_id, line_no));
CREATE INDEX attributed_orders_influencer_brand ON attributed_orders (influencer_id, brand);
CREATE INDEX attributed_orders_day ON attributed_orders (day);
CREATE TABLE refunds (
  refund_id text NOT NULL, line_no integer NOT NULL, order_id text NOT NULL, influencer_id text, brand text NOT NULL,
  platform text NOT NULL, amount {MONEY} NOT NULL CHECK (amount >= 0), refunded_at timestamptz NOT NULL, day date NOT NULL,
  PRIMARY KEY (refund_id, line_no));
CREATE INDEX refunds_influencer_brand ON refunds (influencer_id, brand);
-- What each contract cost, per source fact; the key makes an accrual happen once whatever replays.
CREATE TABLE spend (
  source_kind text NOT NULL CHECK (source_kind IN ('post','order','order_line','refund_line')), source_id text NOT NULL,
  contract_id text NOT NULL, influencer_id text NOT NULL, brand text NOT NULL, platform text NOT NULL,
  day date NOT NULL, amount {MONEY} NOT NULL, PRIMARY KEY (source_kind, source_id));
CREATE INDEX spend_contract ON spend (contract_id);
CREATE TABLE influencer_daily (
  day date NOT NULL, influencer_id text NOT NULL, brand text NOT NULL, platform text NOT NULL,
  orders integer NOT NULL DEFAULT 0, revenue {MONEY} NOT NULL DEFAULT 0, spend {MONEY} NOT NULL DEFAULT 0,
  posts integer NOT NULL DEFAULT 0, reach bigint NOT NULL DEFAULT 0, likes bigint NOT NULL DEFAULT 0,
  comments bigint NOT NULL DEFAULT 0, PRIMARY KEY (day, influencer_id, brand, platform));
CREATE INDEX influencer_daily_influencer ON influencer_daily (influencer_id, day);
-- Deployment settings the SQL needs; hk migrate writes them from HK_* settings.
CREATE TABLE app_config (key text PRIMARY KEY, value text NOT NULL);
INSERT INTO app_config VALUES ('business_tz', 'Asia/Kolkata');
-- Today in the business time zone: days in influencer_daily are business days, not the server's.
CREATE FUNCTION business_today() RETURNS date STABLE LANGUAGE sql AS
  $$ SELECT (now() AT TIME ZONE (SELECT value FROM app_config WHERE key = 'business_tz'))::date $$;
"""

VIEWS = """
-- The seed's payouts table, derived from contracts and what they accrued.
CREATE VIEW payouts AS
SELECT c.influencer_id, c.contract_id, c.brand, c.basis, c.rate,
       count(*) FILTER (WHERE s.source_kind = 'order')::integer AS orders,
       count(*) FILTER (WHERE s.source_kind = 'post')::integer AS posts,
       coalesce(sum(s.amount), 0)::NUMERIC(20,4) AS total_payout
FROM contracts c LEFT JOIN spend s ON s.contract_id = c.contract_id
GROUP BY c.influencer_id, c.contract_id, c.brand, c.basis, c.rate;

-- 7- and 30-day windows ending today in the business time zone.
CREATE VIEW influencer_rolling AS
SELECT w.window_days, d.influencer_id,
       sum(d.orders)::integer AS orders, sum(d.revenue) AS revenue, sum(d.spend) AS spend,
       sum(d.reach) AS reach, sum(d.likes) AS likes, sum(d.comments) AS comments,
       round(sum(d.revenue) / nullif(sum(d.spend), 0), 4) AS roas,
       round(sum(d.revenue) * 0.8 / nullif(sum(d.spend), 0), 4) AS incremental_roas,
       round((sum(d.likes) + sum(d.comments)) * 100.0 / nullif(sum(d.reach), 0), 4) AS engagement_rate
FROM (VALUES (7), (30)) AS w(window_days)
JOIN influencer_daily d ON d.day > business_today() - w.window_days AND d.day <= business_today()
GROUP BY w.window_days, d.influencer_id;
"""


def upgrade() -> None:
    op.execute(TABLES)
    op.execute(VIEWS)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS influencer_rolling; DROP VIEW IF EXISTS payouts; DROP FUNCTION IF EXISTS business_today();")
    for t in ("app_config", "influencer_daily", "spend", "refunds", "attributed_orders", "posts", "contracts", "influencers"):
        op.execute(f"DROP TABLE IF EXISTS {t}")
