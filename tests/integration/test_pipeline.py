"""HTTP → Kafka 4.x → attribution → aggregator → Postgres, on the real servers."""
from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from datetime import date
from decimal import Decimal

import pytest
from kafka import KafkaConsumer, KafkaProducer

from services.common import topics

from .pipeline import Pipeline, eventually, metric
from .topic_reader import read_topic

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

DAILY = """SELECT day, influencer_id, brand, platform, orders, revenue, spend, posts, reach, likes, comments
           FROM influencer_daily WHERE influencer_id = ANY(:ids) ORDER BY 1, 2, 3, 4"""


@pytest.fixture(scope="module")
def pipeline(kafka_bootstrap, postgres, tmp_path_factory):
    p = Pipeline(kafka_bootstrap, postgres, tmp_path_factory.mktemp("logs"))
    yield p
    p.close()


def scenario(run: str):
    a, b = f"A{run}", f"B{run}"
    setup = [
        {"type": "influencer", "influencer_id": a, "name": "alpha", "category": "Fitness", "platform": "instagram"},
        {"type": "influencer", "influencer_id": b, "name": "beta", "category": "Yoga", "platform": "youtube"},
        {"type": "contract", "contract_id": f"{a}-mb", "influencer_id": a, "brand": "MuscleBlaze", "basis": "order",
         "rate": "100", "valid_from": "2026-01-01T00:00:00+05:30", "coupon_codes": [f"{a}MB"], "link_codes": []},
        {"type": "contract", "contract_id": f"{a}-gz", "influencer_id": a, "brand": "Gritzo", "basis": "revenue_share",
         "rate": "0.1", "valid_from": "2026-01-01T00:00:00+05:30"},
        {"type": "contract", "contract_id": f"{a}-hk", "influencer_id": a, "brand": "HKVitals", "basis": "post",
         "rate": "1000", "valid_from": "2026-01-01T00:00:00+05:30"},
        {"type": "contract", "contract_id": f"{b}-mb", "influencer_id": b, "brand": "MuscleBlaze", "basis": "order",
         "rate": "50", "valid_from": "2026-01-01T00:00:00+05:30", "link_codes": [f"{b}link"]},
    ]
    line = lambda brand, revenue: {"product": f"{brand} item", "brand": brand, "quantity": 1, "revenue": revenue}
    order = lambda oid, cus, lines, **kw: {"type": "order", "order_id": f"{run}-{oid}", "customer_id": f"{run}-{cus}",
                                           "placed_at": "2026-03-03T10:00:00+05:30", "currency": "INR", "lines": lines, **kw}
    snapshot = lambda observed, reach, likes, comments: {
        "type": "post", "post_id": f"{run}-p1", "influencer_id": a, "platform": "instagram", "brand": "HKVitals",
        "url": "https://instagram.com/p/1", "published_at": "2026-03-02T18:00:00+05:30", "reach": reach,
        "likes": likes, "comments": comments, "observed_at": observed}
    events = [
        order("o1", "c1", [line("MuscleBlaze", "2000.00"), line("Gritzo", 500)], coupon_code=f"{a}mb"),
        {"type": "click", "click_id": f"{run}-k1", "customer_id": f"{run}-c2", "link_code": f"{b}link",
         "clicked_at": "2026-03-03T09:00:00+05:30", "source": "YouTube"},
        order("o2", "c2", [line("MuscleBlaze", "1000")]),
        order("o3", "c3", [line("MuscleBlaze", "300")], influencer_id=a, utm_source="instagram"),
        order("o4", "c4", [line("MuscleBlaze", "999")]),
        {"type": "refund", "refund_id": f"{run}-r1", "order_id": f"{run}-o1", "customer_id": f"{run}-c1",
         "amount": "1000", "refunded_at": "2026-03-05T12:00:00+05:30"},
        snapshot("2026-03-03T09:00:00+05:30", 1000, 50, 5),
        snapshot("2026-03-04T09:00:00+05:30", 3000, 120, 9),
        snapshot("2026-03-03T05:00:00+05:30", 10, 1, 0),  # older than what we have: ignored
    ]
    D = Decimal
    expected = [
        (date(2026, 3, 2), a, "HKVitals", "instagram", 0, D(0), D(1000), 1, 3000, 120, 9),
        (date(2026, 3, 3), a, "Gritzo", "instagram", 1, D(500), D(50), 0, 0, 0, 0),
        (date(2026, 3, 3), a, "MuscleBlaze", "instagram", 2, D(2300), D(200), 0, 0, 0, 0),
        (date(2026, 3, 3), b, "MuscleBlaze", "youtube", 1, D(1000), D(50), 0, 0, 0, 0),
        (date(2026, 3, 5), a, "Gritzo", "instagram", 0, D(-200), D(-20), 0, 0, 0, 0),
        (date(2026, 3, 5), a, "MuscleBlaze", "instagram", 0, D(-800), D(0), 0, 0, 0, 0),
    ]
    return [a, b], setup, events, expected


