"""The write path of the multi-touch models: each new order line's and refund line's credits (decided by the
attribution worker, services/attribution/credits.py) become model_credits facts, priced by the influencer's
contract, and model_daily deltas for the facts actually inserted, so a replayed record changes nothing.

Spend follows the credited share (issue 20): under an ``order`` contract an influencer credited a third of an
order owes a third of its fee; under ``revenue_share`` the rate applies to the credit, and to a refund's
credit; a ``post`` contract's spend is the same under every model (the reports add it from ``spend``). Pricing
uses spend.py's rules with the contract valid at the order's moment, as the rules' spend does. A contract that
arrives after its orders is backfilled into the rules' spend (writer.py) but not here: ``hk rebuild`` prices
those credits, since it reads the contracts first.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import Connection

from ..attribution.credits import CREDITED
from ..common.events import FieldError, dumps, timestamp
from . import tables as t
from .bulk import insert_statement
from .spend import Source, accrue, applicable

UNKNOWN_PLATFORM = "unknown"
KINDS = ("click", "coupon", "explicit")
SHARE = Decimal("1e-12")
MAX_TOUCHES = 1000


def credit_errors(record: dict, amount: Decimal) -> list[FieldError]:
    """What is wrong with a record's touchpoints and credits (both optional: records sent before the models have
    none): each model known, each credit a non-negative amount to a named influencer, adding up to the line's
    revenue or the refund's amount exactly."""
    errors = []
    touches = record.get("touchpoints")
    if touches is not None:
        if not isinstance(touches, list) or len(touches) > MAX_TOUCHES:
            errors.append(FieldError("touchpoints", f"must be a list of at most {MAX_TOUCHES} touchpoints"))
        else:
            for n, touch in enumerate(touches):
                if not (isinstance(touch, dict) and _name(touch.get("influencer_id")) and touch.get("kind") in KINDS
                        and _time(touch.get("at"))):
                    errors.append(FieldError(f"touchpoints[{n}]", f"needs influencer_id, at (a time) and kind ({', '.join(KINDS)})"))
    credits = record.get("credits")
    if credits is None:
        return errors
    if not isinstance(credits, dict) or set(credits) - set(CREDITED):
        return errors + [FieldError("credits", f"must map models ({', '.join(CREDITED)}) to credits per influencer")]
    for model, credited in credits.items():
        try:
            parts = [Decimal(v) for k, v in credited.items() if _name(k) and isinstance(v, str)]
            valid = len(parts) == len(credited) and all(p.is_finite() and p >= 0 for p in parts)
        except (AttributeError, ArithmeticError):
            valid = False
        if not valid:
            errors.append(FieldError(f"credits.{model}", "must map influencer ids to non-negative decimal strings"))
        elif sum(parts, Decimal(0)) != amount:
            errors.append(FieldError(f"credits.{model}", f"add up to {sum(parts, Decimal(0))}, not the record's {amount}"))
    return errors


def _name(value) -> bool:
    return isinstance(value, str) and value != ""


def _time(value) -> bool:
    try:
        timestamp(value)
        return True
    except (ValueError, TypeError):
        return False


@dataclass
class ModelCredits:
    """The credits of one batch's newly inserted lines, written together."""
    pending: list[tuple[dict, dict, object]] = field(default_factory=list)  # (record, fact row, placed_at)

    def add(self, record: dict, row: dict, placed_at) -> None:
        if record.get("credits"):
            self.pending.append((record, row, placed_at))

    def write(self, conn: Connection, platforms: dict[str, str], rollups: bool) -> int:
        """Inserts the credits (a credit already stored is left alone) and, with ``rollups``, adds the ones
        actually inserted to model_daily in the same statement; returns how many were new."""
        if not self.pending:
            return 0
        contracts = _contracts(conn, sorted({i for r, _, _ in self.pending for c in r["credits"].values() for i in c}))
        facts = {}
        for record, row, placed_at in self.pending:
            for fact in _facts(record, row, placed_at, platforms, contracts):
                facts[(fact["source_kind"], fact["source_id"], fact["model"], fact["influencer_id"])] = fact
        rows = [facts[k] for k in sorted(facts)]
        return conn.exec_driver_sql(_statement(tuple(rows[0]), rollups), {"rows": dumps(rows).decode()}).scalar_one()


