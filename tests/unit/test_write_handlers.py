"""The write path's steps without a server: the rows each writes and the rollup changes each makes
(services/aggregator/handlers/). Postgres's part, inserting by natural key, is tested in tests/integration."""
from collections import Counter
from datetime import date, datetime, timezone
from decimal import Decimal

from services.aggregator.batch import Calendar, Deltas
from services.aggregator.handlers import accrual, contracts, influencers, order_lines, posts, refund_lines
from services.aggregator.handlers.platform import booked_platform
from services.aggregator.spend import Source

KOLKATA = Calendar("Asia/Kolkata")
HOMES = {"inf-a": "youtube"}


def line(order_id="o1", line_no=0, **kw):
    return {"kind": "order_line", "order_id": order_id, "line_no": line_no, "customer_id": "c", "influencer_id": "inf-a",
            "brand": "MB", "product": "p", "quantity": 1, "revenue": "100.00", "placed_at": "2026-03-03T20:00:00Z",
            "rule": "explicit", **kw}


def test_the_platform_is_the_one_named_else_the_influencers_own_else_unknown():
    assert booked_platform("instagram", "inf-a", HOMES) == "instagram"
    assert booked_platform(None, "inf-a", HOMES) == "youtube"
    assert booked_platform(None, "inf-new", HOMES) == booked_platform(None, None, HOMES) == "unknown"


def test_an_order_line_row_is_booked_on_the_business_day_once_per_line():
    rows = order_lines.line_rows([line(platform="instagram"), line(line_no=1), line(revenue="5.50"),
                                  line("o2", counts_order=True, influencer_id=None, rule="unattributed")], KOLKATA, HOMES)
    assert list(rows) == [("o1", 0), ("o1", 1), ("o2", 0)]
    first = rows[("o1", 0)]
    assert first["revenue"] == Decimal("5.50")  # the line sent twice in the batch: its last record
    assert first["platform"] == "youtube"       # the last record named none: the influencer's own
    assert first["day"] == date(2026, 3, 4)     # 20:00 UTC is the next morning in Kolkata
    assert first["placed_at"] == datetime(2026, 3, 3, 20, tzinfo=timezone.utc)
    assert (first["counts_order"], rows[("o2", 0)]["counts_order"]) == (False, True)  # absent means false
    assert rows[("o2", 0)]["platform"] == "unknown"


def test_a_refund_is_booked_under_its_lines_platform_on_the_refunds_day():
    records = [{"kind": "refund_line", "refund_id": "r1", "order_id": "o1", "line_no": 0, "influencer_id": "inf-a",
                "brand": "MB", "amount": "30.00", "refunded_at": "2026-03-05T01:00:00+05:30"},
               {"kind": "refund_line", "refund_id": "r1", "order_id": "o1", "line_no": 1, "influencer_id": "inf-a",
                "brand": "MB", "amount": "1.25", "refunded_at": "2026-03-05T01:00:00+05:30"}]
    stored = {("o1", 0): ("instagram", datetime(2026, 3, 3, tzinfo=timezone.utc))}
    rows = refund_lines.refund_rows(records, KOLKATA, HOMES, stored)
    assert [(r["platform"], r["amount"], r["day"]) for r in rows.values()] == [
        ("instagram", Decimal("30.00"), date(2026, 3, 5)), ("youtube", Decimal("1.25"), date(2026, 3, 5))]


def snapshot(observed: str, reach: int, post_id="p1"):
    return {"type": "post", "post_id": post_id, "influencer_id": "inf-a", "platform": "instagram", "brand": "MB",
            "url": "https://x", "published_at": "2026-03-01T10:00:00Z", "observed_at": observed,
            "reach": reach, "likes": reach // 10, "comments": 1}


def test_the_newest_snapshot_of_a_post_wins_and_only_a_new_post_may_cost_money():
    deltas, outcome = Deltas(), Counter()
    batch = [snapshot("2026-03-02T00:00:00Z", 1000), snapshot("2026-03-01T12:00:00Z", 500),
             snapshot("2026-03-02T00:00:00Z", 999)]  # out of order, and a repeat of the newest time
    changed, sources = posts.changes(batch, {}, KOLKATA, deltas, outcome)
    assert changed["p1"]["reach"] == 1000 and [s.source_id for s in sources] == ["p1"]
    assert outcome == Counter({"posts.inserted": 1, "posts.updated": 1, "posts.stale": 1})
    assert dict(deltas.rows[(date(2026, 3, 1), "inf-a", "MB", "instagram")]) == {
        "reach": 1000, "likes": 100, "comments": 1, "posts": 1}  # the older snapshot's in, then out
    stored = {"p1": changed["p1"]}
    deltas, outcome = Deltas(), Counter()
    changed, sources = posts.changes([snapshot("2026-03-03T00:00:00Z", 1500)], stored, KOLKATA, deltas, outcome)
    assert sources == [] and outcome == Counter({"posts.updated": 1})
    assert dict(deltas.rows[(date(2026, 3, 1), "inf-a", "MB", "instagram")]) == {
        "reach": 500, "likes": 50, "comments": 0, "posts": 0}
    assert stored["p1"]["reach"] == 1000  # the stored rows given are not changed


def test_spend_is_owed_once_per_order_and_brand_under_the_contract_in_force():
    t = datetime(2026, 3, 3, tzinfo=timezone.utc)
    contract = {"contract_id": "k", "influencer_id": "inf-a", "brand": "MB", "basis": "order", "rate": Decimal("150"),
                "valid_from": datetime(2026, 1, 1, tzinfo=timezone.utc), "valid_to": None}
    src = lambda n, counts, brand="MB": Source("order_line", f"o1|{n}", "inf-a", brand, "instagram", t, t.date(),
                                               Decimal("100"), counts, "o1")
    rows = accrual.accruals([src(0, True), src(1, False), src(0, True), src(2, True, brand="HK")], [contract])
    assert [(r["source_kind"], r["source_id"], r["amount"]) for r in rows] == [("order", "o1|MB", Decimal("150"))]


def test_the_last_record_of_a_profile_or_a_contract_is_the_one_written():
    now = datetime(2026, 3, 3, tzinfo=timezone.utc)
    rows = influencers.profile_rows([{"influencer_id": "a", "name": "Old", "category": "Fitness", "platform": "youtube"},
                                     {"influencer_id": "a", "name": "New", "category": "Fitness", "platform": "youtube"}], now)
    assert [(r["name"], r["updated_at"], r["gender"]) for r in rows] == [("New", now, None)]
    base = {"influencer_id": "a", "brand": "MB", "basis": "order", "valid_from": "2026-01-01T00:00:00+05:30"}
    rows = contracts.contract_rows([{**base, "contract_id": "k", "rate": "1"}, {**base, "contract_id": "k", "rate": "2.5"}])
    assert [(r["rate"], r["valid_from"].utcoffset().total_seconds(), r["coupon_codes"]) for r in rows] == [
        (Decimal("2.5"), 19800.0, [])]
