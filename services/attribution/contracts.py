"""Contracts as an in-memory index: coupon and link codes → the contract valid at a moment.

Every attribution worker needs every contract (a coupon can arrive on any customer's partition), so
each worker reads the whole compacted ``hk.contracts`` topic into this index (see contract_feed.py).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from ..common.contract_terms import event_terms, in_force


class ContractIndex:
    def __init__(self) -> None:
        self._by_id: dict[str, dict] = {}
        self._coupons: dict[str, set[str]] = defaultdict(set)
        self._links: dict[str, set[str]] = defaultdict(set)

    def __len__(self) -> int:
        return len(self._by_id)

    def upsert(self, contract: dict) -> None:
        old = self._by_id.get(contract["contract_id"])
        if old:  # codes removed from a contract must stop matching
            for code in old.get("coupon_codes") or []:
                self._coupons[code.upper()].discard(old["contract_id"])
            for code in old.get("link_codes") or []:
                self._links[code].discard(old["contract_id"])
        self._by_id[contract["contract_id"]] = contract
        for code in contract.get("coupon_codes") or []:
            self._coupons[code.upper()].add(contract["contract_id"])  # coupons are typed by people: case-blind
        for code in contract.get("link_codes") or []:
            self._links[code].add(contract["contract_id"])

    def by_coupon(self, code: str, at: datetime) -> dict | None:
        return self._valid(self._coupons.get(code.upper(), ()), at)

    def by_link(self, code: str, at: datetime) -> dict | None:
        return self._valid(self._links.get(code, ()), at)

    def _valid(self, ids, at: datetime) -> dict | None:
        return in_force((self._by_id[i] for i in ids), at, event_terms)  # timestamp's cache parses each text once
