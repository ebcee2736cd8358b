"""The write path of the multi-touch models: each new order line's and refund line's credits (decided by the
attribution worker, services/attribution/credits.py) become model_credits facts, priced by the influencer's
contract, and the models' rollups change by the facts actually inserted (model_rollups.py), so a replayed record
changes nothing.

Spend follows the credited share (issue 20): under an ``order`` contract an influencer credited a third of an
order owes a third of its fee; under ``revenue_share`` the rate applies to the credit, and to a refund's
credit; a ``post`` contract's spend is the same under every model, and model_daily carries it under each
(migration 0010), backfilled through the same accrual when the contract comes after the post. Pricing uses
spend.py's rules with the contract valid at the order's moment, as the rules' spend does. An ``order`` or
``revenue_share`` contract that arrives after its orders is backfilled, as the rules' spend is (handlers/contracts.py), by
model_backfill.py: the influencer's credits in that brand that carry no spend are priced then.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Connection

from ..common.events import FieldError, dumps
from .handlers.platform import booked_platform
from .model_rollups import DROP_EMPTY, statement
from .spend import Source, accrue, applicable

SHARE = Decimal("1e-12")


def credit_errors(record: dict, amount: Decimal) -> list[FieldError]:
    """Each model's credits must add up to the line's revenue or the refund's amount exactly (their shape is
    schemas/attribution.v1.json's, checked before this)."""
    return [FieldError(f"credits.{model}", f"add up to {total}, not the record's {amount}")
            for model, credited in (record.get("credits") or {}).items()
            if (total := sum(map(Decimal, credited.values()), Decimal(0))) != amount]


@dataclass
class ModelCredits:
    """The credits of one batch's newly inserted lines, written together."""
    pending: list[tuple[dict, dict, object]] = field(default_factory=list)  # (record, fact row, placed_at)
    repriced: list[dict] = field(default_factory=list)  # spend added to stored credits (model_backfill.py)

    def add(self, record: dict, row: dict, placed_at) -> None:
        if record.get("credits"):
            self.pending.append((record, row, placed_at))

    def write(self, conn: Connection, platforms: dict[str, str], rollups: bool, posts_paid: Sequence[dict] = (),
              moved: dict[str, tuple[str, str]] | None = None) -> int:
        """Inserts the credits (a credit already stored is left alone) and, with ``rollups``, adds the ones
        actually inserted, and ``posts_paid`` (the post spend this batch inserted: day, influencer_id, brand,
        platform, spend) under every model and the spend ``repriced`` added, to the models' rollups in the same
        statement, moving the model_totals history of each ``moved`` influencer (id → old and new category);
        returns how many credits were new."""
        moved = moved or {}
        if not self.pending and not (rollups and (posts_paid or moved or self.repriced)):
            return 0
        facts = {}
        if self.pending:
            contracts = contracts_of(conn, sorted({i for r, _, _ in self.pending for c in r["credits"].values() for i in c}))
            for record, row, placed_at in self.pending:
                for fact in _facts(record, row, placed_at, platforms, contracts):
                    facts[(fact["source_kind"], fact["source_id"], fact["model"], fact["influencer_id"])] = fact
        rows = [facts[k] for k in sorted(facts)]
        params = {"rows": dumps(rows).decode(), "posts": dumps(list(posts_paid)).decode(),
                  "repriced": dumps(self.repriced).decode(),
                  "moved": dumps([{"influencer_id": i, "old": old, "new": new} for i, (old, new) in sorted(moved.items())]).decode()}
        inserted = conn.exec_driver_sql(statement(rollups), params).scalar_one()
        if rollups and moved:
            conn.exec_driver_sql(DROP_EMPTY, params)
        return inserted


def contracts_of(conn: Connection, ids: list[str]) -> dict[tuple[str, str], list[dict]]:
    by_key = defaultdict(list)
    for c in conn.exec_driver_sql("SELECT * FROM contracts WHERE influencer_id = ANY(%(ids)s)", {"ids": ids}).mappings():
        by_key[(c["influencer_id"], c["brand"])].append(dict(c))
    return by_key


def _facts(record: dict, row: dict, placed_at, platforms: dict[str, str], contracts) -> list[dict]:
    refund = record["kind"] == "refund_line"
    kind, source_id = ("refund_line", f"{row['refund_id']}|{row['line_no']}") if refund else (
        "order_line", f"{row['order_id']}|{row['line_no']}")
    line_amount = row["amount"] if refund else row["revenue"]
    facts, prices = [], {}
    for model, credited in record["credits"].items():
        for influencer, amount in credited.items():
            if (influencer, amount) not in prices:  # models crediting the same amount: priced once (most orders)
                prices[(influencer, amount)] = priced(influencer, Decimal(amount), refund, kind, source_id, line_amount,
                                                       row, placed_at, platforms, contracts)
            facts.append({"source_kind": kind, "source_id": source_id, "model": model, "influencer_id": influencer,
                          **prices[(influencer, amount)]})
    return facts


def priced(influencer: str, credit: Decimal, refund: bool, kind: str, source_id: str, line_amount: Decimal,
            row: dict, placed_at, platforms: dict[str, str], contracts) -> dict:
    # the order's share counted on the first line of each brand (a free first line counts none), to 12 places
    orders = (credit / line_amount).quantize(SHARE) if not refund and row["counts_order"] and line_amount else Decimal(0)
    platform = row["platform"] if influencer == row["influencer_id"] else booked_platform(None, influencer, platforms)
    source = Source(kind, source_id, influencer, row["brand"], platform, placed_at, row["day"], credit, True,
                    row["order_id"])
    accrual = accrue(applicable(contracts[(influencer, row["brand"])], source), source)
    spend = Decimal(0) if accrual is None else accrual.amount * (orders if accrual.source_kind == "order" else 1)
    return {"order_id": row["order_id"], "brand": row["brand"], "platform": platform, "day": row["day"],
            "orders": orders, "revenue": -credit if refund else credit, "spend": spend.quantize(Decimal("0.0001"))}
