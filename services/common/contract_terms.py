"""When a contract is in force: from ``valid_from`` (inclusive) to ``valid_to`` (exclusive; none means open-ended),
and when several are, the one that started last (then the greater contract_id). One rule, read by both workers:
the attribution worker (which contract a coupon or a link code credits) and the aggregator (which contract prices a
sale or a post), so the two can never disagree about the same moment."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from .events import timestamp

Terms = Callable[[dict], tuple[datetime, datetime | None]]  # a contract's (valid_from, valid_to) as times


def in_force(contracts: Iterable[dict], at: datetime, terms: Terms) -> dict | None:
    """The contract in force at ``at``, or None."""
    best: tuple[datetime, str] | None = None
    chosen = None
    for contract in contracts:
        start, end = terms(contract)
        if start <= at and (end is None or at < end) and (best is None or (start, contract["contract_id"]) > best):
            best, chosen = (start, contract["contract_id"]), contract
    return chosen


def event_terms(contract: dict) -> tuple[datetime, datetime | None]:
    """A contract event's (valid_from, valid_to) as times; a valid_to left out, null or empty is open-ended."""
    return timestamp(contract["valid_from"]), timestamp(contract["valid_to"]) if contract.get("valid_to") else None
