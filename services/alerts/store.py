"""Alert detection inside the aggregator's batch transaction: the (influencer, brand) pairs a batch touched are
judged on their 7-day window against the 7 days before; firings and resolutions go to roas_alerts and, as
hk.alerts events, to alert_outbox — all in the batch's transaction, so a replay cannot fire twice."""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import Connection, text

from .detector import Verdict, Window, evaluate
from .thresholds import AlertConfig

WINDOW = 7
# ROAS as the boards show it: rolling_sums.roas is ratio(revenue, spend), and the week before is ratio()'d the same way
NOW = text("""SELECT influencer_id, brand, revenue, spend, orders, roas FROM rolling_sums
              WHERE window_days = :w AND (influencer_id, brand) IN (SELECT * FROM unnest(CAST(:i AS text[]), CAST(:b AS text[])))""")
BEFORE = text("""SELECT influencer_id, brand, sum(revenue), sum(spend), sum(orders), ratio(sum(revenue), sum(spend))
                 FROM influencer_daily
                 WHERE day > :start AND day <= :end
                   AND (influencer_id, brand) IN (SELECT * FROM unnest(CAST(:i AS text[]), CAST(:b AS text[])))
                 GROUP BY 1, 2""")
OPEN = text("""SELECT influencer_id, brand, alert_id FROM roas_alerts WHERE resolved_at IS NULL
               AND (influencer_id, brand) IN (SELECT * FROM unnest(CAST(:i AS text[]), CAST(:b AS text[])))
               ORDER BY 1, 2 FOR UPDATE""")


# a batch's influencer_daily deltas: (day, influencer, brand, platform) → measures changed (aggregator.batch.Deltas.rows;
# taken as a mapping so that alerts does not import the aggregator, which imports alerts)
DailyDeltas = Mapping[tuple[date, str, str, str], Mapping[str, object]]


def touched(deltas: DailyDeltas, as_of: date) -> list[tuple[str, str]]:
    """Pairs whose current or previous 7-day window this batch changed."""
    start = as_of - timedelta(days=2 * WINDOW)
    return sorted({(inf, brand) for (day, inf, brand, _), m in deltas.items()
                   if start < day <= as_of and ({"revenue", "spend", "orders"} & set(m))})


def detect(conn: Connection, deltas: DailyDeltas, as_of: date, config: AlertConfig) -> Counter:
    """Alerts fired and resolved, by action (counted by the caller once the transaction commits)."""
    changed: Counter = Counter()
    pairs = touched(deltas, as_of)
    if not pairs:
        return changed
    keys = {"i": [p[0] for p in pairs], "b": [p[1] for p in pairs]}
    now = {(i, b): Window(r, s, o, roas) for i, b, r, s, o, roas in conn.execute(NOW, {**keys, "w": WINDOW})}
    before = {(i, b): Window(r, s, o, roas) for i, b, r, s, o, roas in conn.execute(
        BEFORE, {**keys, "start": as_of - timedelta(days=2 * WINDOW), "end": as_of - timedelta(days=WINDOW)})}
    open_alerts = {(i, b): a for i, b, a in conn.execute(OPEN, keys)}
    empty = Window(Decimal(0), Decimal(0), 0, None)
    for pair in pairs:
        t = config.for_brand(pair[1])
        verdict = evaluate(now.get(pair, empty), before.get(pair, empty), pair in open_alerts, t)
        if verdict.action == "fire":
            _fire(conn, pair, verdict, now.get(pair, empty), t)
        elif verdict.action == "resolve":
            _resolve(conn, pair, open_alerts[pair], verdict)
        else:
            continue
        changed[verdict.action] += 1
    return changed


def _fire(conn, pair, v: Verdict, window: Window, t) -> None:
    at = datetime.now(timezone.utc)
    alert_id = conn.execute(text("""
        INSERT INTO roas_alerts (influencer_id, brand, window_days, roas_before, roas_now, spend, orders, threshold,
                                 drop_fraction, reason, fired_at)
        VALUES (:i, :b, :w, :before, :now, :spend, :orders, :threshold, :drop, :reason, :at) RETURNING alert_id"""),
        {"i": pair[0], "b": pair[1], "w": WINDOW, "before": v.roas_before, "now": v.roas_now, "spend": window.spend,
         "orders": window.orders, "threshold": t.poor_roas, "drop": t.drop_fraction, "reason": v.reason, "at": at}).scalar_one()
    _outbox(conn, alert_id, "firing", pair, v, at, {"spend": str(window.spend), "orders": window.orders,
                                                    "threshold": str(t.poor_roas), "drop_fraction": str(t.drop_fraction)})


def _resolve(conn, pair, alert_id: int, v: Verdict) -> None:
    at = datetime.now(timezone.utc)
    conn.execute(text("UPDATE roas_alerts SET resolved_at = :at, resolved_roas = :roas, resolved_reason = :reason "
                      "WHERE alert_id = :id"), {"at": at, "roas": v.roas_now, "reason": v.reason, "id": alert_id})
    _outbox(conn, alert_id, "resolved", pair, v, at, {})


def _outbox(conn, alert_id: int, status: str, pair, v: Verdict, at: datetime, extra: dict) -> None:
    payload = {"type": "roas_alert", "alert_id": alert_id, "status": status, "influencer_id": pair[0], "brand": pair[1],
               "window_days": WINDOW, "roas_now": str(v.roas_now) if v.roas_now is not None else None,
               "roas_before": str(v.roas_before) if v.roas_before is not None else None, "reason": v.reason,
               "at": at.isoformat(), **extra}
    conn.execute(text("INSERT INTO alert_outbox (event_id, influencer_id, payload) VALUES (:e, :i, CAST(:p AS jsonb))"),
                 {"e": f"roas-alert-{alert_id}-{status}", "i": pair[0], "p": json.dumps(payload)})
