"""Contracts: upserted (the newest of each), the payout comparison's rates kept, and the facts that arrived before
their contract found again so that they accrue now (the spend key keeps that idempotent)."""
from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.dialects.postgresql import insert

from ...common.contract_terms import event_terms
from ...common.events import money
from .. import tables as t
from ..spend import Source


def contract_rows(records: list[dict]) -> list[dict]:
    """One row per contract, the last record of each, with money and times parsed."""
    rows = []
    for r in {r["contract_id"]: r for r in records}.values():
        valid_from, valid_to = event_terms(r)
        rows.append({"contract_id": r["contract_id"], "influencer_id": r["influencer_id"], "brand": r["brand"],
                     "basis": r["basis"], "rate": money(r["rate"]), "valid_from": valid_from, "valid_to": valid_to,
                     "coupon_codes": r.get("coupon_codes") or [], "link_codes": r.get("link_codes") or [],
                     "campaign": r.get("campaign")})
    return rows


def upsert(conn: Connection, records: list[dict]) -> list[dict]:
    """The rows upserted (every contract of the batch, changed or replayed)."""
    rows = contract_rows(records)
    if not rows:
        return []
    # contract_rates (the payout comparison's own rates) of every influencer whose contracts change, before and after
    touched = sorted({r["influencer_id"] for r in rows} | set(conn.exec_driver_sql(
        "SELECT influencer_id FROM contracts WHERE contract_id = ANY(%(ids)s)",
        {"ids": sorted(r["contract_id"] for r in rows)}).scalars()))
    stmt = insert(t.contracts).values(rows)
    cols = [c for c in rows[0] if c != "contract_id"]
    conn.execute(stmt.on_conflict_do_update(index_elements=["contract_id"], set_={c: stmt.excluded[c] for c in cols}))
    conn.exec_driver_sql("DELETE FROM contract_rates WHERE influencer_id = ANY(%(ids)s)", {"ids": touched})
    conn.exec_driver_sql("INSERT INTO contract_rates SELECT * FROM contract_rates_from_contracts(%(ids)s)", {"ids": touched})
    return rows


def backfill_sources(conn: Connection, contracts: list[dict]) -> list[Source]:
    """The stored facts each contract could price: its influencer's posts, or order and refund lines, in its brand."""
    sources = []
    for c in contracts:
        where = dict(i=c["influencer_id"], b=c["brand"])
        if c["basis"] == "post":
            for p in conn.execute(text("SELECT post_id, platform, published_at, day FROM posts "
                                       "WHERE influencer_id = :i AND brand = :b"), where):
                sources.append(Source("post", p.post_id, c["influencer_id"], c["brand"], p.platform, p.published_at, p.day))
            continue
        for o in conn.execute(text("SELECT order_id, line_no, platform, placed_at, day, revenue, counts_order "
                                   "FROM attributed_orders WHERE influencer_id = :i AND brand = :b"), where):
            sources.append(Source("order_line", f"{o.order_id}|{o.line_no}", c["influencer_id"], c["brand"],
                                  o.platform, o.placed_at, o.day, o.revenue, o.counts_order, o.order_id))
        for f in conn.execute(text("SELECT r.refund_id, r.line_no, r.platform, r.day, r.amount, o.placed_at "
                                   "FROM refunds r JOIN attributed_orders o USING (order_id, line_no) "
                                   "WHERE r.influencer_id = :i AND r.brand = :b"), where):
            sources.append(Source("refund_line", f"{f.refund_id}|{f.line_no}", c["influencer_id"], c["brand"],
                                  f.platform, f.placed_at, f.day, f.amount))
    return sources
