"""deploy/prometheus on the real Prometheus: promtool accepts it, and every recording rule returns series
while Prometheus scrapes the real running services."""
from __future__ import annotations

import json
import subprocess
import uuid

import pytest
from kafka import KafkaProducer

from services.common import topics
from services.dashboards.build import render
from devstack.prometheus import DEPLOY, PrometheusServer

from .pipeline import Pipeline, eventually

RULES = DEPLOY / "rules" / "recording.yml"


@pytest.mark.prometheus
def test_promtool_accepts_the_config_and_the_rules():
    out = subprocess.run(["promtool", "check", "config", str(DEPLOY / "prometheus.yml")], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "SUCCESS" in out.stdout


@pytest.fixture(scope="module")
def scraped(kafka_bootstrap, postgres, tmp_path_factory):
    p = Pipeline(kafka_bootstrap, postgres, tmp_path_factory.mktemp("logs"))
    prom = PrometheusServer(p.metrics_targets()).start()
    yield p, prom
    prom.cleanup()
    p.close()


@pytest.mark.kafka
@pytest.mark.postgres
@pytest.mark.prometheus
def test_every_recording_rule_returns_series_from_the_running_services(scraped):
    import yaml
    p, prom = scraped
    run = uuid.uuid4().hex[:6]
    order = {"type": "order", "order_id": f"{run}-o", "customer_id": f"{run}-c", "placed_at": "2026-03-03T10:00:00Z",
             "currency": "INR", "influencer_id": f"{run}-i", "lines": [{"product": "p", "brand": "Gritzo", "quantity": 1, "revenue": "10"}]}
    from datetime import datetime, timezone
    now = datetime.now(timezone.utc).isoformat()
    contract = {"type": "contract", "contract_id": f"{run}-k", "influencer_id": f"{run}-i", "brand": "Gritzo",
                "basis": "order", "rate": "4", "valid_from": "2026-01-01T00:00:00Z"}
    assert p.post([contract]).status_code == 202
    p.wait_for("SELECT count(*) FROM contracts WHERE contract_id = :c", [(1,)], c=f"{run}-k")
    order["placed_at"] = now  # inside the 7-day window, so the influencer has a 7-day ROAS (10 / 4)
    assert p.post([order]).status_code == 202
    assert p.post([{"type": "order"}]).status_code == 422  # a rejected event is counted too
    producer = KafkaProducer(bootstrap_servers=p.settings.kafka_bootstrap)
    producer.send(p.settings.topic(topics.STOREFRONT), key=b"x", value=b"not json")  # one dead letter
    producer.flush()
    producer.close()
    p.wait_for("SELECT count(*) FROM attributed_orders WHERE order_id = :o", [(1,)], o=f"{run}-o")
    for rule in (r for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"]):
        # a rate needs two scrapes after the event: keep posting until the rule has series
        def read(rule=rule):
            assert p.post([{**order, "order_id": f"{run}-{uuid.uuid4().hex[:6]}"}]).status_code == 202
            return prom.query(rule["record"])
        series = eventually(read, bool, 60, f"{rule['record']} has series")
        assert all("value" in s for s in series)

    [roas] = prom.query(f'influencer:hk_influencer_roas_7d:max{{influencer_id="{run}-i"}}')
    assert float(roas["value"][1]) == 2.5

    board = json.loads(render("pipeline-health"))
    for panel in board["panels"]:
        for target in panel.get("targets", []):  # a row has none
            assert prom.query(target["expr"]), f"{panel['title']}: {target['expr']} has no series"


@pytest.mark.prometheus
@pytest.mark.parametrize("name", ["alerts_test.yml", "operators_test.yml"])
def test_promtool_tests_both_sides_of_every_for_boundary(name):
    tests = DEPLOY.parents[1] / "tests" / "prometheus" / name
    out = subprocess.run(["promtool", "test", "rules", str(tests)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "SUCCESS" in out.stdout