@lru_cache(maxsize=4)
def _statement(columns: tuple[str, ...], rollups: bool) -> str:
    """One statement: the facts inserted in key order (a replayed one does nothing), then what was inserted
    summed per model_daily row in Postgres and added in key order (two workers never deadlock on these rows;
    Postgres's NUMERIC sums exactly what it stored). Why not in Python: taking the inserted rows back, summing
    and sending them again was a quarter of the aggregator's time with the models (py-spy, hk bench aggregator)."""
    keys = ("model", "day", "influencer_id", "brand", "platform")
    insert = insert_statement(t.model_credits, columns, ("source_kind", "source_id", "model", "influencer_id"), (), (),
                              keys + t.MODEL_MEASURES if rollups else ("model",))
    if not rollups:
        return f"WITH inserted AS ({insert}) SELECT count(*) FROM inserted"
    names, measures = ", ".join(keys), ", ".join(f"sum({m})" for m in t.MODEL_MEASURES)
    added = ", ".join(f"{m} = model_daily.{m} + EXCLUDED.{m}" for m in t.MODEL_MEASURES)
    return (f"WITH inserted AS ({insert}), "
            f"rolled AS (INSERT INTO model_daily ({names}, {', '.join(t.MODEL_MEASURES)}) "
            f"SELECT {names}, {measures} FROM inserted GROUP BY {names} ORDER BY {names} "
            f"ON CONFLICT ({names}) DO UPDATE SET {added}) "
            f"SELECT count(*) FROM inserted")


def _contracts(conn: Connection, ids: list[str]) -> dict[tuple[str, str], list[dict]]:
    by_key = defaultdict(list)
    for c in conn.exec_driver_sql("SELECT * FROM contracts WHERE influencer_id = ANY(%(ids)s)", {"ids": ids}).mappings():
        by_key[(c["influencer_id"], c["brand"])].append(dict(c))
    return by_key


def _facts(record: dict, row: dict, placed_at, platforms: dict[str, str], contracts) -> list[dict]:
    refund = record["kind"] == "refund_line"
    kind, source_id = ("refund_line", f"{row['refund_id']}|{row['line_no']}") if refund else (
        "order_line", f"{row['order_id']}|{row['line_no']}")
    line_amount = row["amount"] if refund else row["revenue"]
    facts, priced = [], {}
    for model, credited in record["credits"].items():
        for influencer, amount in credited.items():
            if (influencer, amount) not in priced:  # models crediting the same amount: priced once (most orders)
                priced[(influencer, amount)] = _priced(influencer, Decimal(amount), refund, kind, source_id, line_amount,
                                                       row, placed_at, platforms, contracts)
            facts.append({"source_kind": kind, "source_id": source_id, "model": model, "influencer_id": influencer,
                          **priced[(influencer, amount)]})
    return facts


def _priced(influencer: str, credit: Decimal, refund: bool, kind: str, source_id: str, line_amount: Decimal,
            row: dict, placed_at, platforms: dict[str, str], contracts) -> dict:
    # the order's share counted on the first line of each brand (a free first line counts none), to 12 places
    orders = (credit / line_amount).quantize(SHARE) if not refund and row["counts_order"] and line_amount else Decimal(0)
    platform = row["platform"] if influencer == row["influencer_id"] else platforms.get(influencer, UNKNOWN_PLATFORM)
    source = Source(kind, source_id, influencer, row["brand"], platform, placed_at, row["day"], credit, True,
                    row["order_id"])
    accrual = accrue(applicable(contracts[(influencer, row["brand"])], source), source)
    spend = Decimal(0) if accrual is None else accrual.amount * (orders if accrual.source_kind == "order" else 1)
    return {"order_id": row["order_id"], "brand": row["brand"], "platform": platform, "day": row["day"],
            "orders": orders, "revenue": -credit if refund else credit, "spend": spend.quantize(Decimal("0.0001"))}
