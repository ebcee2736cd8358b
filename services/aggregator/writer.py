"""One batch → one Postgres transaction: facts inserted by natural key, rollups changed only by
what the inserts actually changed (INSERT … ON CONFLICT DO NOTHING RETURNING). A replayed batch is a no-op."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timezone

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.dialects.postgresql import insert

from ..common.events import money, timestamp
from . import tables as t
from .batch import Batch, Calendar, Deltas
from .board_totals import UNKNOWN, BoardTotals
from .bulk import insert_rows
from .model_backfill import reprice
from .model_credits import ModelCredits
from ..alerts.store import detect
from ..alerts.thresholds import AlertConfig
from .progress import store as store_offsets
from .rolling import apply_rolling, follow_contracts
from .spend import Source, accrue, applicable

UNKNOWN_PLATFORM = "unknown"


def write_batch(engine: Engine, batch: Batch, calendar: Calendar, alerts: AlertConfig | None = None,
                consumer: str = "aggregator", rollups: bool = True) -> Counter:
    """Returns counts of inserted and duplicate facts per table (and of alerts fired or resolved). The batch's
    source offsets are stored in the same transaction (progress.py): Postgres says where the facts end.
    ``rollups=False`` writes the facts and spend only: ``hk rebuild`` builds the rollups from them at the end."""
    outcome: Counter = Counter()
    with engine.begin() as conn:
        store_offsets(conn, consumer, batch.offsets)
        ids = batch.influencer_ids()
        _lock_influencers(conn, ids)
        totals = BoardTotals() if rollups else None
        upserted = sorted({r["influencer_id"] for r in batch.influencers})
        before = totals.known(conn, upserted) if totals else {}
        _upsert_influencers(conn, batch.influencers)
        known = _known(conn, ids)
        platforms = {i: platform for i, (platform, _) in known.items()}
        if totals:
            totals.start(conn, {i: known.get(i, (None, UNKNOWN))[1] for i in ids}, upserted, before)
        changed_contracts = _upsert_contracts(conn, batch.contracts)
        if rollups:
            follow_contracts(conn, [c["contract_id"] for c in changed_contracts])
        deltas, sources = Deltas() if rollups else _Unkept(), []
        sources += _posts(conn, batch.posts, calendar, deltas, outcome, totals)
        credits = ModelCredits(repriced=reprice(conn, changed_contracts))  # credits that came before these contracts
        sources += _order_lines(conn, batch.order_lines, calendar, platforms, deltas, outcome, credits)
        sources += _refund_lines(conn, batch.refund_lines, calendar, platforms, deltas, outcome, credits)
        sources += _backfill_sources(conn, changed_contracts, calendar)
        _accrue(conn, sources, deltas, outcome)
        outcome["model_credits.inserted"] += credits.write(conn, platforms, rollups, deltas.posts_paid,
                                                            totals.moved if totals else None)
        if not rollups:
            return outcome
        _apply(conn, deltas)
        totals.add_daily(conn, deltas)
        totals.write(conn)
        as_of = apply_rolling(conn, deltas, totals.categories)
        if alerts is not None and as_of is not None:
            for action, n in detect(conn, deltas.rows, as_of, alerts).items():
                outcome[f"roas_alerts.{action}"] += n
    return outcome


class _Unkept(Deltas):
    """The deltas of a batch whose rollups are built later from the facts (``hk rebuild``)."""

    def add(self, key, **measures) -> None:
        pass

    def accrued(self, *accrual) -> None:
        pass

    def paid_for_post(self, *payment) -> None:
        pass


def _lock_influencers(conn: Connection, ids: list[str]) -> None:
    # Serialises spend accrual per influencer across workers: a contract and an order arriving on two
    # workers at once must not both miss each other.
    if ids:
        conn.execute(text("SELECT count(pg_advisory_xact_lock(hashtext(i))) FROM "
                          "(SELECT unnest(CAST(:ids AS text[])) AS i ORDER BY 1) s"), {"ids": ids})


def _upsert_influencers(conn: Connection, records: list[dict]) -> None:
    latest = {r["influencer_id"]: r for r in records}  # the topic is compacted: the last one is the truth
    if not latest:
        return
    now = datetime.now(timezone.utc)
    rows = [{"influencer_id": r["influencer_id"], "name": r["name"], "category": r["category"],
             "gender": r.get("gender"), "follower_count": r.get("follower_count"), "platform": r["platform"],
             "updated_at": now} for r in latest.values()]
    stmt = insert(t.influencers).values(rows)
    conn.execute(stmt.on_conflict_do_update(index_elements=["influencer_id"], set_={
        c: stmt.excluded[c] for c in ("name", "category", "gender", "follower_count", "platform", "updated_at")}))


def _upsert_contracts(conn: Connection, records: list[dict]) -> list[dict]:
    latest = {r["contract_id"]: r for r in records}
    if not latest:
        return []
    # contract_rates (the payout comparison's own rates) of every influencer whose contracts change, before and after
    touched = sorted({r["influencer_id"] for r in latest.values()} | set(conn.exec_driver_sql(
        "SELECT influencer_id FROM contracts WHERE contract_id = ANY(%(ids)s)", {"ids": sorted(latest)}).scalars()))
    rows = [{"contract_id": r["contract_id"], "influencer_id": r["influencer_id"], "brand": r["brand"],
             "basis": r["basis"], "rate": money(r["rate"]), "valid_from": timestamp(r["valid_from"]),
             "valid_to": timestamp(r["valid_to"]) if r.get("valid_to") else None,
             "coupon_codes": r.get("coupon_codes") or [], "link_codes": r.get("link_codes") or [],
             "campaign": r.get("campaign")} for r in latest.values()]
    stmt = insert(t.contracts).values(rows)
    cols = [c for c in rows[0] if c != "contract_id"]
    conn.execute(stmt.on_conflict_do_update(index_elements=["contract_id"], set_={c: stmt.excluded[c] for c in cols}))
    conn.exec_driver_sql("DELETE FROM contract_rates WHERE influencer_id = ANY(%(ids)s)", {"ids": touched})
    conn.exec_driver_sql("INSERT INTO contract_rates SELECT * FROM contract_rates_from_contracts(%(ids)s)", {"ids": touched})
    return rows


def _known(conn: Connection, ids: list[str]) -> dict[str, tuple[str, str]]:
    """influencer → (platform, category) for those the influencers table has (one read for both uses)."""
    if not ids:
        return {}
    return {i: (p, c) for i, p, c in conn.exec_driver_sql(
        "SELECT influencer_id, platform, category FROM influencers WHERE influencer_id = ANY(%(ids)s)", {"ids": ids})}


def _posts(conn, records, calendar, deltas, outcome, totals: BoardTotals | None) -> list[Source]:
    if not records:
        return []
    ids = sorted({r["post_id"] for r in records})
    current = {row.post_id: row._asdict() for row in conn.execute(
        select(t.posts).where(t.posts.c.post_id.in_(ids)).with_for_update())}
    changed, sources = {}, []
    for r in sorted(records, key=lambda r: timestamp(r["observed_at"])):
        old = current.get(r["post_id"])
        observed = timestamp(r["observed_at"])
        if old and observed <= old["observed_at"]:
            outcome["posts.stale"] += 1  # an older or repeated snapshot: newest observed_at wins
            continue
        published = timestamp(r["published_at"])
        new = {"post_id": r["post_id"], "influencer_id": r["influencer_id"], "platform": r["platform"],
               "brand": r["brand"], "campaign": r.get("campaign"), "url": r["url"], "caption": r.get("caption"),
               "published_at": published, "day": calendar.day(published), "reach": r["reach"],
               "likes": r["likes"], "comments": r["comments"], "observed_at": observed}
        if old:
            deltas.add((old["day"], old["influencer_id"], old["brand"], old["platform"]),
                       reach=-old["reach"], likes=-old["likes"], comments=-old["comments"], posts=-1)
        else:
            sources.append(Source("post", r["post_id"], r["influencer_id"], r["brand"], r["platform"],
                                  published, new["day"]))
        deltas.add((new["day"], new["influencer_id"], new["brand"], new["platform"]),
                   reach=new["reach"], likes=new["likes"], comments=new["comments"], posts=1)
        current[r["post_id"]] = changed[r["post_id"]] = new
        outcome["posts.inserted" if not old else "posts.updated"] += 1
    if changed:
        cols = tuple(c for c in next(iter(changed.values())) if c != "post_id")
        ids = sorted(changed)
        if totals:  # the engagement rates as Postgres computes them: the old snapshots' out, the new ones' in
            totals.post_rates(conn, ids, -1)
        insert_rows(conn, t.posts, list(changed.values()), conflict=("post_id",), replace=cols)
        if totals:
            totals.post_rates(conn, ids, 1)
    return sources


def _order_lines(conn, records, calendar, platforms, deltas, outcome, credits: ModelCredits) -> list[Source]:
    unique = {(r["order_id"], r["line_no"]): r for r in records}
    if not unique:
        return []
    rows = []
    for r in unique.values():
        placed = timestamp(r["placed_at"])
        rows.append({"order_id": r["order_id"], "line_no": r["line_no"], "customer_id": r["customer_id"],
                     "influencer_id": r.get("influencer_id"), "brand": r["brand"], "product": r["product"],
                     "quantity": r["quantity"], "revenue": money(r["revenue"]), "refunded": 0, "placed_at": placed,
                     "day": calendar.day(placed), "rule": r["rule"], "contract_id": r.get("contract_id"),
                     "click_id": r.get("click_id"), "counts_order": bool(r.get("counts_order")),
                     "platform": r.get("platform") or platforms.get(r.get("influencer_id"), UNKNOWN_PLATFORM),
                     "touchpoints": r.get("touchpoints")})
    inserted = insert_rows(conn, t.attributed_orders, rows, conflict=("order_id", "line_no"), returning=("order_id", "line_no"))
    new_keys = {tuple(k) for k in inserted}
    outcome["attributed_orders.inserted"] += len(new_keys)
    outcome["attributed_orders.duplicate"] += len(rows) - len(new_keys)
    sources = []
    for row in rows:
        if (row["order_id"], row["line_no"]) not in new_keys:
            continue
        credits.add(unique[(row["order_id"], row["line_no"])], row, row["placed_at"])
        if not row["influencer_id"]:
            continue
        deltas.add((row["day"], row["influencer_id"], row["brand"], row["platform"]),
                   orders=int(row["counts_order"]), revenue=row["revenue"])
        sources.append(Source("order_line", f"{row['order_id']}|{row['line_no']}", row["influencer_id"], row["brand"],
                              row["platform"], row["placed_at"], row["day"], row["revenue"], row["counts_order"],
                              row["order_id"]))
    return sources


def _refund_lines(conn, records, calendar, platforms, deltas, outcome, credits: ModelCredits) -> list[Source]:
    unique = {(r["refund_id"], r["line_no"]): r for r in records}
    if not unique:
        return []
    # the keys travel as two arrays: an IN list of tuples was compiled afresh per batch, and a JSON parameter
    # (bulk.py) was planned as a hash join over the whole table
    line_keys = sorted({(r["order_id"], r["line_no"]) for r in unique.values()})
    lines = {(o, n): (p, at) for o, n, p, at in conn.exec_driver_sql(
        "SELECT a.order_id, a.line_no, a.platform, a.placed_at FROM unnest(%(o)s::text[], %(n)s::int[]) AS k(order_id, line_no) "
        "JOIN attributed_orders a USING (order_id, line_no)",
        {"o": [o for o, _ in line_keys], "n": [n for _, n in line_keys]})}
    rows = []
    for r in unique.values():
        refunded = timestamp(r["refunded_at"])
        rows.append({"refund_id": r["refund_id"], "line_no": r["line_no"], "order_id": r["order_id"],
                     "influencer_id": r.get("influencer_id"), "brand": r["brand"], "amount": money(r["amount"]),
                     "refunded_at": refunded, "day": calendar.day(refunded),
                     "platform": lines.get((r["order_id"], r["line_no"]), (None,))[0]
                     or platforms.get(r.get("influencer_id"), UNKNOWN_PLATFORM)})
    inserted = {tuple(k) for k in insert_rows(conn, t.refunds, rows, conflict=("refund_id", "line_no"),
                                              returning=("refund_id", "line_no"))}
    outcome["refunds.inserted"] += len(inserted)
    outcome["refunds.duplicate"] += len(rows) - len(inserted)
    fresh = [row for row in rows if (row["refund_id"], row["line_no"]) in inserted]
    per_line = defaultdict(int)
    for row in fresh:
        per_line[(row["order_id"], row["line_no"])] += row["amount"]
    if per_line:
        keys = sorted(per_line)
        conn.exec_driver_sql("UPDATE attributed_orders a SET refunded = a.refunded + u.amount "
                             "FROM unnest(%(o)s::text[], %(n)s::int[], %(a)s::numeric[]) AS u(order_id, line_no, amount) "
                             "WHERE a.order_id = u.order_id AND a.line_no = u.line_no",
                             {"o": [k[0] for k in keys], "n": [k[1] for k in keys], "a": [per_line[k] for k in keys]})
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


def _backfill_sources(conn, contracts: list[dict], calendar) -> list[Source]:
    """Facts that arrived before their contract: accrue them now (the spend key keeps this idempotent)."""
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


def _accrue(conn, sources: list[Source], deltas: Deltas, outcome: Counter) -> None:
    if not sources:
        return
    ids = sorted({s.influencer_id for s in sources})
    # one array parameter (an IN list was compiled per batch), and the contracts indexed by what a fact
    # matches on: scanning each influencer's contracts per fact was most of the accrual's Python
    by_key = defaultdict(list)
    for c in conn.exec_driver_sql("SELECT * FROM contracts WHERE influencer_id = ANY(%(ids)s)", {"ids": ids}).mappings():
        by_key[(c["influencer_id"], c["brand"])].append(dict(c))
    accruals = {}
    for s in sources:
        a = accrue(applicable(by_key[(s.influencer_id, s.brand)], s), s)
        if a:
            accruals[(a.source_kind, a.source_id)] = a.__dict__
    if not accruals:
        return
    rows = [accruals[k] for k in sorted(accruals)]
    inserted = insert_rows(conn, t.spend, rows, conflict=("source_kind", "source_id"),
                           returning=("day", "influencer_id", "brand", "platform", "amount", "contract_id", "source_kind"))
    outcome["spend.inserted"] += len(inserted)
    for day, influencer, brand, platform, amount, contract, kind in inserted:
        deltas.add((day, influencer, brand, platform), spend=amount)
        deltas.accrued(day, contract, influencer, kind, amount)
        if kind == "post":
            deltas.paid_for_post(day, influencer, brand, platform, amount)


def _apply(conn: Connection, deltas: Deltas) -> None:
    rows = [{"day": k[0], "influencer_id": k[1], "brand": k[2], "platform": k[3],
             **{m: v.get(m, 0) for m in t.DAILY_MEASURES}} for k, v in deltas.sorted_rows()]
    if not rows:
        return
    insert_rows(conn, t.influencer_daily, rows, conflict=("day", "influencer_id", "brand", "platform"),
                add=tuple(t.DAILY_MEASURES))