def normalise(rows):
    return [tuple(Decimal(v).normalize() if isinstance(v, Decimal) else v for v in row) for row in rows]


def load_setup(pipeline: Pipeline, ids, setup) -> None:
    assert pipeline.post(setup).status_code == 202
    pipeline.wait_for("SELECT count(*) FROM contracts WHERE influencer_id = ANY(:ids)", [(4,)], ids=ids)
    # the attribution worker reads the contracts topic on its own: wait until it has these four too
    indexed = pipeline.query("SELECT count(*) FROM contracts")[0][0]
    eventually(lambda: metric(pipeline, "attribution", "hk_attribution_contracts_indexed"),
               lambda n: n >= indexed, 30, f"attribution indexes {indexed} contracts")


def test_events_posted_over_http_end_as_the_exact_daily_totals_and_a_repeat_counts_once(pipeline):
    ids, setup, events, expected = scenario(uuid.uuid4().hex[:6])
    load_setup(pipeline, ids, setup)
    r = pipeline.post(events)
    assert (r.status_code, r.json()) == (202, {"accepted": len(events)})
    eventually(lambda: normalise(pipeline.query(DAILY, ids=ids)), lambda rows: rows == normalise(expected),
               60, f"influencer_daily == {expected!r}")
    rules = pipeline.query("SELECT order_id, line_no, rule FROM attributed_orders WHERE order_id LIKE :p ORDER BY 1, 2",
                           p=f"{events[0]['order_id'][:-2]}%")
    assert [r.rule for r in rules] == ["coupon", "coupon", "last_click", "explicit", "unattributed"]
    payouts = dict(pipeline.query("SELECT contract_id, total_payout FROM payouts WHERE influencer_id = ANY(:ids)", ids=ids))
    assert {k: v.normalize() for k, v in payouts.items()} == {
        f"{ids[0]}-mb": Decimal(200), f"{ids[0]}-gz": Decimal(30), f"{ids[0]}-hk": Decimal(1000), f"{ids[1]}-mb": Decimal(50)}

    # hk.attributions on its own account, every record through its contract's reader (schemas/attribution.v1.json).
    # The topic is at least once (a worker's rebalance may send a record again): the set of records is what is exact.
    run = events[0]["order_id"][:-2]
    attributed = {(r["kind"], r["order_id"][len(run):], r["brand"], r.get("rule") or Decimal(r["amount"]).normalize())
                  for r in read_topic(pipeline.settings.kafka_bootstrap, pipeline.settings.topic(topics.ATTRIBUTIONS), expect=None)
                  if r["order_id"].startswith(run)}
    assert attributed == {("order_line", "o1", "MuscleBlaze", "coupon"), ("order_line", "o1", "Gritzo", "coupon"),
                          ("order_line", "o2", "MuscleBlaze", "last_click"), ("order_line", "o3", "MuscleBlaze", "explicit"),
                          ("order_line", "o4", "MuscleBlaze", "unattributed"),
                          ("refund_line", "o1", "MuscleBlaze", Decimal(800)), ("refund_line", "o1", "Gritzo", Decimal(200))}

    duplicates_before = metric(pipeline, "aggregator", "hk_aggregator_facts_total", table="attributed_orders", outcome="duplicate")
    assert pipeline.post(setup + events).status_code == 202  # a storefront retry: same ids again
    eventually(lambda: metric(pipeline, "aggregator", "hk_aggregator_facts_total", table="attributed_orders", outcome="duplicate"),
               lambda n: n >= duplicates_before + 5, 60, "the 5 repeated order lines are seen as duplicates")
    time.sleep(1.0)
    assert normalise(pipeline.query(DAILY, ids=ids)) == normalise(expected)


