"""Refund lines: each inserted once by (refund_id, line_no), booked on the refund's day under its order line's
platform; a refund inserted now lowers its line's revenue, the influencer's day, the models' credits, and a
revenue-share contract's spend."""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection

from ...common.events import money, timestamp
from .. import tables as t
from ..batch import Calendar, Deltas
from ..bulk import insert_rows
from ..model_credits import ModelCredits
from ..spend import Source
from .platform import booked_platform

LineKey = tuple[str, int]  # order_id, line_no


def refund_rows(records: list[dict], calendar: Calendar, platforms: Mapping[str, str],
                lines: Mapping[LineKey, tuple[str, datetime]]) -> dict[tuple[str, int], dict]:
    """(refund_id, line_no) → the refunds row of each refund line; ``lines`` holds each stored order line's
    (platform, placed_at): a refund is booked under its line's platform, else as its order line would be."""
    rows = {}
    for r in records:
        refunded = timestamp(r["refunded_at"])
        line = lines.get((r["order_id"], r["line_no"]))
        rows[(r["refund_id"], r["line_no"])] = {
            "refund_id": r["refund_id"], "line_no": r["line_no"], "order_id": r["order_id"],
            "influencer_id": r.get("influencer_id"), "brand": r["brand"], "amount": money(r["amount"]),
            "refunded_at": refunded, "day": calendar.day(refunded),
            "platform": booked_platform(line[0] if line else None, r.get("influencer_id"), platforms)}
    return rows


def write(conn: Connection, records: list[dict], calendar: Calendar, platforms: Mapping[str, str], deltas: Deltas,
          outcome: Counter, credits: ModelCredits) -> list[Source]:
    unique = {(r["refund_id"], r["line_no"]): r for r in records}
    if not unique:
        return []
    lines = _lines(conn, sorted({(r["order_id"], r["line_no"]) for r in unique.values()}))
    rows = refund_rows(records, calendar, platforms, lines)
    inserted = {tuple(k) for k in insert_rows(conn, t.refunds, list(rows.values()), conflict=("refund_id", "line_no"),
                                              returning=("refund_id", "line_no"))}
    outcome["refunds.inserted"] += len(inserted)
    outcome["refunds.duplicate"] += len(rows) - len(inserted)
    fresh = [row for key, row in rows.items() if key in inserted]
    _lower_lines(conn, fresh)
    sources = []
    for row in fresh:
        order_at = lines.get((row["order_id"], row["line_no"]), (None, row["refunded_at"]))[1]
        credits.add(unique[(row["refund_id"], row["line_no"])], row, order_at)
        if not row["influencer_id"]:
            continue
        deltas.add((row["day"], row["influencer_id"], row["brand"], row["platform"]), revenue=-row["amount"])
        sources.append(Source("refund_line", f"{row['refund_id']}|{row['line_no']}", row["influencer_id"],
                              row["brand"], row["platform"], order_at, row["day"], row["amount"]))
    return sources


def _lines(conn: Connection, keys: list[LineKey]) -> dict[LineKey, tuple[str, datetime]]:
    # the keys travel as two arrays: an IN list of tuples was compiled afresh per batch, and a JSON parameter
    # (bulk.py) was planned as a hash join over the whole table
    return {(o, n): (p, at) for o, n, p, at in conn.exec_driver_sql(
        "SELECT a.order_id, a.line_no, a.platform, a.placed_at FROM unnest(%(o)s::text[], %(n)s::int[]) AS k(order_id, line_no) "
        "JOIN attributed_orders a USING (order_id, line_no)", {"o": [o for o, _ in keys], "n": [n for _, n in keys]})}


def _lower_lines(conn: Connection, fresh: list[dict]) -> None:
    """What the new refunds took from each order line (attributed_orders.refunded; CHECK refunded <= revenue)."""
    per_line: defaultdict[LineKey, Decimal] = defaultdict(Decimal)
    for row in fresh:
        per_line[(row["order_id"], row["line_no"])] += row["amount"]
    if per_line:
        keys = sorted(per_line)
        conn.exec_driver_sql("UPDATE attributed_orders a SET refunded = a.refunded + u.amount "
                             "FROM unnest(%(o)s::text[], %(n)s::int[], %(a)s::numeric[]) AS u(order_id, line_no, amount) "
                             "WHERE a.order_id = u.order_id AND a.line_no = u.line_no",
                             {"o": [k[0] for k in keys], "n": [k[1] for k in keys], "a": [per_line[k] for k in keys]})
