"""The seed's CSV rows → events: mapping, stable ids, exact revenue splits, and errors that name the column."""
from __future__ import annotations

import base64
import csv
import json
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from services.importer import rows as r
from services.common.settings import Settings
from services.importer import run
from services.importer.reader import read

from .kafka_stand_in import _Producer

TZ = ZoneInfo("Asia/Kolkata")
TRACK = {"source": "Instagram", "campaign": "MB_summer", "influencer_id": "7", "user_id": "42", "product": "Whey",
         "brand": "MuscleBlaze", "date": "2025-06-01", "orders": "1", "revenue": "2499"}
POST = {"influencer_id": "7", "platform": "YouTube", "date": "2025-06-01 18:30:00", "url": "https://y.example/1",
        "caption": "stack", "reach": "1000", "likes": "20", "comments": "5", "brand": "HKVitals"}


def test_an_influencer_row_becomes_an_influencer_event():
    [e] = r.influencer({"id": "7", "name": "fitfan", "category": "Fitness", "gender": "Female",
                        "follower_count": "120000", "platform": "Instagram"}, TZ, "INR")
    assert e == {"type": "influencer", "influencer_id": "7", "name": "fitfan", "category": "Fitness", "gender": "Female",
                 "follower_count": 120000, "platform": "instagram"}


def test_a_tracking_row_is_an_already_attributed_order_in_the_business_time_zone():
    [e] = r.tracking(TRACK, TZ, "INR", occurrence=1)
    assert e["influencer_id"] == "7" and e["customer_id"] == "42" and e["placed_at"] == "2025-06-01T00:00:00+05:30"
    assert e["lines"] == [{"product": "Whey", "brand": "MuscleBlaze", "quantity": 1, "revenue": "2499.00"}]
    assert (e["utm_source"], e["utm_campaign"]) == ("Instagram", "MB_summer")
    assert r.tracking(TRACK, TZ, "INR", 1)[0]["order_id"] == e["order_id"]  # the same row, the same order
    assert r.tracking(TRACK, TZ, "INR", 2)[0]["order_id"] != e["order_id"]  # an identical second purchase


def test_several_orders_in_one_row_split_the_revenue_exactly():
    events = r.tracking({**TRACK, "orders": "3", "revenue": "100.01"}, TZ, "INR", 1)
    parts = [Decimal(e["lines"][0]["revenue"]) for e in events]
    # at the currency's minor unit, as the ingest counts it: the first order takes the odd paisa
    assert parts == [Decimal("33.35"), Decimal("33.33"), Decimal("33.33")] and sum(parts) == Decimal("100.01")
    assert len({e["order_id"] for e in events}) == 3


def test_a_post_keeps_its_id_when_its_counts_change():
    [a] = r.post(POST, TZ, "INR", "2025-06-02T00:00:00+00:00")
    [b] = r.post({**POST, "reach": "5000"}, TZ, "INR", "2025-06-03T00:00:00+00:00")
    assert a["post_id"] == b["post_id"] and (a["platform"], a["published_at"]) == ("youtube", "2025-06-01T18:30:00+05:30")


def test_a_payouts_row_becomes_one_contract_per_brand():
    events = r.payout({"influencer_id": "7", "basis": "Order", "rate": "120", "orders": "", "total_payout": ""},
                      TZ, "INR", ["Gritzo", "HKVitals"], "2000-01-01T00:00:00+05:30")
    assert [(e["brand"], e["basis"], e["rate"]) for e in events] == [("Gritzo", "order", "120.000000"), ("HKVitals", "order", "120.000000")]
    assert len({e["contract_id"] for e in events}) == 2


