"""The refund horizon on the real stack: an order that arrived longer ago than the horizon (broker time: here
written onto the topic with an old timestamp, as a replayed topic holds it, by kafka-python as `hk import`
sends) is counted, its state pruned from the Faust tables once a newer event through the ingest moves the
partition's clock, and a refund that comes for it afterwards is dead-lettered with the reason, while a refund
of a recent order is split as always. Pruning needs both producers to put a customer on the same partition."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from kafka import KafkaProducer

from services.common import topics
from services.common.events import dumps

from .pipeline import Pipeline, eventually
from .pipeline import metric
from .topic_reader import read_topic

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


def test_an_order_past_the_refund_horizon_is_pruned_and_its_late_refund_dead_lettered(kafka_bootstrap, postgres, tmp_path):
    p = Pipeline(kafka_bootstrap, postgres, tmp_path / "logs", refund_horizon_days=2)
    run, now = uuid.uuid4().hex[:6], datetime.now(timezone.utc)
    try:
        def order(oid: str, days_ago: int) -> dict:
            return {"type": "order", "order_id": f"{run}-{oid}", "customer_id": f"{run}-cus", "currency": "INR",
                    "placed_at": (now - timedelta(days=days_ago)).isoformat(), "influencer_id": "inf-1",
                    "lines": [{"product": "p", "brand": "Gritzo", "quantity": 1, "revenue": "100"}]}

        def refund(oid: str) -> dict:
            return {"type": "refund", "refund_id": f"{run}-{oid}-r", "order_id": f"{run}-{oid}", "customer_id": f"{run}-cus",
                    "amount": "40", "refunded_at": now.isoformat()}

        producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
        producer.send(p.settings.topic(topics.STOREFRONT), key=f"{run}-cus".encode(), value=dumps(order("old", 10)),
                            timestamp_ms=int((now - timedelta(days=10)).timestamp() * 1000)).get(30)
        producer.close()
        p.wait_for("SELECT count(*) FROM attributed_orders WHERE order_id LIKE :r", [(1,)], r=f"{run}-%")
        assert p.post([order("new", 0)]).status_code == 202
        p.wait_for("SELECT count(*) FROM attributed_orders WHERE order_id LIKE :r", [(2,)], r=f"{run}-%")
        eventually(lambda: metric(p, "attribution", "hk_attribution_pruned_total", kind="order"), lambda n: n >= 1, 30,
                   "the old order pruned")
        assert p.post([refund("old"), refund("new")]).status_code == 202
        p.wait_for("SELECT refund_id, amount FROM refunds WHERE refund_id LIKE :r", [(f"{run}-new-r", 40)],
                   r=f"{run}-%")
        dead = eventually(lambda: read_topic(p.settings.kafka_bootstrap, p.settings.topic(topics.DEAD_LETTER),
                                             expect=1, timeout_s=5),
                          lambda d: len(d) == 1, 60, "the late refund dead-lettered")
        assert dead[0]["reason"] == "order_pruned", (dead, p.query("SELECT * FROM refunds"))
        assert f"{run}-old" in dead[0]["errors"][0]["message"] and "refund horizon" in dead[0]["errors"][0]["message"]
    finally:
        p.close()