def test_poison_messages_go_to_the_dead_letter_topic_and_the_next_event_is_processed(pipeline):
    run = uuid.uuid4().hex[:6]
    storefront = pipeline.settings.topic(topics.STOREFRONT)
    producer = KafkaProducer(bootstrap_servers=pipeline.settings.kafka_bootstrap, acks="all")
    poison = [(storefront, b"\x00\xffnot json"), (storefront, b'{"type":"order","order_id":"x"}'),
              (pipeline.settings.topic(topics.POSTS), b"[1,2,3]")]
    for topic, value in poison:
        producer.send(topic, key=f"{run}-cus".encode(), value=value)
    good = {"type": "order", "order_id": f"{run}-good", "customer_id": f"{run}-cus", "placed_at": "2026-03-03T10:00:00Z",
            "currency": "INR", "influencer_id": f"{run}-inf", "lines": [{"product": "p", "brand": "MuscleBlaze", "quantity": 1, "revenue": "10"}]}
    producer.send(storefront, key=f"{run}-cus".encode(), value=json.dumps(good).encode())
    producer.flush()
    producer.close()
    pipeline.wait_for("SELECT rule FROM attributed_orders WHERE order_id = :o", [("explicit",)], o=f"{run}-good")

    dead = read_topic(pipeline.settings.kafka_bootstrap, pipeline.settings.topic(topics.DEAD_LETTER), expect=3)
    mine = [d for d in dead if d["key_b64"] and base64.b64decode(d["key_b64"]) == f"{run}-cus".encode()]
    assert sorted((d["service"], d["reason"], d["source"]["topic"]) for d in mine) == sorted([
        ("attribution", "undecodable", storefront), ("attribution", "invalid_order", storefront),
        ("aggregator", "not_an_object", pipeline.settings.topic(topics.POSTS))])
    raw = {base64.b64decode(d["value_b64"]) for d in mine}
    assert raw == {value for _, value in poison}
    assert all(d["source"]["offset"] is not None and d["errors"][0]["message"] for d in mine)


def test_aggregator_killed_mid_stream_counts_every_event_exactly_once(pipeline):
    run = uuid.uuid4().hex[:6]
    influencer, n_orders = f"K{run}", 4000
    orders = [{"type": "order", "order_id": f"{run}-{i}", "customer_id": f"{run}-c{i % 97}",
               "placed_at": "2026-03-10T10:00:00+05:30", "currency": "INR", "influencer_id": influencer,
               "lines": [{"product": "p", "brand": "MuscleBlaze", "quantity": 1, "revenue": f"{i % 50 + 1}.25"}]}
              for i in range(n_orders)]
    expected_revenue = sum(Decimal(o["lines"][0]["revenue"]) for o in orders)
    kills = 0
    for start in range(0, n_orders, 500):
        assert pipeline.post(orders[start:start + 500]).status_code == 202
        if start in (1000, 2500):  # while events are in flight: no clean shutdown, no final commit
            time.sleep(0.3)
            pipeline.services.kill("aggregator")
            kills += 1
            pipeline.services.start("aggregator")
    assert kills == 2
    pipeline.wait_for("SELECT sum(orders), sum(revenue) FROM influencer_daily WHERE influencer_id = :i",
                      [(n_orders, expected_revenue)], timeout_s=120, i=influencer)
    assert pipeline.query("SELECT count(*) FROM attributed_orders WHERE influencer_id = :i", i=influencer) == [(n_orders,)]


