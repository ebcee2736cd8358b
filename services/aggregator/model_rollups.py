"""The models' rollups kept by one statement per batch (migrations 0009-0011): model_daily, model_windows and
model_totals changed by exactly the credits a batch inserted, its post spend under every model, and the history
of each influencer whose category changed.

Why one statement in Postgres rather than sums in Python: taking the inserted rows back, summing and sending them
again was a quarter of the aggregator's time with the models (py-spy, hk bench aggregator). Every rollup row is
added in key order (two workers never deadlock on these rows), and NUMERIC sums exactly what was stored. All of
the statement's parts read the table as it was before it (Postgres's rule for data-modifying CTEs), so a moved
influencer's model_daily history is the one before this batch, whose own credits go in under the new category.
"""
from __future__ import annotations

from functools import lru_cache

from . import tables as t
from .bulk import insert_statement

COLUMNS = ("source_kind", "source_id", "model", "influencer_id", "order_id", "brand", "platform", "day", "orders",
           "revenue", "spend")  # of each fact, as model_credits._facts builds it
KEYS = ("model", "day", "influencer_id", "brand", "platform")  # model_daily's
TOTAL_KEYS = ("model", "day", "brand", "platform", "category")  # model_totals'
MEASURES = t.MODEL_MEASURES
MOVED = "json_to_recordset(%(moved)s::json) AS x(influencer_id text, old text, new text)"

# model_totals rows a moved history left at zero go when no model_daily row is left under them, so the table always
# equals model_totals_from_daily() (a row of zeros that still has model_daily rows stays, as the definition has it)
DROP_EMPTY = f"""DELETE FROM model_totals r
USING (SELECT DISTINCT d.model, d.day, d.brand, d.platform, x.old FROM {MOVED}
       JOIN model_daily d ON d.influencer_id = x.influencer_id) k
WHERE (r.model, r.day, r.brand, r.platform, r.category) = (k.model, k.day, k.brand, k.platform, k.old)
  AND r.orders = 0 AND r.revenue = 0 AND r.spend = 0
  AND NOT EXISTS (SELECT 1 FROM model_daily d LEFT JOIN influencers i ON i.influencer_id = d.influencer_id
                  WHERE (d.model, d.day, d.brand, d.platform) = (r.model, r.day, r.brand, r.platform)
                    AND coalesce(i.category, '') = r.category)"""


def _added(table: str) -> str:
    return ", ".join(f"{m} = {table}.{m} + EXCLUDED.{m}" for m in MEASURES)


@lru_cache(maxsize=2)
def statement(rollups: bool) -> str:
    """The facts inserted in key order (a replayed one does nothing), then, with ``rollups``, what was inserted,
    the batch's post spend under every model and the spend stored credits were repriced with (``changes``) added
    to model_daily, to the windows ending rolling_state.as_of (read FOR SHARE as rolling.py does: a refresh moving
    them waits for this transaction), and to model_totals under each influencer's category as stored now, with
    the moved histories."""
    insert = insert_statement(t.model_credits, COLUMNS, ("source_kind", "source_id", "model", "influencer_id"), (), (),
                              KEYS + MEASURES if rollups else ("model",))
    if not rollups:
        return f"WITH inserted AS ({insert}) SELECT count(*) FROM inserted"
    names, measures = ", ".join(KEYS), ", ".join(MEASURES)
    sums = lambda alias: ", ".join(f"sum({alias}{m})" for m in MEASURES)
    totals = ", ".join(TOTAL_KEYS)
    return (f"WITH inserted AS ({insert}), "
            "state AS (SELECT as_of FROM rolling_state FOR SHARE), "
            f"changes AS (SELECT {names}, {measures} FROM inserted UNION ALL "
            f"SELECT m.model, p.day, p.influencer_id, p.brand, p.platform, 0, 0, p.spend "
            "FROM json_populate_recordset(NULL::model_daily, %(posts)s::json) p "
            "CROSS JOIN unnest(attribution_models()) AS m(model) UNION ALL "
            f"SELECT {names}, {measures} FROM json_populate_recordset(NULL::model_daily, %(repriced)s::json)), "
            f"rolled AS (INSERT INTO model_daily ({names}, {measures}) "
            f"SELECT {names}, {sums('')} FROM changes GROUP BY {names} ORDER BY {names} "
            f"ON CONFLICT ({names}) DO UPDATE SET {_added('model_daily')}), "
            f"windows AS (INSERT INTO model_windows (window_days, model, brand, influencer_id, {measures}) "
            "SELECT w.n, c.model, CASE WHEN grouping(c.brand) = 1 THEN '' ELSE c.brand END, c.influencer_id, "
            f"{sums('c.')} "
            "FROM changes c CROSS JOIN state s CROSS JOIN unnest(model_window_days()) AS w(n) "
            "WHERE c.day > s.as_of - w.n AND c.day <= s.as_of "
            "GROUP BY GROUPING SETS ((w.n, c.model, c.influencer_id, c.brand), (w.n, c.model, c.influencer_id)) "
            "ORDER BY 1, 2, 3, 4 "
            f"ON CONFLICT (window_days, model, brand, influencer_id) DO UPDATE SET {_added('model_windows')}), "
            f"totals AS (INSERT INTO model_totals ({totals}, {measures}) "
            f"SELECT {totals}, {sums('k.')} FROM ("
            f"SELECT c.model, c.day, c.brand, c.platform, coalesce(i.category, '') AS category, {measures} "
            "FROM changes c LEFT JOIN influencers i ON i.influencer_id = c.influencer_id "
            "UNION ALL "  # a moved history: out of the old category, into the new
            "SELECT d.model, d.day, d.brand, d.platform, s.category, s.sign * d.orders, s.sign * d.revenue, "
            f"s.sign * d.spend FROM {MOVED} JOIN model_daily d ON d.influencer_id = x.influencer_id "
            "CROSS JOIN LATERAL (VALUES (x.old, -1), (x.new, 1)) AS s(category, sign)) k "
            f"GROUP BY {totals} ORDER BY {totals} "
            f"ON CONFLICT ({totals}) DO UPDATE SET {_added('model_totals')}) "
            "SELECT count(*) FROM inserted")
