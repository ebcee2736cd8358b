"""The reporting functions (migration 0002) by name, with the seed section each serves and the filters
it takes. Boards, exports and tests call them through here, so a filter means the same everywhere."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import Text

from ..attribution.models import MODELS


@dataclass(frozen=True)
class Report:
    name: str
    function: str
    section: str          # the old dashboard's section it replaces
    dated: bool = True    # takes the date range and the platform filter
    limit: bool = False
    min_spend: bool = False
    window: bool = False
    model: bool = False   # takes one attribution model (report_model_figures; docs/reporting.md)


REPORTS = {r.name: r for r in (
    Report("kpis", "report_kpis", "Key Performance Metrics"),
    Report("top_influencers", "report_top_influencers", "Top Influencers by ROAS", limit=True),
    Report("platforms", "report_platforms", "Revenue by Platform"),
    Report("daily", "report_daily", "Daily Revenue Trend"),
    Report("brands", "report_brands", "Brand Performance"),
    Report("influencers", "report_influencers", "Top Performers Table", limit=True),
    Report("underperforming", "report_underperforming", "Underperforming Influencers", min_spend=True, limit=True),
    Report("categories", "report_categories", "Category Analysis"),
    Report("posts", "report_posts", "Posts Analytics"),
    Report("orders", "report_orders", "Revenue Tracking"),
    Report("payouts", "report_payouts", "Payout Summary"),
    Report("payout_comparison", "report_payout_comparison", "Payout Optimization", limit=True),
    Report("models", "report_models", "Attribution models side by side (new)", limit=True),
    Report("model_figures", "report_model_figures", "Influencers under one attribution model (new)", model=True),
    Report("model_totals", "report_model_totals", "Attribution models' totals (new)", model=True),
    Report("rolling", "report_rolling", "Rolling 7/30/31/366-day windows", dated=False, window=True),
)}


ARRAY_PARAMS = ("p_brands", "p_platforms", "p_categories")


class FilterError(ValueError):
    """A filter the report does not take; the message says which and why."""


@dataclass
class Filters:
    date_from: date | None = None
    date_to: date | None = None
    brands: list[str] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    limit: int | None = None
    min_spend: Decimal | None = None
    window: int | None = None
    model: str | None = None


def statement(report: Report, f: Filters):
    """``SELECT * FROM report_x(p_… => :…)`` with only the parameters this report takes."""
    given = {"date_from": f.date_from, "date_to": f.date_to, "platforms": f.platforms, "limit": f.limit,
             "min_spend": f.min_spend, "window": f.window, "model": f.model}
    takes = {"date_from": report.dated, "date_to": report.dated, "platforms": report.dated,
             "limit": report.limit, "min_spend": report.min_spend, "window": report.window, "model": report.model}
    refused = [k for k, v in given.items() if v not in (None, []) and not takes[k]]
    if refused:
        raise FilterError(f"report {report.name!r} does not take {', '.join(refused)}"
                          + (" (its windows always end today)" if report.window else ""))
    if f.limit is not None and f.limit < 0:
        raise FilterError(f"limit must be 0 or more, got {f.limit}")
    if f.date_from and f.date_to and f.date_from > f.date_to:
        raise FilterError(f"date_from {f.date_from} is after date_to {f.date_to}")
    params: dict[str, object] = {"p_brands": f.brands or None, "p_categories": f.categories or None}
    if report.dated:
        params |= {"p_from": f.date_from, "p_to": f.date_to, "p_platforms": [p.lower() for p in f.platforms] or None}
    if report.limit and f.limit is not None:
        params["p_limit"] = f.limit
    if report.min_spend and f.min_spend is not None:
        params["p_min_spend"] = f.min_spend
    if report.window and f.window is not None:
        params["p_window"] = f.window
    if report.model and f.model is not None:
        if f.model not in MODELS:
            raise FilterError(f"no attribution model {f.model!r}; models: {', '.join(MODELS)}")
        params["p_model"] = f.model
    args = ", ".join(f"{k} => :{k}" for k in params)
    stmt = text(f"SELECT * FROM {report.function}({args})")
    return stmt.bindparams(*(bindparam(k, type_=ARRAY(Text)) for k in params if k in ARRAY_PARAMS)), params


def run(conn: Connection, name: str, filters: Filters | None = None):
    """The report's rows (a streaming result: iterate it, or call ``.all()``)."""
    if name not in REPORTS:
        raise FilterError(f"no report {name!r}; reports: {', '.join(REPORTS)}")
    stmt, params = statement(REPORTS[name], filters or Filters())
    return conn.execution_options(stream_results=True, yield_per=5000).execute(stmt, params)