def test_a_roas_collapse_is_published_on_hk_alerts(pipeline):
    from datetime import datetime, timedelta, timezone
    run = uuid.uuid4().hex[:6]
    influencer, now = f"R{run}", datetime.now(timezone.utc)
    contract = {"type": "contract", "contract_id": f"{run}-c", "influencer_id": influencer, "brand": "MuscleBlaze",
                "basis": "order", "rate": "500", "valid_from": "2020-01-01T00:00:00Z"}
    order = lambda n, revenue, days_ago: {
        "type": "order", "order_id": f"{run}-{n}", "customer_id": f"{run}-c{n}", "currency": "INR",
        "placed_at": (now - timedelta(days=days_ago)).isoformat(), "influencer_id": influencer,
        "lines": [{"product": "p", "brand": "MuscleBlaze", "quantity": 1, "revenue": revenue}]}
    assert pipeline.post([contract]).status_code == 202
    pipeline.wait_for("SELECT count(*) FROM contracts WHERE contract_id = :c", [(1,)], c=f"{run}-c")
    assert pipeline.post([order(f"p{n}", "2000", 10) for n in range(12)]).status_code == 202   # last week: ROAS 4
    pipeline.wait_for("SELECT count(*) FROM spend WHERE influencer_id = :i", [(12,)], i=influencer)
    assert pipeline.post([order(f"n{n}", "750", 1) for n in range(12)]).status_code == 202     # this week: ROAS 1.5
    pipeline.wait_for("SELECT roas_now, resolved_at FROM roas_alerts WHERE influencer_id = :i",
                      [(Decimal("1.5000"), None)], i=influencer)
    events = eventually(lambda: [e for e in read_topic(pipeline.settings.kafka_bootstrap,
                                                       pipeline.settings.topic(topics.ALERTS), expect=1, timeout_s=5)
                                 if e["influencer_id"] == influencer], bool, 30, "the firing reaches hk.alerts")
    assert [(e["status"], e["brand"], e["roas_before"], e["roas_now"], e["spend"]) for e in events][:1] == [
        ("firing", "MuscleBlaze", "4.0000", "1.5000", "6000.0000")]
    assert events[0]["event_id"].startswith("roas-alert-")


def test_every_bad_input_class_on_the_topics_is_dead_lettered_with_its_reason_and_nothing_stops(pipeline):
    run = uuid.uuid4().hex[:6]
    storefront, posts = pipeline.settings.topic(topics.STOREFRONT), pipeline.settings.topic(topics.POSTS)
    good = {"type": "order", "order_id": f"{run}-good", "customer_id": f"{run}-cus", "placed_at": "2026-03-03T10:00:00Z",
            "currency": "INR", "influencer_id": f"{run}-inf", "lines": [{"product": "p", "brand": "Gritzo", "quantity": 1, "revenue": "10"}]}
    bad = {  # raw bytes written straight onto the topics, past the ingest's validation
        "truncated JSON": (storefront, json.dumps(good)[:40].encode(), "undecodable"),
        "wrong types": (storefront, json.dumps({**good, "lines": [{**good["lines"][0], "quantity": "one"}]}).encode(), "invalid_order"),
        "unknown type": (storefront, json.dumps({**good, "type": "coupon"}).encode(), "unknown_type"),
        "wrong currency": (storefront, json.dumps({**good, "currency": "USD"}).encode(), "invalid_order"),
        "negative amount": (storefront, json.dumps({**good, "lines": [{**good["lines"][0], "revenue": "-5"}]}).encode(), "invalid_order"),
        "huge payload": (storefront, b'{"type":"order","junk":"' + b"x" * 900_000 + b'"}', "invalid_order"),
        "wrong topic": (posts, json.dumps(good).encode(), "wrong_topic"),
        # times no day arithmetic can take (year 9999 crashed the aggregator), text Postgres cannot store
        "year 9999": (storefront, json.dumps({**good, "placed_at": "9999-12-31T23:00:00-10:00"}).encode(), "invalid_order"),
        "NUL in text": (storefront, json.dumps({**good, "lines": [{**good["lines"][0], "product": "p\u0000"}]}).encode(), "invalid_order"),
    }
    producer = KafkaProducer(bootstrap_servers=pipeline.settings.kafka_bootstrap, acks="all", max_request_size=2_000_000)
    for topic, value, _ in bad.values():
        producer.send(topic, key=f"{run}-cus".encode(), value=value)
    producer.send(storefront, key=f"{run}-cus".encode(), value=json.dumps(good).encode())
    producer.flush()
    producer.close()
    pipeline.wait_for("SELECT rule FROM attributed_orders WHERE order_id = :o", [("explicit",)], o=f"{run}-good")
    dead = eventually(lambda: [d for d in read_topic(pipeline.settings.kafka_bootstrap, pipeline.settings.topic(topics.DEAD_LETTER),
                                                     expect=10, timeout_s=5)
                               if d["key_b64"] and base64.b64decode(d["key_b64"]) == f"{run}-cus".encode()],
                      lambda d: len(d) >= len(bad), 60, "every bad input dead-lettered")
    assert sorted(d["reason"] for d in dead) == sorted(reason for _, _, reason in bad.values())
    huge = bad["huge payload"][1]
    assert {base64.b64decode(d["value_b64"]) for d in dead} == {v for _, v, _ in bad.values() if v is not huge} | {huge[:256 * 1024]}
    [cut] = [d for d in dead if d["value_truncated"]]
    assert (cut["value_size"], cut["value_sha256"]) == (len(huge), hashlib.sha256(huge).hexdigest())
    assert all(d["errors"] and all(e["message"] for e in d["errors"]) for d in dead)
    currency = next(d for d in dead if base64.b64decode(d["value_b64"]) == bad["wrong currency"][1])
    assert "convert before sending" in currency["errors"][0]["message"]
    assert metric(pipeline, "attribution", "hk_dead_letter_events_total", service="attribution", reason="unknown_type") >= 1


