"""The comparison ``hk reattribute`` prints: per influencer, revenue, ROAS and rank under one model, in the live
tables and under the new settings, over the same business days (those the re-run covers, so an influencer is
not ranked down merely because the storefront topic's retention dropped its oldest orders)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine, text

FIGURES = text("SELECT influencer_id, name, revenue, spend, roas FROM report_model_figures(p_from => :f, p_to => :t, "
               "p_model => :m)")


@dataclass(frozen=True)
class Standing:
    revenue: Decimal = Decimal(0)
    roas: Decimal | None = None
    rank: int | None = None  # by revenue, 1 = most; None: not credited at all


@dataclass(frozen=True)
class Row:
    influencer_id: str
    name: str | None
    now: Standing
    then: Standing


def standings(engine: Engine, model: str, date_from: date | None, date_to: date | None) -> tuple[dict, dict]:
    with engine.connect() as conn:
        rows = conn.execute(FIGURES, {"f": date_from, "t": date_to, "m": model}).all()
    ranked = sorted((r for r in rows if r.revenue), key=lambda r: (-r.revenue, r.influencer_id))
    rank = {r.influencer_id: n for n, r in enumerate(ranked, 1)}
    return ({r.influencer_id: Standing(r.revenue, r.roas, rank.get(r.influencer_id)) for r in rows},
            {r.influencer_id: r.name for r in rows})


def compare(live: Engine, whatif: Engine, model: str, date_from: date | None, date_to: date | None) -> list[Row]:
    """Every influencer either side credits, in the new ranking's order (then the old one's)."""
    now, names = standings(live, model, date_from, date_to)
    then, more = standings(whatif, model, date_from, date_to)
    names |= {k: v for k, v in more.items() if v}
    ids = set(now) | set(then)
    last = len(ids) + 1
    rows = [Row(i, names.get(i), now.get(i, Standing()), then.get(i, Standing())) for i in ids]
    return sorted(rows, key=lambda r: (r.then.rank or last, r.now.rank or last, r.influencer_id))


def table(rows: list[Row], limit: int) -> str:
    head = f"{'influencer':<24} {'revenue now':>14} {'what if':>14} {'change':>13} {'ROAS now':>9} {'what if':>8} {'rank now':>8} {'what if':>7}"
    lines = [head, "-" * len(head)]
    for r in rows[:limit] if limit else rows:
        label = (r.name or r.influencer_id)[:24]
        lines.append(f"{label:<24} {r.now.revenue:>14,.2f} {r.then.revenue:>14,.2f} {r.then.revenue - r.now.revenue:>+13,.2f} "
                     f"{_roas(r.now.roas):>9} {_roas(r.then.roas):>8} {_rank(r.now.rank):>8} {_rank(r.then.rank):>7}")
    total_now, total_then = sum(r.now.revenue for r in rows), sum(r.then.revenue for r in rows)
    lines.append(f"{'all influencers':<24} {total_now:>14,.2f} {total_then:>14,.2f} {total_then - total_now:>+13,.2f}")
    moved = sum(1 for r in rows if r.now.rank != r.then.rank)
    lines.append(f"{len(rows)} influencers credited either way; {moved} changed rank")
    return "\n".join(lines)


def _roas(value) -> str:
    return "-" if value is None else f"{value:.2f}"


def _rank(value) -> str:
    return "-" if value is None else str(value)
