"""One batch → one Postgres transaction: facts inserted by natural key, rollups changed only by
what the inserts actually changed (INSERT … ON CONFLICT DO NOTHING RETURNING). A replayed batch is a no-op.
Each record kind has its own step (handlers/); this module runs them in order, then the rollups and alerts."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import Engine

from ..alerts.store import detect
from ..alerts.thresholds import AlertConfig
from .batch import Batch, Calendar, Deltas
from .board_totals import UNKNOWN, BoardTotals
from .handlers import accrual, contracts, influencers, order_lines, posts, refund_lines
from .model_backfill import reprice
from .model_credits import ModelCredits
from .progress import store as store_offsets
from .rolling import apply_rolling, follow_contracts
from .spend import Source


def write_batch(engine: Engine, batch: Batch, calendar: Calendar, alerts: AlertConfig | None = None,
                consumer: str = "aggregator", rollups: bool = True) -> Counter:
    """Returns counts of inserted and duplicate facts per table (and of alerts fired or resolved). The batch's
    source offsets are stored in the same transaction (progress.py): Postgres says where the facts end.
    ``rollups=False`` writes the facts and spend only: ``hk rebuild`` builds the rollups from them at the end."""
    outcome: Counter = Counter()
    with engine.begin() as conn:
        store_offsets(conn, consumer, batch.offsets)
        ids = batch.influencer_ids()
        influencers.lock(conn, ids)
        totals = BoardTotals() if rollups else None
        upserted = sorted({r["influencer_id"] for r in batch.influencers})
        before = totals.known(conn, upserted) if totals else {}
        influencers.upsert(conn, batch.influencers)
        known = influencers.known(conn, ids)
        platforms = {i: platform for i, (platform, _) in known.items()}
        if totals:
            totals.start(conn, {i: known.get(i, (None, UNKNOWN))[1] for i in ids}, upserted, before)
        changed_contracts = contracts.upsert(conn, batch.contracts)
        if rollups:
            follow_contracts(conn, [c["contract_id"] for c in changed_contracts])
        deltas = Deltas() if rollups else _Unkept()
        sources: list[Source] = posts.write(conn, batch.posts, calendar, deltas, outcome, totals)
        credits = ModelCredits(repriced=reprice(conn, changed_contracts))  # credits that came before these contracts
        sources += order_lines.write(conn, batch.order_lines, calendar, platforms, deltas, outcome, credits)
        sources += refund_lines.write(conn, batch.refund_lines, calendar, platforms, deltas, outcome, credits)
        sources += contracts.backfill_sources(conn, changed_contracts)  # facts that arrived before their contract
        accrual.write(conn, sources, deltas, outcome)
        outcome["model_credits.inserted"] += credits.write(conn, platforms, rollups, deltas.posts_paid,
                                                            totals.moved if totals else None)
        if totals is None:
            return outcome
        accrual.apply_daily(conn, deltas)
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

    def accrued(self, *entry) -> None:
        pass

    def paid_for_post(self, *payment) -> None:
        pass
