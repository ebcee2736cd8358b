"""The whole pipeline over SASL/PLAIN: the ingest (kafka-python), topic creation, the contract feed (aiokafka)
and both Faust workers take their credentials from HK_KAFKA_* settings; a wrong password is refused."""
from __future__ import annotations

import uuid

import pytest
from kafka import KafkaProducer
from kafka.errors import KafkaError

from services.common.kafka_security import kafka_python
from services.common.settings import Settings
from devstack.kafka import SASL_PASSWORD, SASL_USER

from .pipeline import Pipeline

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]
SASL = {"kafka_security_protocol": "SASL_PLAINTEXT", "kafka_sasl_mechanism": "PLAIN",
        "kafka_sasl_username": SASL_USER, "kafka_sasl_password": SASL_PASSWORD}


def test_events_flow_end_to_end_over_sasl(kafka_broker, postgres, tmp_path):
    p = Pipeline(kafka_broker.sasl_bootstrap, postgres, tmp_path, **SASL)
    try:
        run = uuid.uuid4().hex[:6]
        contract = {"type": "contract", "contract_id": f"{run}-c", "influencer_id": f"{run}-i", "brand": "Gritzo",
                    "basis": "order", "rate": "5", "valid_from": "2026-01-01T00:00:00Z", "coupon_codes": [f"{run}CODE"]}
        order = {"type": "order", "order_id": f"{run}-o", "customer_id": f"{run}-c", "placed_at": "2026-03-03T10:00:00Z",
                 "currency": "INR", "coupon_code": f"{run}CODE",
                 "lines": [{"product": "p", "brand": "Gritzo", "quantity": 1, "revenue": "50"}]}
        assert p.post([contract]).status_code == 202
        p.wait_for("SELECT count(*) FROM contracts", [(1,)])
        assert p.post([order]).status_code == 202
        # coupon: the aiokafka contract feed read the contract; spend: the Faust aggregator wrote the accrual
        p.wait_for("SELECT rule, influencer_id FROM attributed_orders", [("coupon", f"{run}-i")], timeout_s=60)
        p.wait_for("SELECT sum(spend) FROM influencer_daily", [(5,)])
    finally:
        p.close()


def test_a_wrong_password_is_refused(kafka_broker):
    missing = Settings(kafka_bootstrap=kafka_broker.sasl_bootstrap, kafka_security_protocol="SASL_PLAINTEXT",
                       kafka_sasl_mechanism="PLAIN", kafka_sasl_username=SASL_USER)
    with pytest.raises(SystemExit, match="needs HK_KAFKA_SASL_USERNAME and HK_KAFKA_SASL_PASSWORD"):
        kafka_python(missing)
    bad = Settings(kafka_bootstrap=kafka_broker.sasl_bootstrap, kafka_security_protocol="SASL_PLAINTEXT",
                   kafka_sasl_mechanism="PLAIN", kafka_sasl_username=SASL_USER, kafka_sasl_password="nope")
    with pytest.raises(KafkaError):
        producer = KafkaProducer(bootstrap_servers=bad.kafka_bootstrap, bootstrap_timeout_ms=5000, **kafka_python(bad))
        producer.send("hk-sasl-probe", b"x").get(timeout=5)
