"""One influencer: daily revenue, spend and ROAS, its posts with engagement, its orders with the rule that
attributed them, its payouts and its rolling windows."""
from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as db, timeseries
from grafana_foundation_sdk.models import dashboard as m

from ..attribution.models import MODELS
from .campaigns import metrics_table, report_table
from .parts import (alert_annotation, CURRENCY, DRILLDOWN_UID, ENGAGEMENT_CLASSES, filters, model_variable, POSTGRES, RATIO,
                    ROAS_CLASSES, Sql, classed, money_columns)

ONE = "influencer_id = ${influencer:sqlstring}"
ANNOTATIONS = [alert_annotation(ONE)]
DAILY = f"""SELECT d.day::timestamptz AS time, COLUMNS FROM influencer_daily d
            WHERE d.{ONE} AND d.day BETWEEN business_day($__timeFrom()) AND business_day($__timeTo())
            GROUP BY d.day ORDER BY 1"""
# The drill-down shows everything about the influencer, so the campaign filters are all-inclusive here.
ALL = filters("NULL", "NULL", "NULL")


def build() -> db.Dashboard:
    d = (db.Dashboard("Influencer drill-down").uid(DRILLDOWN_UID).tags(["hk", "marketing"]).time("now-30d", "now")
         .timezone("browser").refresh("1m").readonly()
         .description("One influencer's revenue, spend, ROAS, posts, orders and payouts."))
    d = d.with_variable(db.QueryVariable("influencer").label("Influencer").datasource(POSTGRES)
                        .query("SELECT influencer_id FROM influencers ORDER BY 1")
                        .refresh(m.VariableRefresh.ON_DASHBOARD_LOAD))
    d = d.with_variable(model_variable())
    d = d.with_panel(timeseries.Panel().title("Daily revenue and spend").description("Per business day, all brands.")
                     .unit(CURRENCY).height(8).span(12)
                     .with_target(Sql(DAILY.replace("COLUMNS", "sum(d.revenue) AS revenue, sum(d.spend) AS spend"), "time_series")))
    d = d.with_panel(timeseries.Panel().title("Daily ROAS").description("Revenue / spend per day; empty on days without spend.")
                     .unit(RATIO).height(8).span(12).thresholds(ROAS_CLASSES)
                     .with_target(Sql(DAILY.replace("COLUMNS", "ratio(sum(d.revenue), sum(d.spend)) AS roas"), "time_series")))
    d = d.with_panel(metrics_table("Rolling windows", "7- and 30-day windows ending today.",
                                   f"SELECT * FROM report_rolling() WHERE {ONE}", height=5))
    d = d.with_panel(classed(report_table("Posts", "Its posts with the latest engagement.",
                                          f"SELECT * FROM report_posts({ALL}) WHERE {ONE}"), "engagement_rate", ENGAGEMENT_CLASSES))
    d = d.with_panel(money_columns(report_table("Orders", "Its order lines with the rule that attributed them.",
                                                f"SELECT * FROM report_orders({ALL}) WHERE {ONE} ORDER BY placed_at DESC LIMIT 500"),
                                   "revenue", "refunded", "net_revenue"))
    d = d.with_panel(money_columns(report_table("Payouts", "Its contracts and what they paid in the range.",
                                                f"SELECT * FROM report_payouts({ALL}) WHERE {ONE}", height=6), "total_payout"))
    # last and collapsed, as the campaign board's model row is; the influencer is passed in, so only its rows are read
    row = db.Row("Attribution models").collapsed(True).with_panel(classed(money_columns(report_table(
        "Credit under each model", "Its orders (shares), credited revenue, spend and ROAS in the range under every "
        "attribution model; ${model} first (docs/reporting.md, Attribution models).",
        f"SELECT model, orders, revenue, spend, roas FROM report_model_figures({ALL}, "
        "p_influencers => ARRAY[${influencer:sqlstring}]) ORDER BY model = ${model:sqlstring} DESC, "
        "array_position(ARRAY[" + ", ".join(f"'{x}'" for x in MODELS) + "], model)", height=7), "revenue", "spend"), "roas", ROAS_CLASSES))
    return d.with_row(row)
