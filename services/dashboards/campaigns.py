"""The marketers' board: every section of the old Streamlit dashboard, over the reporting functions, with
Grafana's time range and the brand / platform / category variables as the filters."""
from __future__ import annotations

from grafana_foundation_sdk.builders import barchart, common, dashboard as db, piechart, stat, table, timeseries
from grafana_foundation_sdk.models import common as cm
from grafana_foundation_sdk.models import dashboard as dm

from ..attribution.models import MODELS
from .parts import (CURRENCY, alert_annotation, ENGAGEMENT_CLASSES, FILTER_VARIABLES, FILTERS, RATIO, ROAS_CLASSES, Sql, classed,
                    drilldown_link, model_variable, money_columns)

UID = "hk-campaigns"
ANNOTATIONS = [alert_annotation("in_filter(brand, ARRAY[${brand:sqlstring}]::text[])")]


def kpi(title: str, column: str, unit: str, description: str, thresholds=None) -> stat.Panel:
    panel = (stat.Panel().title(title).description(description).unit(unit).height(4).span(4)
             .with_target(Sql(f"SELECT {column} FROM report_kpis({FILTERS})"))
             .reduce_options(common.ReduceDataOptions().calcs(["lastNotNull"]).values(False)))
    return panel.thresholds(thresholds).color_mode(cm.BigValueColorMode.VALUE) if thresholds else panel


def report_table(title: str, description: str, sql: str, height: int = 9, span: int = 24) -> table.Panel:
    return table.Panel().title(title).description(description).unit("none").height(height).span(span).with_target(Sql(sql))


def metrics_table(title: str, description: str, sql: str, **size) -> table.Panel:
    t = report_table(title, description, sql, **size)
    t = classed(classed(t, "roas", ROAS_CLASSES), "engagement_rate", ENGAGEMENT_CLASSES)
    return money_columns(t, "revenue", "spend", "cpm", "cost_per_order")


def build() -> db.Dashboard:
    d = (db.Dashboard("Influencer campaigns").uid(UID).tags(["hk", "marketing"]).time("now-30d", "now")
         .timezone("browser").refresh("1m").readonly()
         .description("Revenue, ROAS and engagement by influencer, brand, platform and category — live from the "
                      "attribution pipeline. The time range is the date filter (business days)."))
    for v in [*FILTER_VARIABLES, model_variable()]:
        d = d.with_variable(v)
    d = d.with_row(db.Row("Key performance metrics"))
    d = (d.with_panel(kpi("Total revenue", "total_revenue", CURRENCY, "Attributed revenue net of refunds."))
         .with_panel(kpi("Overall ROAS", "overall_roas", RATIO, "Revenue / spend. Good > 3, average 2–3, poor < 2.", ROAS_CLASSES))
         .with_panel(kpi("Incremental ROAS", "incremental_roas", RATIO, "Revenue × (1 − brand baseline) / spend."))
         .with_panel(kpi("Total spend", "total_spend", CURRENCY, "What the contracts accrued: per post, per order, revenue share."))
         .with_panel(kpi("Total reach", "total_reach", "short", "Reach of the posts published in the range (latest snapshot)."))
         .with_panel(kpi("Average engagement rate", "avg_engagement_rate", "percent",
                         "Mean of per-post (likes + comments) / reach. High > 3 %, average 1–3 %, low < 1 %.",
                         ENGAGEMENT_CLASSES)))
    d = d.with_panel(drilldown_link(money_columns(report_table(
        "Active alerts", "Open ROAS alerts (roas_alerts without resolution), newest first; see docs/runbooks/roas-drop.md.",
        "SELECT influencer_id, brand, roas_before, roas_now, spend, orders, threshold, reason, fired_at FROM roas_alerts "
        "WHERE resolved_at IS NULL AND in_filter(brand, ARRAY[${brand:sqlstring}]::text[]) ORDER BY fired_at DESC",
        height=6), "spend")))
    d = d.with_row(db.Row("Performance analysis"))
    d = d.with_panel(
        barchart.Panel().title("Top influencers by ROAS").description("The ten best ROAS under the filters.")
        .unit(RATIO).height(9).span(12).x_field("influencer").orientation(cm.VizOrientation.HORIZONTAL)
        .thresholds(ROAS_CLASSES).color_scheme(db.FieldColor().mode(dm.FieldColorModeId.THRESHOLDS))
        .with_target(Sql(f"SELECT coalesce(name, influencer_id) AS influencer, roas "
                         f"FROM report_top_influencers({FILTERS}, p_limit => 10)")))
    d = d.with_panel(
        piechart.Panel().title("Revenue by platform").description("Attributed revenue per source platform.")
        .unit(CURRENCY).height(9).span(12).reduce_options(common.ReduceDataOptions().values(True).calcs(["lastNotNull"]))
        .with_target(Sql(f"SELECT platform, revenue FROM report_platforms({FILTERS})")))
    d = d.with_panel(
        timeseries.Panel().title("Daily revenue trend").description("Revenue and spend per business day.")
        .unit(CURRENCY).height(9).span(24)
        .with_target(Sql(f"SELECT day::timestamptz AS time, revenue, spend FROM report_daily({FILTERS}) ORDER BY 1",
                         "time_series")))
    d = d.with_panel(metrics_table("Brand performance", "Each brand's revenue, spend, ROAS and engagement.",
                                   f"SELECT * FROM report_brands({FILTERS})"))
    d = d.with_row(db.Row("Influencer insights"))
    d = d.with_panel(drilldown_link(metrics_table(
        "Top performers", "Every influencer under the filters, best ROAS first; click an id for its drill-down.",
        f"SELECT * FROM report_influencers({FILTERS}, p_limit => 50)", height=10)))
    d = d.with_panel(drilldown_link(metrics_table(
        "Underperforming influencers", "Poor ROAS (< 2) with at least the configured minimum spend, worst first (500).",
        f"SELECT * FROM report_underperforming({FILTERS}, p_limit => 500)", span=12)))
    d = d.with_panel(metrics_table("Category analysis", "Performance per influencer category.",
                                   f"SELECT * FROM report_categories({FILTERS})", span=12))
    d = d.with_panel(drilldown_link(metrics_table(
        "7-day ROAS now", "Rolling 7-day window ending today, per influencer (brand and category filters apply).",
        "SELECT * FROM report_rolling_top(7, ARRAY[${brand:sqlstring}]::text[], ARRAY[${category:sqlstring}]::text[], "
        "p_limit => 50)")))
    d = models_row(d)
    d = d.with_row(db.Row("Detailed analytics"))
    d = d.with_panel(classed(report_table(
        "Posts analytics", "Each post's latest snapshot and engagement rate.",
        f"SELECT * FROM report_posts({FILTERS}) LIMIT 500"), "engagement_rate", ENGAGEMENT_CLASSES))
    d = d.with_panel(drilldown_link(money_columns(report_table(
        "Revenue tracking", "Order lines with the attribution rule that won (newest 500; hk export orders for all).",
        f"SELECT * FROM report_orders_latest({FILTERS}, p_limit => 500)"), "revenue", "refunded", "net_revenue")))
    d = d.with_panel(drilldown_link(money_columns(report_table(
        "Payout summary", "What each contract paid in the range, largest first (500; hk export payouts for all).",
        f"SELECT * FROM report_payouts_top({FILTERS}, p_limit => 500)", span=12),
        "total_payout")))
    d = d.with_panel(drilldown_link(money_columns(report_table(
        "Payout optimization", "What each basis would have cost for the same posts, orders and revenue; biggest saving "
        "first (500; hk export payout_comparison for all).",
        f"SELECT * FROM report_payout_comparison({FILTERS}, p_limit => 500)", span=12),
        "actual_payout", "cost_post_basis", "cost_order_basis", "cost_revenue_share_basis", "saving")))
    return d


