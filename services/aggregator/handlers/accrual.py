"""Spend: every fact that may cost money priced by the contract in force at its moment (spend.py's rules), inserted
once by its spend key, and what was inserted added to the influencer's day; then the day's deltas written."""
from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import Connection

from .. import tables as t
from ..batch import Deltas
from ..bulk import insert_rows
from ..spend import Accrual, Source, accrue, applicable


def accruals(sources: list[Source], contracts: list[dict]) -> list[dict]:
    """The spend rows ``sources`` owe under ``contracts`` (each source once, in spend-key order)."""
    # the contracts indexed by what a fact matches on: scanning each influencer's contracts per fact was most of
    # the accrual's Python
    by_key: defaultdict[tuple[str, str], list[dict]] = defaultdict(list)
    for c in contracts:
        by_key[(c["influencer_id"], c["brand"])].append(c)
    owed: dict[tuple[str, str], Accrual] = {}
    for s in sources:
        a = accrue(applicable(by_key[(s.influencer_id, s.brand)], s), s)
        if a:
            owed[(a.source_kind, a.source_id)] = a
    return [owed[k].__dict__ for k in sorted(owed)]


def write(conn: Connection, sources: list[Source], deltas: Deltas, outcome: Counter) -> None:
    if not sources:
        return
    ids = sorted({s.influencer_id for s in sources})
    # one array parameter (an IN list was compiled per batch)
    contracts = [dict(c) for c in conn.exec_driver_sql(
        "SELECT * FROM contracts WHERE influencer_id = ANY(%(ids)s)", {"ids": ids}).mappings()]
    rows = accruals(sources, contracts)
    if not rows:
        return
    inserted = insert_rows(conn, t.spend, rows, conflict=("source_kind", "source_id"),
                           returning=("day", "influencer_id", "brand", "platform", "amount", "contract_id", "source_kind"))
    outcome["spend.inserted"] += len(inserted)
    for day, influencer, brand, platform, amount, contract, kind in inserted:
        deltas.add((day, influencer, brand, platform), spend=amount)
        deltas.accrued(day, contract, influencer, kind, amount)
        if kind == "post":
            deltas.paid_for_post(day, influencer, brand, platform, amount)


def apply_daily(conn: Connection, deltas: Deltas) -> None:
    """The batch's changes to influencer_daily, added in one statement (in key order: no deadlock between workers)."""
    rows = [{"day": k[0], "influencer_id": k[1], "brand": k[2], "platform": k[3],
             **{m: v.get(m, 0) for m in t.DAILY_MEASURES}} for k, v in deltas.sorted_rows()]
    if rows:
        insert_rows(conn, t.influencer_daily, rows, conflict=("day", "influencer_id", "brand", "platform"),
                    add=tuple(t.DAILY_MEASURES))
