"""daily_totals kept in each batch's transaction: influencer_daily without the influencer, per (day, brand,
platform, category), plus each post's engagement rate summed (the campaign board's average engagement).

What a batch changes:
- its daily deltas, each under its influencer's category ('' while the influencer is unknown);
- a post's engagement rate: the old snapshot's rate out, the new one in. Postgres computes the rates
  (``(likes + comments) * 100.0 / reach``, the expression report_posts shows), so the sum is exactly the sum of
  what a reader would compute from the posts;
- an influencer whose category changes (or who becomes known): its whole history moves from the old category
  to the new one, and rows left at zero go, so the table always equals ``daily_totals_from_facts()``.
All of it is summed in Python and written in one statement, in key order: no two workers deadlock on these rows.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import Connection

from . import tables as t
from .batch import Deltas
from .bulk import insert_rows

TotalKey = tuple  # day, brand, platform, category
MEASURES = (*t.DAILY_MEASURES, "rated_posts", "post_rates")
# the tables the board reads beside the windows, and what each must equal (migrations 0008, 0010, 0011): the tests, the fault
# suite and hk bench aggregator compare them
DEFINITIONS = {"daily_totals": "daily_totals_from_facts()", "contract_rates": "contract_rates_from_contracts()",
               "contract_windows": "contract_windows_from_spend((SELECT as_of FROM rolling_state))",
               "model_daily": "model_daily_from_facts()",  # migration 0010
               "model_windows": "model_windows_from_daily((SELECT as_of FROM rolling_state))",
               "model_totals": "model_totals_from_daily()"}  # migration 0011
UNKNOWN = ""  # the category of an influencer the pipeline has not been told about (report_facts' NULL)

RATES = """SELECT p.influencer_id, p.day, p.brand, p.platform, count(*), sum((p.likes + p.comments) * 100.0 / p.reach)
           FROM posts p WHERE p.{column} = ANY(%(ids)s) AND p.reach > 0 GROUP BY 1, 2, 3, 4"""
HISTORY = f"""SELECT influencer_id, day, brand, platform, {", ".join(t.DAILY_MEASURES)}
              FROM influencer_daily WHERE influencer_id = ANY(%(ids)s)"""
DROP_EMPTY = ("DELETE FROM daily_totals t USING unnest(%(d)s::date[], %(b)s::text[], %(p)s::text[], %(c)s::text[]) "
              "AS k(day, brand, platform, category) WHERE (t.day, t.brand, t.platform, t.category) = "
              "(k.day, k.brand, k.platform, k.category) AND " + " AND ".join(f"t.{m} = 0" for m in MEASURES))


class BoardTotals:
    def __init__(self) -> None:
        self.rows: dict[TotalKey, dict[str, Decimal | int]] = defaultdict(lambda: defaultdict(int))
        self.categories: dict[str, str] = {}
        self.emptied: set[TotalKey] = set()  # keys an influencer's history left: dropped if nothing is left
        self.moved: dict[str, tuple[str, str]] = {}  # influencer → (old, new) category: model_rollups.py moves it too

    @staticmethod
    def known(conn: Connection, ids: list[str]) -> dict[str, str]:
        """The categories of these influencers as stored now."""
        if not ids:
            return {}
        return dict(conn.exec_driver_sql("SELECT influencer_id, category FROM influencers WHERE influencer_id = ANY(%(ids)s)",
                                         {"ids": ids}).all())

    def start(self, conn: Connection, categories: dict[str, str], upserted: list[str], before: dict[str, str]) -> None:
        """After the batch's influencers (``upserted``) are written, before any delta: take the categories of the
        batch's influencers as stored now (``categories``, absent: unknown) and move the history of each upserted
        one whose category changed from ``before`` (what was stored until then)."""
        self.categories = categories
        moved = {i: (before.get(i, UNKNOWN), self.categories[i]) for i in upserted
                 if before.get(i, UNKNOWN) != self.categories[i]}
        self.moved = moved
        if not moved:
            return
        keys = sorted(moved)
        conn.exec_driver_sql("UPDATE rolling_sums r SET category = u.category FROM unnest(%(i)s::text[], %(c)s::text[]) "
                             "AS u(influencer_id, category) WHERE r.influencer_id = u.influencer_id",
                             {"i": keys, "c": [moved[k][1] for k in keys]})  # the windows carry it too (rolling.py)
        for influencer, day, brand, platform, *measures in conn.exec_driver_sql(HISTORY, {"ids": keys}):
            self._move(moved[influencer], (day, brand, platform), dict(zip(t.DAILY_MEASURES, measures, strict=True)))
        for influencer, day, brand, platform, n, rates in conn.exec_driver_sql(RATES.format(column="influencer_id"),
                                                                               {"ids": keys}):
            self._move(moved[influencer], (day, brand, platform), {"rated_posts": n, "post_rates": rates})

    def _move(self, categories: tuple[str, str], key: tuple, measures: dict) -> None:
        old, new = categories
        self._add(key + (old,), measures, -1)
        self._add(key + (new,), measures, 1)
        self.emptied.add(key + (old,))

    def post_rates(self, conn: Connection, post_ids: list[str], sign: int) -> None:
        """Adds (sign 1) or takes out (sign -1) the engagement rates of these posts as stored now."""
        if post_ids:
            for influencer, day, brand, platform, n, rates in conn.exec_driver_sql(RATES.format(column="post_id"),
                                                                                   {"ids": post_ids}):
                self._add((day, brand, platform, self._category(conn, influencer)),
                          {"rated_posts": n, "post_rates": rates}, sign)

    def add_daily(self, conn: Connection, deltas: Deltas) -> None:
        for (day, influencer, brand, platform), measures in deltas.rows.items():
            self._add((day, brand, platform, self._category(conn, influencer)), measures, 1)

    def _category(self, conn: Connection, influencer: str) -> str:
        if influencer not in self.categories:  # not one of the batch's (a post that changed influencer)
            self.categories[influencer] = self.known(conn, [influencer]).get(influencer, UNKNOWN)
        return self.categories[influencer]

    def _add(self, key: TotalKey, measures: dict, sign: int) -> None:
        row = self.rows[key]
        for name, value in measures.items():
            row[name] += sign * value

    def write(self, conn: Connection) -> None:
        rows = [{"day": k[0], "brand": k[1], "platform": k[2], "category": k[3], **{m: v.get(m, 0) for m in MEASURES}}
                for k, v in sorted(self.rows.items())]
        insert_rows(conn, t.daily_totals, rows, conflict=("day", "brand", "platform", "category"), add=MEASURES)
        if self.emptied:
            keys = sorted(self.emptied)
            conn.exec_driver_sql(DROP_EMPTY, {"d": [k[0] for k in keys], "b": [k[1] for k in keys],
                                              "p": [k[2] for k in keys], "c": [k[3] for k in keys]})
