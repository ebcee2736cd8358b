"""Both workers pick the contract in force by one rule (services/common/contract_terms.py): the attribution worker
from the contract events as sent (text times), the aggregator from the contracts table's rows (times). Whatever the
contracts and the moment, they choose the same one."""
from datetime import date, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from services.aggregator.spend import Source, applicable
from services.attribution.contracts import ContractIndex
from services.common.events import timestamp

T0 = datetime(2026, 3, 1, tzinfo=timezone.utc)
hours = st.integers(0, 24 * 20).map(lambda h: T0 + timedelta(hours=h))
terms = st.lists(st.tuples(hours, st.none() | st.integers(0, 24 * 20), st.sampled_from(["+00:00", "+05:30"])),
                 min_size=1, max_size=5)


@settings(max_examples=300, deadline=None)
@given(terms=terms, at=hours)
def test_the_attribution_worker_and_the_aggregator_choose_the_same_contract(terms, at):
    index, rows = ContractIndex(), []
    for n, (start, length, offset) in enumerate(terms):
        tz = timezone(timedelta(hours=5, minutes=30)) if offset == "+05:30" else timezone.utc
        end = start + timedelta(hours=length) if length is not None else None
        event = {"contract_id": f"c{n}", "influencer_id": "i", "brand": "MB", "basis": "order", "rate": "100",
                 "valid_from": start.astimezone(tz).isoformat(), "valid_to": end.astimezone(tz).isoformat() if end else None,
                 "coupon_codes": ["CODE"], "link_codes": []}
        index.upsert(event)
        rows.append({**event, "valid_from": timestamp(event["valid_from"]), "valid_to": end})
    by_coupon = index.by_coupon("code", at)
    priced = applicable(rows, Source("order_line", "o|0", "i", "MB", "instagram", at, date(2026, 3, 1)))
    assert (by_coupon or {}).get("contract_id") == (priced or {}).get("contract_id")
    in_force = [r for r in rows if r["valid_from"] <= at and (r["valid_to"] is None or at < r["valid_to"])]
    assert (priced is None) == (not in_force)  # valid_from inclusive, valid_to exclusive
