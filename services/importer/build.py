"""A row of one of the four tables → its events, and the warnings those events deserve."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from . import checks
from . import rows as r
from .findings import FileReport, Finding
from .mapping import Mapping


@dataclass
class Builder:
    tz: ZoneInfo
    currency: str
    platforms: r.Platforms
    mapping: Mapping
    brands: list[str]  # the brands a payouts row contracts for
    valid_from: str
    observed: dict = field(default_factory=dict)  # file → when its post counts were seen

    def __call__(self, table: str, row: dict, seen: dict, path: Path) -> list[dict]:
        """``seen`` numbers identical rows of one file, so that two equal purchases or posts stay two."""
        if table == "influencers.csv":
            return r.influencer(row, self.tz, self.currency, self.platforms)
        if table == "payouts.csv":
            return r.payout(row, self.tz, self.currency, self.brands, self.valid_from, self.mapping)
        identity = tuple((row.get(c) or "").strip() for c in r.COLUMNS[table])
        seen[identity] = seen.get(identity, 0) + 1
        if table == "posts.csv":
            return r.post(row, self.tz, self.currency, self.observed_at(path), seen[identity], self.platforms)
        return r.tracking(row, self.tz, self.currency, seen[identity])

    def observed_at(self, path: Path) -> str:
        """The file's time: a newer export of the same posts' counts wins over an older one."""
        if path not in self.observed:
            self.observed[path] = datetime.fromtimestamp(int(path.stat().st_mtime), timezone.utc).isoformat()
        return self.observed[path]


def warn(report: FileReport, line: int, row: dict, events: list[dict], unit: Decimal, payouts: list[dict]) -> None:
    """Warnings on an imported row; a payouts row is also kept, with the file's figures, for the reconciliation."""
    name, table = report.path.name, report.table
    if table == "posts.csv" and (message := checks.engagement_beyond_reach(events[0])):
        report.warnings.append(Finding(name, line, "likes", message))
    if table == "tracking.csv" and events and "influencer_id" not in events[0]:
        report.warnings.append(Finding(name, line, "influencer_id", "is empty: imported as a sale no influencer drove "
                                                                    "(unattributed)"))
    if table != "payouts.csv":
        return
    contract = events[0]
    if message := checks.fractional_order_rate(contract):
        report.warnings.append(Finding(name, line, "rate", message))
    figures = {}
    for column in ("total_payout", "orders"):
        try:
            figures[column] = r.amount(row, column, unit if column == "total_payout" else Decimal(1)) \
                if (row.get(column) or "").strip() else None
        except r.RowError as exc:
            figures[column] = None
            report.warnings.append(Finding(name, line, column, f"{str(exc).split(': ', 1)[-1]}; not reconciled"))
    payouts.append({"file": name, "line": line, "influencer_id": contract["influencer_id"], "basis": contract["basis"],
                    "rate": Decimal(contract["rate"]), "file_orders": figures["orders"],
                    "file_total_payout": figures["total_payout"]})
