"""Rolling windows kept current: each batch adds its daily deltas to the 7-, 30-, 31- and 366-day sums in its
own transaction, and ``refresh_rolling()`` (SQL) moves the windows when the business day turns.

Each delta lands on three rows: (influencer, brand), (influencer, ALL) and (ALL, brand), so a board reads an
influencer's or a brand's window without aggregating (ALL is '', never an id or a brand). The influencer's rows
carry its category. Each accrual of the batch lands on its contract's row of ``contract_windows`` likewise.

Locking: a batch holds ``rolling_state`` FOR SHARE while it adds; the rebuild takes it FOR UPDATE, so it
waits for every batch in flight and sees all of them, and no batch adds to windows of a day already gone.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Connection, Engine, text

from ..common.metrics import INFLUENCER_ROAS_7D, INFLUENCER_SPEND_7D, ROAS_ALERT_OPEN
from . import tables as t
from .batch import Calendar, Deltas
from .bulk import insert_rows

WindowKey = tuple[int, str, str]  # window_days, influencer_id, brand
ALL = ""
MEASURES = (*t.DAILY_MEASURES, "incremental_revenue")


def window_deltas(deltas: Deltas, as_of: date, windows: list[int], baseline: dict[str, Decimal],
                  default_baseline: Decimal) -> dict[WindowKey, dict]:
    """The part of the daily deltas that falls inside each window ending ``as_of``, with incremental
    revenue at the brand's baseline, on the (influencer, brand) row and both rollup rows."""
    sums: dict[WindowKey, dict] = defaultdict(lambda: defaultdict(int))
    starts = [(n, as_of - timedelta(days=n)) for n in windows]
    for (day, influencer, brand, _platform), measures in deltas.rows.items():
        if day > as_of:
            continue
        items = list(measures.items())
        if "revenue" in measures:
            items.append(("incremental_revenue", measures["revenue"] * (1 - baseline.get(brand, default_baseline))))
        for n, start in starts:
            if start < day:
                for key in ((n, influencer, brand), (n, influencer, ALL), (n, ALL, brand)):
                    row = sums[key]
                    for name, value in items:
                        row[name] += value
    return sums


def apply_rolling(conn: Connection, deltas: Deltas, categories: dict[str, str]) -> date | None:
    """Adds the batch to the windows; returns the day they end on (None for an empty batch). ``categories``:
    each influencer's, kept on its rows so that the boards count influencers per category without a join."""
    if not deltas.rows:
        return None
    as_of, windows = conn.execute(text("SELECT as_of, rolling_windows() FROM rolling_state FOR SHARE")).one()
    # read after the lock: a baseline change rebuilds the sums under FOR UPDATE, before or after this batch
    default = conn.execute(text("SELECT value::numeric FROM app_config WHERE key = 'incremental_baseline'")).scalar_one()
    baseline: dict[str, Decimal] = {b: v for b, v in conn.execute(text("SELECT brand, incremental_baseline FROM brand_config"))}
    sums = window_deltas(deltas, as_of, windows, baseline, default)
    if not sums:
        return as_of
    rows = [{"window_days": k[0], "influencer_id": k[1], "brand": k[2], "category": categories[k[1]] if k[1] else ALL,
             **{m: v.get(m, 0) for m in MEASURES}} for k, v in sorted(sums.items())]
    insert_rows(conn, t.rolling_sums, rows, conflict=("window_days", "influencer_id", "brand"), add=MEASURES,
                replace=("category",))
    paid = contract_deltas(deltas.accruals, as_of, windows)
    insert_rows(conn, t.contract_windows, paid, conflict=("window_days", "contract_id"), add=("orders", "posts", "amount"))
    return as_of


def contract_deltas(accruals: list, as_of: date, windows: list[int]) -> list[dict]:
    """The batch's accruals per contract, in each window ending ``as_of`` that holds their day."""
    sums: dict[tuple[int, str], dict] = {}
    for day, contract, influencer, kind, amount in accruals:
        for n in windows:
            if as_of - timedelta(days=n) < day <= as_of:
                row = sums.setdefault((n, contract), {"window_days": n, "contract_id": contract, "influencer_id": influencer,
                                                      "orders": 0, "posts": 0, "amount": 0})
                row["orders"] += kind == "order"
                row["posts"] += kind == "post"
                row["amount"] += amount
    return [sums[k] for k in sorted(sums)]


def follow_contracts(conn: Connection, contract_ids: list[str]) -> None:
    """A contract re-sent with another influencer: its windows follow (report_payouts orders by the contract's)."""
    if contract_ids:
        conn.exec_driver_sql("UPDATE contract_windows k SET influencer_id = c.influencer_id FROM contracts c "
                             "WHERE c.contract_id = k.contract_id AND k.contract_id = ANY(%(ids)s) "
                             "AND k.influencer_id <> c.influencer_id", {"ids": sorted(set(contract_ids))})


class RollingClock:
    """Calls ``refresh_rolling()`` once per business day (the SQL checks again under its lock)."""

    def __init__(self, calendar: Calendar) -> None:
        self.calendar = calendar
        self.as_of: date | None = None

    def due(self, today: date | None = None) -> bool:
        return self.as_of != (today or self.calendar.today())

    def refresh(self, engine: Engine) -> date:
        with engine.begin() as conn:
            self.as_of = conn.execute(text("SELECT refresh_rolling()")).scalar_one()
        return self.as_of


TOP_SPENDERS = text("""SELECT influencer_id, roas, spend FROM report_rolling(7) WHERE spend > 0
                       ORDER BY spend DESC, influencer_id LIMIT :n""")


def export_roas(engine: Engine, limit: int) -> None:
    """The business series alerts need, bounded: the ``limit`` influencers with the most 7-day spend, and
    every open ROAS alert (what Prometheus routes to Alertmanager)."""
    with engine.connect() as conn:
        rows = conn.execute(TOP_SPENDERS, {"n": limit}).all()
        open_alerts = conn.execute(text("SELECT influencer_id, brand, coalesce(roas_now, 0) FROM roas_alerts "
                                        "WHERE resolved_at IS NULL")).all()
    ROAS_ALERT_OPEN.clear()
    for influencer, brand, roas in open_alerts:
        ROAS_ALERT_OPEN.labels(influencer, brand).set(float(roas))
    INFLUENCER_ROAS_7D.clear()
    INFLUENCER_SPEND_7D.clear()
    for influencer, roas, spend in rows:
        if roas is not None:
            INFLUENCER_ROAS_7D.labels(influencer).set(float(roas))  # a gauge is a float: display only, never money
        INFLUENCER_SPEND_7D.labels(influencer).set(float(spend))