@pytest.mark.parametrize("fn, row, column, words", [
    (r.tracking, {**TRACK, "revenue": "abc"}, "revenue", "not a decimal amount"),
    (r.tracking, {**TRACK, "revenue": "-5"}, "revenue", "non-negative"),
    (r.tracking, {**TRACK, "orders": "0"}, "orders", "whole number ≥ 1"),
    (r.tracking, {**TRACK, "date": "01/06/2025"}, "date", "not a date"),
    (r.tracking, {**TRACK, "user_id": ""}, "user_id", "is empty"),
    (r.tracking, {**TRACK, "user_id": "a b"}, "user_id", "does not match"),
    (r.post, {**POST, "platform": "Pinterest"}, "platform", "not a platform of this deployment (one of facebook, instagram"),
    (r.post, {**POST, "likes": "1.5"}, "likes", "whole number"),
    (r.post, {**POST, "reach": "1e500000"}, "reach", "too large (at most 15 digits"),
    (r.tracking, {**TRACK, "revenue": "1e500000"}, "revenue", "too large (at most 15 digits"),
    (r.tracking, {**TRACK, "orders": "200000"}, "orders", "at most 1000 orders in one row"),
    (r.tracking, {**TRACK, "revenue": "12,50"}, "revenue", "ambiguous: use a point for decimals"),
    (r.tracking, {**TRACK, "revenue": "1,2345"}, "revenue", "ambiguous: use a point for decimals"),
    (r.tracking, {**TRACK, "revenue": "1,250,5.00"}, "revenue", "ambiguous: use a point for decimals"),
])
def test_a_bad_row_names_its_column_and_what_is_wrong(fn, row, column, words):
    with pytest.raises(r.RowError) as err:
        fn(row, TZ, "INR", 1) if fn is r.tracking else fn(row, TZ, "INR", "2025-06-02T00:00:00+00:00")
    assert err.value.column == column and words in str(err.value)


def test_a_payouts_row_without_a_brand_or_basis_is_refused():
    row = {"influencer_id": "7", "basis": "post", "rate": "100"}
    with pytest.raises(r.RowError, match="no brand"):
        r.payout(row, TZ, "INR", [], "2000-01-01T00:00:00+05:30")
    with pytest.raises(r.RowError, match="not one of post, order, revenue_share"):
        r.payout({**row, "basis": "per click"}, TZ, "INR", ["Gritzo"], "2000-01-01T00:00:00+05:30")


def test_read_gives_true_line_numbers_and_names_missing_columns(tmp_path: Path):
    (tmp_path / "posts.csv").write_text(
        "influencer_id,platform,date,url,caption,reach,likes,comments,brand\n"
        '7,Instagram,2025-06-01,u1,"two\nlines",10,1,0,Gritzo\n'
        "8,Instagram,2025-06-02,u2,x,10,1,0,Gritzo\n")
    rows, missing, _ = read(tmp_path / "posts.csv")
    assert missing == [] and [(line, row["influencer_id"]) for line, row, _ in rows] == [(2, "7"), (4, "8")]
    (tmp_path / "tracking.csv").write_text("influencer_id,brand,date\n7,Gritzo,2025-06-01\n")
    assert read(tmp_path / "tracking.csv")[1] == ["user_id", "product", "revenue"]


def test_blank_lines_do_not_shift_line_numbers_and_short_rows_read_as_missing(tmp_path: Path):
    (tmp_path / "tracking.csv").write_text(
        "source,campaign,influencer_id,user_id,product,brand,date,orders,revenue\n"
        "\n"
        "Instagram,c,7,42,Whey,MuscleBlaze,2025-06-01,1,10\n"
        "Instagram,c,7,42,Whey\n")
    rows, _, _ = read(tmp_path / "tracking.csv")
    assert [line for line, _, _ in rows] == [3, 4]
    with pytest.raises(r.RowError, match="revenue: is empty"):
        r.tracking(rows[1][1], TZ, "INR", 1)


def test_posts_without_a_url_stay_apart_and_odd_numbers_are_row_errors():
    no_url = {**POST, "url": ""}
    first = r.post(no_url, TZ, "INR", "2025-06-02T00:00:00+00:00", occurrence=1)[0]["post_id"]
    assert first != r.post(no_url, TZ, "INR", "2025-06-02T00:00:00+00:00", occurrence=2)[0]["post_id"]
    with pytest.raises(r.RowError, match="whole number"):
        r.post({**POST, "reach": "Infinity"}, TZ, "INR", "2025-06-02T00:00:00+00:00")


@pytest.mark.parametrize("value", ["1e500000", "1e999999999", "1234567890123456"])
@pytest.mark.parametrize("read_number", [lambda row, c: r.amount(row, c, Decimal("0.01")), r._int], ids=["amount", "_int"])
def test_numbers_too_large_for_any_column_are_refused_before_any_arithmetic(read_number, value):
    """Rounding or converting ``1e999999999`` would take minutes and gigabytes: it is refused from its exponent."""
    with pytest.raises(r.RowError, match="too large") as err:
        read_number({"n": value}, "n")
    assert err.value.column == "n"