def test_money_as_javascript_sends_it_is_counted_rounded_and_impossible_times_are_refused_at_the_door(pipeline):
    # On the old code all four were answered 202; the floats were dead-lettered by the worker and the
    # year-9999 order crashed the aggregator's agent: none reached attributed_orders.
    run = uuid.uuid4().hex[:6]
    order = {"type": "order", "customer_id": f"{run}-cus", "placed_at": "2026-03-03T10:00:00Z", "currency": "INR",
             "influencer_id": f"{run}-inf", "lines": [{"product": "p", "brand": "Gritzo", "quantity": 1, "revenue": 0}]}
    body = ('[' + ",".join(json.dumps({**order, "order_id": f"{run}-{i}", "lines": [{**order["lines"][0], "revenue": "REV"}]})
                           .replace('"REV"', raw) for i, raw in enumerate(["0.30000000000000004", "10.12345", '"7.125"'])) + ']')
    r = pipeline.http.post("/v1/events", content=body, headers={"Content-Type": "application/json"})
    assert (r.status_code, r.json()) == (202, {"accepted": 3})
    pipeline.wait_for("SELECT order_id, revenue FROM attributed_orders WHERE order_id LIKE :o ORDER BY 1",
                      [(f"{run}-0", Decimal("0.30")), (f"{run}-1", Decimal("10.12")), (f"{run}-2", Decimal("7.12"))], o=f"{run}-%")
    for when in ("9999-12-31T23:00:00-10:00", "0001-01-01T00:00:00+05:30", "1999-12-31T23:59:59Z"):
        r = pipeline.post([{**order, "order_id": f"{run}-t", "placed_at": when}])
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "placed_at", r.text
        assert "outside the accepted range" in r.json()["errors"][0]["message"]


