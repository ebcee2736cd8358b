"""End to end on real components: the pipeline runs, one influencer's ROAS collapses, the real Prometheus
scrapes the real aggregator, the real Alertmanager posts to a webhook listener on loopback; recovery sends the
resolution; a healthy influencer never fires. The alert's for: is shortened to 5 s here (promtool tests the
real 2 m); the delay is measured and printed."""
from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from services.common import topics
from services.dashboards.build import render
from services.dashboards.expand import targets
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from services.common.db import sqlalchemy_url

from .alerting import alerting_stack
from .grafana import expand
from .pipeline import Pipeline, eventually
from .topic_reader import read_topic

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.prometheus]


ROAS = "/hk/roas-alerts"  # the marketers' receiver; the operators' alerts go to another path of the listener
@pytest.fixture(scope="module")
def stack(kafka_bootstrap, postgres, tmp_path_factory):
    with alerting_stack(kafka_bootstrap, postgres, tmp_path_factory.mktemp("logs"), {"business_metrics_seconds": 1},
                        alert_for="5s") as (p, hook, _, _):
        yield p, hook


def board_rows(p: Pipeline, title: str) -> list:
    """A campaigns-board query as Grafana would run it (last day, every brand), as the read-only role."""
    board = json.loads(render("influencer-campaigns"))
    [sql] = [sql for panel, sql in targets(board) if panel["title"] == title]
    reader = create_engine(make_url(sqlalchemy_url(p.settings.database_url)).set(username="hk_grafana", password="grafana-dev"))
    try:
        with reader.connect() as conn:
            end = datetime.now(timezone.utc) + timedelta(minutes=1)
            return conn.execute(text(expand(sql, end - timedelta(days=1), end, {
                "brand": ["MuscleBlaze", "Gritzo"], "platform": ["instagram"], "category": ["Fitness"]}))).all()
    finally:
        reader.dispose()


def test_a_collapse_reaches_the_webhook_and_recovery_resolves_it(stack):
    (p, hook), run, now = stack, uuid.uuid4().hex[:6], datetime.now(timezone.utc)
    alerts = lambda status: [a for _, a in hook.alerts(ROAS, status)]
    sick, healthy = f"S{run}", f"H{run}"
    contracts = [{"type": "contract", "contract_id": f"{i}-c", "influencer_id": i, "brand": "MuscleBlaze",
                  "basis": "order", "rate": "500", "valid_from": "2020-01-01T00:00:00Z"} for i in (sick, healthy)]
    order = lambda i, n, revenue, days_ago: {
        "type": "order", "order_id": f"{i}-{n}", "customer_id": f"{i}-c{n}", "currency": "INR", "influencer_id": i,
        "placed_at": (now - timedelta(days=days_ago, minutes=1)).isoformat(),
        "lines": [{"product": "p", "brand": "MuscleBlaze", "quantity": 1, "revenue": revenue}]}
    assert p.post(contracts).status_code == 202
    p.wait_for("SELECT count(*) FROM contracts", [(2,)])
    last_week = [order(i, f"p{n}", "2000", 10) for i in (sick, healthy) for n in range(12)]        # both ROAS 4
    assert p.post(last_week).status_code == 202
    p.wait_for("SELECT count(*) FROM spend", [(24,)])

    this_week = [order(sick, f"n{n}", "750", 1) for n in range(12)] + [order(healthy, f"n{n}", "1900", 1) for n in range(12)]
    assert p.post(this_week).status_code == 202
    acknowledged = time.monotonic()
    firing = eventually(lambda: alerts("firing"), bool, 120, "the webhook receives the firing alert")
    delay = hook.alerts(ROAS)[0][0] - acknowledged
    assert {(a["labels"]["influencer_id"], a["labels"]["brand"], a["labels"]["thresholds"]) for a in firing} == {
        (sick, "MuscleBlaze", "default")}
    assert firing[0]["annotations"]["summary"] == f"ROAS of {sick} on MuscleBlaze dropped to 1.5"
    assert firing[0]["annotations"]["runbook_url"] == "docs/runbooks/roas-drop.md"
    assert p.query("SELECT influencer_id, roas_now FROM roas_alerts") == [(sick, Decimal("1.5000"))]
    assert [r[0] for r in board_rows(p, "Active alerts")] == [sick]
    assert [r[2].split(" - ")[0] for r in board_rows(p, "annotation: ROAS alerts")] == [f"ROAS alert: {sick} on MuscleBlaze"]

    recovery = [order(sick, f"r{n}", "3500", 1) for n in range(12)]  # (9000 + 42000) / 12000 = 4.25
    assert p.post(recovery).status_code == 202
    recovered = time.monotonic()
    eventually(lambda: alerts("resolved"), bool, 120, "the webhook receives the resolution")
    resolve_delay = hook.alerts(ROAS, "resolved")[0][0] - recovered
    assert p.query("SELECT count(*) FROM roas_alerts WHERE resolved_at IS NOT NULL") == [(1,)]
    assert all(a["labels"]["influencer_id"] != healthy for _, a in hook.alerts(ROAS))
    assert board_rows(p, "Active alerts") == [] and len(board_rows(p, "annotation: ROAS alerts")) == 1
    published = eventually(lambda: [(e["status"], e["influencer_id"]) for e in read_topic(
        p.settings.kafka_bootstrap, p.settings.topic(topics.ALERTS), expect=2, timeout_s=5)], lambda e: len(e) >= 2, 30,
        "hk.alerts carries the firing and the resolution")
    assert published == [("firing", sick), ("resolved", sick)]
    print(f"\nfiring delivered {delay:.1f}s after the collapse was acknowledged; resolution {resolve_delay:.1f}s "
          f"after recovery (for: 5s, group_wait 1s, scrape and evaluation 1s, export every 1s)")
