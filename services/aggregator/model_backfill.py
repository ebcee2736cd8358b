"""Credits stored before their contract: an ``order`` or ``revenue_share`` contract that arrives (or changes)
after the influencer's credited orders prices them then, as handlers/contracts.py's backfill accrues the rules' spend.

Which credits: the contract's influencer's in its brand that carry no spend (``model_credits_unpriced``, a
partial index, finds them; migration 0011), priced by model_credits.priced with the contracts as stored now, so
with the contract valid at the order's moment. A credit that still prices to nothing (a later line of an order
under an ``order`` contract, or no contract valid then) is left as it is; a credit already priced is never
repriced, as the rules' spend is not. The new spend is written to model_credits here and returned per
model_daily row, for the batch's one rollup statement (model_rollups.py) to add everywhere.
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Connection

from ..common.events import dumps
from .model_credits import contracts_of, priced

# the order line's time and amount; a refund line has its order line's number (handlers/contracts.py's backfill joins the same way)
UNPRICED = r"""SELECT c.source_kind, c.source_id, c.model, c.influencer_id, c.order_id, c.brand, c.platform, c.day,
                      c.revenue, o.placed_at, o.revenue AS line_revenue, o.counts_order
               FROM model_credits c JOIN attributed_orders o ON o.order_id = c.order_id
                 AND o.line_no = substring(c.source_id FROM '\|(\d+)$')::integer
               JOIN unnest(%(i)s::text[], %(b)s::text[]) AS k(influencer_id, brand)
                 ON c.influencer_id = k.influencer_id AND c.brand = k.brand
               WHERE c.spend = 0"""
PRICE = """UPDATE model_credits c SET spend = u.spend
           FROM json_to_recordset(%(rows)s::json) AS u(source_kind text, source_id text, model text, influencer_id text,
                                                      spend numeric)
           WHERE (c.source_kind, c.source_id, c.model, c.influencer_id) = (u.source_kind, u.source_id, u.model, u.influencer_id)"""
KEY = ("source_kind", "source_id", "model", "influencer_id")


def reprice(conn: Connection, contracts: list[dict]) -> list[dict]:
    """Prices the unpriced credits these contracts now cover; returns the spend added, as model_daily rows."""
    keys = sorted({(c["influencer_id"], c["brand"]) for c in contracts if c["basis"] in ("order", "revenue_share")})
    if not keys:
        return []
    credits = conn.exec_driver_sql(UNPRICED, {"i": [k[0] for k in keys], "b": [k[1] for k in keys]}).mappings().all()
    by_key = contracts_of(conn, sorted({c["influencer_id"] for c in credits})) if credits else {}
    found = {}
    for c in credits:
        spend = _spend(c, by_key)
        if spend:
            found[tuple(c[k] for k in KEY)] = {**c, "spend": spend}
    rows = [found[k] for k in sorted(found)]
    if not rows:
        return []
    conn.exec_driver_sql(PRICE, {"rows": dumps([{**{k: r[k] for k in KEY}, "spend": r["spend"]} for r in rows]).decode()})
    return [{"model": r["model"], "day": r["day"], "influencer_id": r["influencer_id"], "brand": r["brand"],
             "platform": r["platform"], "orders": 0, "revenue": 0, "spend": r["spend"]} for r in rows]


def _spend(c, contracts) -> Decimal:
    refund = c["source_kind"] == "refund_line"
    credit = -c["revenue"] if refund else c["revenue"]
    row = {"order_id": c["order_id"], "brand": c["brand"], "platform": c["platform"], "day": c["day"],
           "influencer_id": c["influencer_id"], "counts_order": c["counts_order"]}  # the credit's own platform
    return priced(c["influencer_id"], credit, refund, c["source_kind"], c["source_id"], c["line_revenue"], row,
                  c["placed_at"], {}, contracts)["spend"]
