"""A batch of validated records for one Postgres transaction, and the rollup deltas it produces."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from ..common.events import timestamp

DailyKey = tuple[date, str, str, str]  # day, influencer_id, brand, platform


@dataclass
class Batch:
    influencers: list[dict] = field(default_factory=list)
    contracts: list[dict] = field(default_factory=list)
    posts: list[dict] = field(default_factory=list)
    order_lines: list[dict] = field(default_factory=list)
    refund_lines: list[dict] = field(default_factory=list)
    offsets: dict[tuple[str, int], int] = field(default_factory=dict)  # (topic, partition) → next offset covered

    def add(self, record: dict) -> None:
        kind = record.get("kind") or record["type"]
        {"influencer": self.influencers, "contract": self.contracts, "post": self.posts,
         "order_line": self.order_lines, "refund_line": self.refund_lines}[kind].append(record)

    def __len__(self) -> int:
        return sum(map(len, (self.influencers, self.contracts, self.posts, self.order_lines, self.refund_lines)))

    def influencer_ids(self) -> list[str]:
        ids = {r["influencer_id"] for group in (self.contracts, self.posts, self.order_lines, self.refund_lines)
               for r in group if r.get("influencer_id")}
        credited = {i for group in (self.order_lines, self.refund_lines) for r in group
                    for shares in (r.get("credits") or {}).values() for i in shares}  # the models' (model_credits.py)
        return sorted(ids | credited | {r["influencer_id"] for r in self.influencers})


class Deltas:
    """Additive changes to influencer_daily, summed per key before one upsert."""

    def __init__(self) -> None:
        self.rows: dict[DailyKey, dict[str, Decimal | int]] = defaultdict(lambda: defaultdict(int))
        self.accruals: list[tuple[date, str, str, str, Decimal]] = []  # day, contract, influencer, kind, amount
        self.posts_paid: list[dict] = []  # the post spend inserted: model_daily carries it under every model

    def add(self, key: DailyKey, **measures: Decimal | int) -> None:
        row = self.rows[key]
        for name, value in measures.items():
            row[name] += value

    def accrued(self, day: date, contract_id: str, influencer_id: str, kind: str, amount: Decimal) -> None:
        """A spend row inserted by this batch (the contracts' windows add it)."""
        self.accruals.append((day, contract_id, influencer_id, kind, amount))

    def paid_for_post(self, day: date, influencer_id: str, brand: str, platform: str, amount: Decimal) -> None:
        self.posts_paid.append({"day": day, "influencer_id": influencer_id, "brand": brand, "platform": platform,
                                "spend": amount})

    def sorted_rows(self) -> list[tuple[DailyKey, dict]]:
        # A fixed order keeps two workers' transactions from deadlocking on the same rows.
        return sorted(self.rows.items(), key=lambda kv: kv[0])


class Calendar:
    """Timestamps → business days (DESIGN: calendar days in the business time zone)."""

    def __init__(self, tz: str) -> None:
        self.tz = ZoneInfo(tz)

    def today(self) -> date:
        return datetime.now(timezone.utc).astimezone(self.tz).date()

    def day(self, at: datetime | str) -> date:
        return (timestamp(at) if isinstance(at, str) else at).astimezone(self.tz).date()