def test_amounts_keep_thousands_separators_long_decimals_and_tiny_exponents():
    cent = Decimal("0.01")
    assert r.amount({"n": "1,250.50"}, "n", cent) == Decimal("1250.50")
    assert r.amount({"n": "1,234,567"}, "n", cent) == Decimal("1234567.00")
    assert r.amount({"n": "2499.125000000000001"}, "n", cent) == Decimal("2499.13")
    assert r.amount({"n": "2499.125"}, "n", cent) == Decimal("2499.12")  # half-even, as the ingest rounds
    assert r.amount({"n": "999999999999999.99"}, "n", cent) == Decimal("999999999999999.99")
    assert r.amount({"n": "1e-999999999"}, "n", cent) == Decimal("0.00")


def test_a_tracking_row_may_hold_up_to_the_cap_of_orders():
    assert len(r.tracking({**TRACK, "orders": str(r.MAX_ORDERS_PER_ROW)}, TZ, "INR", 1)) == r.MAX_ORDERS_PER_ROW


POSTS_HEADER = b"influencer_id,platform,date,url,caption,reach,likes,comments,brand\n"
TOO_LONG = "x" * (csv.field_size_limit() + 1)


def test_a_byte_that_is_not_utf8_is_one_bad_row_naming_its_column(tmp_path: Path):
    (tmp_path / "posts.csv").write_bytes(POSTS_HEADER + b"7,Instagram,2025-06-01,u1,caf\xe9,10,1,0,Gritzo\n"
                                         b"8,Instagram,2025-06-02,u2,ok,10,1,0,Gritzo\n")
    rows, missing, _ = read(tmp_path / "posts.csv")
    assert missing == [] and [line for line, _, _ in rows] == [2, 3]
    assert isinstance(rows[0][1], r.RowError) and rows[0][1].column == "caption" and "0xe9" in str(rows[0][1])
    assert rows[1][1]["influencer_id"] == "8"


@pytest.mark.parametrize("field", [
    TOO_LONG,  # unquoted, on its line
    f'"{TOO_LONG[:100_000]}\n8,Instagram,2025-06-02,inside,quotes,10,1,0,Gritzo\n{TOO_LONG[100_000:]}"',
])
def test_a_field_over_the_csv_limit_is_one_bad_row_and_the_next_rows_still_read(tmp_path: Path, field):
    (tmp_path / "posts.csv").write_text(f"{POSTS_HEADER.decode()}7,Instagram,2025-06-01,u1,{field},10,1,0,Gritzo\n"
                                        "9,Instagram,2025-06-03,u3,ok,10,1,0,Gritzo\n")
    rows, _, _ = read(tmp_path / "posts.csv")
    after = 2 + field.count("\n") + 1
    assert [line for line, _, _ in rows] == [2, after]
    assert isinstance(rows[0][1], r.RowError) and rows[0][1].column == "caption" and "longer than" in str(rows[0][1])
    assert rows[1][1]["url"] == "u3"


def test_unreadable_rows_are_reported_and_dead_lettered_with_their_bytes(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(run, "KafkaProducer", _Producer)
    (tmp_path / "posts.csv").write_bytes(POSTS_HEADER + b"7,Instagram,2025-06-01,u1,caf\xe9,10,1,0,Gritzo\n"
                                         + f"7,Instagram,2025-06-01,u2,{TOO_LONG},10,1,0,Gritzo\n".encode()
                                         + b"8,Instagram,2025-06-02,u3,ok,10,1,0,Gritzo\n")
    outcome = run.import_dir(Settings(), tmp_path, progress=False)
    assert (outcome.rows, len(outcome.events)) == (3, 1)
    assert [b.split(": ")[:2] for b in outcome.bad] == [["posts.csv:2", "caption"], ["posts.csv:3", "caption"]]
    dead = [json.loads(value) for topic, _, value in _Producer.sent if topic.endswith("dead-letter")]
    assert b"caf\xe9" in base64.b64decode(dead[0]["value_b64"]) and len(dead) == 2