def test_a_record_the_aggregator_cannot_write_is_dead_lettered_alone_and_the_rest_of_its_batch_is_written(pipeline):
    # Written straight onto hk.attributions, past the ingest and the attribution worker: a year-9999 time
    # (OverflowError in the day arithmetic crashed the agent before), a rule the contract does not know, and a refund
    # that breaks a CHECK constraint (Postgres refuses the whole transaction), between good lines of the same batch.
    run = uuid.uuid4().hex[:6]
    line = {"kind": "order_line", "line_no": 0, "customer_id": f"{run}-cus", "influencer_id": f"{run}-inf",
            "brand": "Gritzo", "product": "p", "quantity": 1, "revenue": "10.00", "placed_at": "2026-03-03T10:00:00Z",
            "rule": "explicit", "platform": "instagram", "counts_order": True}
    # a refund of more than its line has: the contract allows the amount (the attribution worker never sends it), the
    # table's CHECK (refunded <= revenue) does not
    over = {"kind": "refund_line", "refund_id": f"{run}-r", "order_id": f"{run}-over", "line_no": 0, "brand": "Gritzo",
            "influencer_id": f"{run}-inf", "amount": "999.00", "refunded_at": "2026-03-04T10:00:00Z"}
    records = [{**line, "order_id": f"{run}-good-1"}, {**line, "order_id": f"{run}-y9999", "placed_at": "9999-12-31T23:00:00-10:00"},
               {**line, "order_id": f"{run}-rule", "rule": "guesswork"}, {**line, "order_id": f"{run}-over"}, over,
               {**line, "order_id": f"{run}-good-2"}]
    producer = KafkaProducer(bootstrap_servers=pipeline.settings.kafka_bootstrap, acks="all", linger_ms=50)
    for record in records:
        producer.send(pipeline.settings.topic(topics.ATTRIBUTIONS), key=f"{run}-inf".encode(), value=json.dumps(record).encode())
    producer.flush()
    producer.close()
    pipeline.wait_for("SELECT order_id, refunded FROM attributed_orders WHERE order_id LIKE :o ORDER BY 1",
                      [(f"{run}-good-1", 0), (f"{run}-good-2", 0), (f"{run}-over", 0)], o=f"{run}-%")
    dead = eventually(lambda: [d for d in read_topic(pipeline.settings.kafka_bootstrap, pipeline.settings.topic(topics.DEAD_LETTER),
                                                     expect=50, timeout_s=5)
                               if d["key_b64"] and base64.b64decode(d["key_b64"]) == f"{run}-inf".encode()],
                      lambda d: len(d) >= 3, 60, "the three bad records dead-lettered")
    by_order = {json.loads(base64.b64decode(d["value_b64"]))["order_id"]: d for d in dead}
    assert set(by_order) == {f"{run}-y9999", f"{run}-rule", f"{run}-over"} and len(dead) == 3
    assert by_order[f"{run}-y9999"]["reason"] == "invalid_attribution"
    assert by_order[f"{run}-rule"]["reason"] == "invalid_attribution"  # the contract's rule enum: refused on reading
    assert by_order[f"{run}-rule"]["errors"][0]["field"] == "rule"
    assert by_order[f"{run}-over"]["reason"].startswith("processing_error:")
    assert "attributed_orders" in by_order[f"{run}-over"]["errors"][0]["message"]  # Postgres names the violated CHECK
    assert all(d["service"] == "aggregator" and d["source"]["offset"] is not None for d in dead)
    # and the agent lives on: the next event is counted
    r = pipeline.post([{"type": "order", "order_id": f"{run}-after", "customer_id": f"{run}-cus", "placed_at": "2026-03-03T10:00:00Z",
                        "currency": "INR", "influencer_id": f"{run}-inf", "lines": [{"product": "p", "brand": "Gritzo", "quantity": 1, "revenue": 5}]}])
    assert r.status_code == 202
    pipeline.wait_for("SELECT count(*) FROM attributed_orders WHERE order_id = :o", [(1,)], o=f"{run}-after")


def test_attribution_records_go_out_in_batches_keyed_and_stamped_as_their_storefront_event(pipeline):
    """Records are sent as record batches (services/attribution/delivery.py): each keeps the broker timestamp
    of the storefront event it came from (freshness is measured from it) and lands on its key's murmur2 partition,
    where any Kafka client would put it."""
    from kafka.partitioner.default import murmur2
    run = uuid.uuid4().hex[:6]
    orders = [{"type": "order", "order_id": f"{run}-{i}", "customer_id": f"{run}-c{i}", "currency": "INR",
               "placed_at": "2026-03-10T10:00:00+05:30", "influencer_id": f"{run}-inf{i % 4}",
               "lines": [{"product": "p", "brand": "Gritzo", "quantity": 1, "revenue": "10"}]} for i in range(40)]
    assert pipeline.post(orders).status_code == 202

    def messages(topic: str) -> dict:
        consumer = KafkaConsumer(bootstrap_servers=pipeline.settings.kafka_bootstrap, consumer_timeout_ms=2000,
                                 auto_offset_reset="earliest", enable_auto_commit=False)
        consumer.subscribe([pipeline.settings.topic(topic)])
        found = {json.loads(m.value)["order_id"]: m for m in consumer if run.encode() in m.value}  # poison bytes too
        consumer.close()
        return found

    sent = eventually(lambda: messages(topics.ATTRIBUTIONS), lambda found: len(found) == 40, 60, "40 records")
    source = messages(topics.STOREFRONT)
    parts = len(KafkaConsumer(bootstrap_servers=pipeline.settings.kafka_bootstrap).partitions_for_topic(
        pipeline.settings.topic(topics.ATTRIBUTIONS)))
    for order_id, record in sent.items():
        assert record.timestamp == source[order_id].timestamp
        assert record.partition == (murmur2(record.key) & 0x7FFFFFFF) % parts