MODEL = "${model:sqlstring}"
MODEL_TOTALS = f"report_model_totals({FILTERS}, p_model => {MODEL})"  # one row: migration 0011


def top(model: str, limit: int) -> str:
    """The influencers a ranked panel can show, from the maintained windows (NULL, i.e. everyone, where they cannot
    say: report_model_top in migration 0010)."""
    return f"p_influencers => report_model_top({FILTERS}, p_model => {model}, p_limit => {limit})"


STARTERS, RULES_TOP = top("'first_touch'", 10), top("'rules'", 50)


def models_row(d: db.Dashboard) -> db.Dashboard:
    """Attribution models (issue 20): the chosen model's figures, who starts and who closes, all models side by side."""
    # collapsed: Grafana queries a collapsed row's panels only when it is opened, and these read every model's
    # credits in the range (seconds at 1M order lines, hk bench dashboard), where the rows above read rollups
    row = db.Row("Attribution models: ${model}").collapsed(True)
    row = (row.with_panel(stat.Panel().title("Revenue credited under ${model}").unit(CURRENCY).height(5).span(6)
                      .description("Net revenue the model credits to influencers (docs/reporting.md, Attribution models).")
                      .with_target(Sql(f"SELECT revenue FROM {MODEL_TOTALS}"))
                      .reduce_options(common.ReduceDataOptions().calcs(["lastNotNull"]).values(False)))
         .with_panel(stat.Panel().title("ROAS under ${model}").unit(RATIO).height(5).span(6).thresholds(ROAS_CLASSES)
                     .color_mode(cm.BigValueColorMode.VALUE)
                     .description("Credited revenue / spend; spend follows the credited share for order and revenue-share contracts.")
                     .with_target(Sql(f"SELECT ratio(revenue, spend) AS roas FROM {MODEL_TOTALS}"))
                     .reduce_options(common.ReduceDataOptions().calcs(["lastNotNull"]).values(False))))
    row = row.with_panel(
        barchart.Panel().title("Who starts, who closes").unit(CURRENCY).height(10).span(12).x_field("influencer")
        .description("Revenue credited to the first touch (journeys started) and the last touch (journeys closed), "
                     "for the ten influencers with the most first-touch revenue.")
        .orientation(cm.VizOrientation.HORIZONTAL)
        .with_target(Sql(f"SELECT coalesce(name, influencer_id) AS influencer, first_touch_revenue AS starts, "
                         f"last_touch_revenue AS closes FROM report_models({FILTERS}, {STARTERS}) "
                         f"ORDER BY first_touch_revenue DESC NULLS LAST, influencer_id LIMIT 10")))
    row = row.with_panel(drilldown_link(money_columns(classed(report_table(
        "Influencers under ${model}", "Orders (shares of orders), credited revenue, spend and ROAS under the chosen model.",
        f"SELECT influencer_id, name, category, orders, revenue, spend, roas FROM report_model_figures({FILTERS}, "
        f"p_model => {MODEL}, {top(MODEL, 50)}) "
        "ORDER BY revenue DESC, influencer_id LIMIT 50", height=10, span=12), "roas", ROAS_CLASSES), "revenue", "spend")))
    row = row.with_panel(drilldown_link(classed(money_columns(report_table(
        "Models side by side", "Per influencer, revenue credited and ROAS under each model; starts − closes > 0: "
        "opens journeys other creators close (50; hk export models for all).",
        f"SELECT * FROM report_models({FILTERS}, p_limit => 50, {RULES_TOP})", height=10),
        *(f"{m}_revenue" for m in MODELS), "starts_minus_closes"), "rules_roas", ROAS_CLASSES)))
    return d.with_row(row)
