"""Checks that warn and let the import go on: values that parse but are probably not what the team meant, and
the reconciliation of ``payouts.csv`` with what the system will derive from the imported posts and orders."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from statistics import median

# A row's ``orders`` this many times the file's median (and above OUTLIER_MIN) is far beyond its norm.
OUTLIER_FACTOR, OUTLIER_MIN = 10, 20
RECONCILIATION = ("file", "line", "influencer_id", "basis", "rate", "file_orders", "file_total_payout", "posts",
                  "orders", "revenue", "derived_payout", "difference")


def fractional_order_rate(contract: dict) -> str | None:
    rate = Decimal(contract["rate"])
    if contract["basis"] == "order" and 0 < rate < 1:
        return (f"{rate.normalize()} per order looks like a share of revenue ({(rate * 100).normalize()} %); imported as "
                f"{rate.normalize()} per order: if it is a share, write basis revenue_share")
    return None


def engagement_beyond_reach(post: dict) -> str | None:
    engaged = post["likes"] + post["comments"]
    if engaged > post["reach"]:
        return f"likes + comments ({engaged}) exceed reach ({post['reach']}): engagement above 100 %"
    return None


def outlier_orders(orders_by_line: dict[int, int]) -> dict[int, str]:
    """line → warning, for the rows whose ``orders`` is far beyond the file's median."""
    if not orders_by_line:
        return {}
    norm = median(orders_by_line.values())
    limit = max(OUTLIER_FACTOR * norm, OUTLIER_MIN)
    return {line: f"{n} is far beyond this file's norm (median {norm:g} a row); imported as {n} orders"
            for line, n in orders_by_line.items() if n > limit}


class Imported:
    """Per influencer, what this import's events give the system: posts, orders and their revenue."""

    def __init__(self) -> None:
        self.posts: dict[str, int] = defaultdict(int)
        self.orders: dict[str, int] = defaultdict(int)
        self.revenue: dict[str, Decimal] = defaultdict(Decimal)
        self.total_revenue = Decimal(0)  # also of the sales no influencer drove

    def add(self, event: dict) -> None:
        if event["type"] == "post":
            self.posts[event["influencer_id"]] += 1
        elif event["type"] == "order":
            revenue = sum(Decimal(line["revenue"]) for line in event["lines"])
            self.total_revenue += revenue
            if "influencer_id" in event:
                self.orders[event["influencer_id"]] += 1
                self.revenue[event["influencer_id"]] += revenue


def reconcile(payout: dict, imported: Imported, unit: Decimal) -> dict:
    """A payouts row's figures beside the payout the system derives (rate × the influencer's imported posts, orders
    or revenue, by basis), rounded to the currency's minor unit; ``difference`` is the file's total minus it."""
    iid, basis, rate = payout["influencer_id"], payout["basis"], payout["rate"]
    base = {"post": imported.posts[iid], "order": imported.orders[iid], "revenue_share": imported.revenue[iid]}[basis]
    derived = (rate * base).quantize(unit)
    stated = payout["file_total_payout"]
    return {**payout, "posts": imported.posts[iid], "orders": imported.orders[iid], "revenue": imported.revenue[iid],
            "derived_payout": derived, "difference": None if stated is None else stated - derived}
