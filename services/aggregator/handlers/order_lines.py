"""Order lines: each inserted once by (order_id, line_no); a line inserted now adds its order count and revenue to
the influencer's day, its credits to the models, and may cost money."""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from sqlalchemy import Connection

from ...common.events import money, timestamp
from .. import tables as t
from ..batch import Calendar, Deltas
from ..bulk import insert_rows
from ..model_credits import ModelCredits
from ..spend import Source
from .platform import booked_platform


def line_rows(records: list[dict], calendar: Calendar, platforms: Mapping[str, str]) -> dict[tuple[str, int], dict]:
    """(order_id, line_no) → the attributed_orders row of each line (a line sent twice in the batch: once)."""
    rows = {}
    for r in records:
        placed = timestamp(r["placed_at"])
        rows[(r["order_id"], r["line_no"])] = {
            "order_id": r["order_id"], "line_no": r["line_no"], "customer_id": r["customer_id"],
            "influencer_id": r.get("influencer_id"), "brand": r["brand"], "product": r["product"],
            "quantity": r["quantity"], "revenue": money(r["revenue"]), "refunded": 0, "placed_at": placed,
            "day": calendar.day(placed), "rule": r["rule"], "contract_id": r.get("contract_id"),
            "click_id": r.get("click_id"), "counts_order": bool(r.get("counts_order")),
            "platform": booked_platform(r.get("platform"), r.get("influencer_id"), platforms),
            "touchpoints": r.get("touchpoints")}
    return rows


def write(conn: Connection, records: list[dict], calendar: Calendar, platforms: Mapping[str, str], deltas: Deltas,
          outcome: Counter, credits: ModelCredits) -> list[Source]:
    rows = line_rows(records, calendar, platforms)
    if not rows:
        return []
    unique = {(r["order_id"], r["line_no"]): r for r in records}
    inserted = insert_rows(conn, t.attributed_orders, list(rows.values()), conflict=("order_id", "line_no"),
                           returning=("order_id", "line_no"))
    new_keys = {tuple(k) for k in inserted}
    outcome["attributed_orders.inserted"] += len(new_keys)
    outcome["attributed_orders.duplicate"] += len(rows) - len(new_keys)
    sources = []
    for key, row in rows.items():
        if key not in new_keys:
            continue
        credits.add(unique[key], row, row["placed_at"])
        if not row["influencer_id"]:
            continue
        deltas.add((row["day"], row["influencer_id"], row["brand"], row["platform"]),
                   orders=int(row["counts_order"]), revenue=row["revenue"])
        sources.append(Source("order_line", f"{row['order_id']}|{row['line_no']}", row["influencer_id"], row["brand"],
                              row["platform"], row["placed_at"], row["day"], row["revenue"], row["counts_order"],
                              row["order_id"]))
    return sources
