"""The operators' alerts on the real stack: the real Prometheus scrapes the real services, the real
Alertmanager posts to the operators' path of a loopback listener. The rules are the generated ones rendered
at 1/60 time scale (1 h window → 60 s, for: 1m → 1 s; promtool tests them at full scale); the delays are
measured and printed. Stopping the aggregator pages ServiceDown and the freshness fast burn, its restart
resolves both and every event posted meanwhile reaches the tables; a flood of poison records pages
DeadLettersHigh; ServiceDown inhibits the same service's lag alert."""
from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from kafka import KafkaProducer

from services.alerts.operator_rules import render
from services.common import topics
from devstack.prometheus import PrometheusServer

from .alerting import alerting_stack
from .pipeline import Pipeline, eventually

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.prometheus]
OPS = "/hk/operator-alerts"
SCALE = 1 / 60


class Traffic:
    """Posts a few post snapshots a second (they go straight to the aggregator) until stopped."""

    def __init__(self, p: Pipeline) -> None:
        self.p, self.sent, self.stop = p, 0, threading.Event()
        self.run, self.started = uuid.uuid4().hex[:6], time.monotonic()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self) -> None:
        http = httpx.Client(base_url=str(self.p.http.base_url), headers={"Authorization": "Bearer dev-key"}, timeout=30)
        while not self.stop.wait(0.1):
            now = datetime.now(timezone.utc)
            posts = [{"type": "post", "post_id": f"{self.run}-{self.sent + n}", "influencer_id": f"{self.run}-i",
                      "platform": "instagram", "brand": "Gritzo", "url": "https://instagram.com/p/x", "published_at": (now - timedelta(hours=1)).isoformat(),
                      "reach": 1000, "likes": 10, "comments": 1, "observed_at": now.isoformat()} for n in range(3)]
            if http.post("/v1/events", json=posts).status_code == 202:
                self.sent += len(posts)
        http.close()

    def close(self) -> int:
        self.stop.set()
        self.thread.join()
        return self.sent


@pytest.fixture(scope="module")
def stack(kafka_bootstrap, postgres, tmp_path_factory):
    with alerting_stack(kafka_bootstrap, postgres, tmp_path_factory.mktemp("logs"), {"lag_check_seconds": 0.5},
                        rules={"operators.yml": render(scale=SCALE)}) as (p, hook, am, prom):
        traffic = Traffic(p)
        yield p, prom, hook, traffic, am
        traffic.close()


def firing(prom: PrometheusServer, alertname: str, **labels: str) -> list:
    selector = "".join(f',{k}="{v}"' for k, v in labels.items())
    return prom.query(f'ALERTS{{alertname="{alertname}",alertstate="firing"{selector}}}')


def test_stopping_the_aggregator_pages_and_its_restart_resolves(stack):
    p, prom, hook, traffic, _ = stack
    # a quiet start: the SLI has data and no page is firing (early events of a cold start can be late)
    eventually(lambda: prom.query('slo:sli_error:ratio_rate5m{slo="freshness"}'), bool, 60, "the freshness SLI has data")
    eventually(lambda: firing(prom, "FreshnessBudgetBurn") + firing(prom, "ServiceDown"), lambda a: a == [], 180,
               "no operators' page before the stop")
    # a whole long window (60 s here) of traffic first: a younger window holds less good history, and the
    # outage's share of it crosses the threshold sooner than it would in service
    time.sleep(max(0.0, 65 - (time.monotonic() - traffic.started)))

    budget = lambda: float(prom.query('slo:error_budget_remaining:ratio{slo="freshness"}')[0]["value"][1])
    before = budget()
    stopping = time.monotonic()  # SIGTERM: from here the aggregator writes nothing more
    p.services.stop("aggregator")
    stopped = time.monotonic()
    down = eventually(lambda: hook.alerts(OPS, "firing", stopping, alertname="ServiceDown", service="aggregator"),
                      bool, 90, "ServiceDown for the aggregator at the operators' webhook")
    burn = eventually(lambda: hook.alerts(OPS, "firing", stopping, alertname="FreshnessBudgetBurn", burn="fast"),
                      bool, 120, "the freshness fast burn at the operators' webhook")
    assert down[0][1]["annotations"]["runbook_url"] == "docs/runbooks/service-down.md"
    assert burn[0][1]["labels"]["severity"] == "page"
    assert hook.alerts("/hk/roas-alerts", after=stopping) == []  # the marketers hear nothing of it

    p.services.start("aggregator")
    restarted = time.monotonic()
    eventually(lambda: hook.alerts(OPS, "resolved", restarted, alertname="ServiceDown", service="aggregator"),
               bool, 90, "ServiceDown resolved")
    resolved = eventually(lambda: hook.alerts(OPS, "resolved", restarted, alertname="FreshnessBudgetBurn", burn="fast"),
                          bool, 180, "the fast burn resolved")
    sent = traffic.sent
    p.wait_for("SELECT count(*) >= :n FROM posts WHERE post_id LIKE :run", [(True,)], 120, n=sent, run=f"{traffic.run}-%")
    assert budget() < before  # the outage spent some of the budget, and the board's figure says so
    print(f"\nthe aggregator took {stopped - stopping:.1f}s to stop; ServiceDown paged {down[0][0] - stopped:.1f}s after "
          f"it stopped (for: 1s, scrape 1s); the fast burn {burn[0][0] - stopping:.1f}s after the SIGTERM (60s/5s windows, "
          f"for: 2s: from a clean window, 14.4 % of 60 s = 8.6 s of outage, then for: and a notification); resolved {resolved[0][0] - restarted:.1f}s after the restart was up; "
          f"{sent} posts accepted, every one in the tables")


def test_stopping_the_attribution_worker_pages_and_its_restart_brings_the_orders(stack):
    """The runbook's recovery for a down worker is a restart: the orders that waited are attributed after it."""
    p, prom, hook, _, _ = stack
    run = uuid.uuid4().hex[:6]
    stopping = time.monotonic()
    p.services.stop("attribution")
    down = eventually(lambda: hook.alerts(OPS, "firing", stopping, alertname="ServiceDown", service="attribution"),
                      bool, 90, "ServiceDown for the attribution worker")
    placed = datetime.now(timezone.utc).isoformat()
    orders = [{"type": "order", "order_id": f"{run}-{n}", "customer_id": f"{run}-c{n}", "placed_at": placed, "currency": "INR",
               "influencer_id": f"{run}-i", "lines": [{"product": "p", "brand": "Gritzo", "quantity": 1, "revenue": "10"}]}
              for n in range(20)]
    assert p.post(orders).status_code == 202  # accepted while no worker attributes: they wait on hk.storefront
    p.services.start("attribution")
    restarted = time.monotonic()
    eventually(lambda: hook.alerts(OPS, "resolved", restarted, alertname="ServiceDown", service="attribution"),
               bool, 90, "ServiceDown for the attribution worker resolved")
    p.wait_for("SELECT count(*) FROM attributed_orders WHERE order_id LIKE :run", [(20,)], 120, run=f"{run}-%")
    print(f"\nServiceDown (attribution) paged {down[0][0] - stopping:.1f}s after the SIGTERM; the 20 orders accepted "
          "meanwhile were attributed after the restart")


def test_a_flood_of_poison_records_pages_dead_letters(stack):
    p, prom, hook, _, _ = stack
    producer = KafkaProducer(bootstrap_servers=p.settings.kafka_bootstrap)
    started = time.monotonic()

    def flood():
        for _ in range(5):
            producer.send(p.settings.topic(topics.STOREFRONT), key=b"poison", value=b"\x00\xffnot json")
        producer.flush()
        return hook.alerts(OPS, "firing", started, alertname="DeadLettersHigh", service="attribution", reason="undecodable")

    paged = eventually(flood, bool, 90, "DeadLettersHigh for attribution's undecodable records")
    producer.close()
    assert paged[0][1]["labels"]["severity"] == "ticket"
    print(f"\nDeadLettersHigh paged {paged[0][0] - started:.1f}s after the flood began (5s window, for: 5s)")


def read_only(p: Pipeline, on: bool) -> None:
    """Switch the database read-only (as a standby, or a full disk's last resort, refuses writes) and drop
    every session so the aggregator's next connection has the new setting."""
    with p.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("SET default_transaction_read_only = off")  # this session may have begun read-only
        conn.exec_driver_sql(f"ALTER DATABASE {conn.engine.url.database} SET default_transaction_read_only = {'on' if on else 'off'}")
        conn.exec_driver_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    p.engine.dispose()


def test_postgres_refusing_writes_pages_and_dead_letters_nothing(stack):
    p, prom, hook, traffic, _ = stack
    dead_letters = 'sum(hk_dead_letter_events_total{service="aggregator"}) or vector(0)'
    before = float(prom.query(dead_letters)[0]["value"][1])
    started = time.monotonic()
    read_only(p, True)
    try:
        paged = eventually(lambda: hook.alerts(OPS, "firing", started, alertname="PostgresWriteErrors", operation="batch"),
                           bool, 90, "PostgresWriteErrors for the aggregator's batches")
    finally:
        read_only(p, False)
    sent = traffic.sent
    p.wait_for("SELECT count(*) >= :n FROM posts WHERE post_id LIKE :run", [(True,)], 120, n=sent, run=f"{traffic.run}-%")
    # every record waited for Postgres: none was blamed for its refusal
    assert float(prom.query(dead_letters)[0]["value"][1]) == before
    print(f"\nPostgresWriteErrors paged {paged[0][0] - started:.1f}s after the database turned read-only "
          f"(5s window, for: 2s); {sent} posts accepted, every one in the tables, no dead letter")


def test_a_down_service_does_not_also_page_for_its_lag(stack):
    """Alertmanager's inhibition, on the real Alertmanager: both alerts posted, only ServiceDown delivered."""
    _, _, hook, _, am = stack
    started, run = time.monotonic(), uuid.uuid4().hex[:6]
    labels = {"team": "operators", "severity": "page", "run": run}
    posted = [{"labels": {**labels, "alertname": "ServiceDown", "service": "attribution"}},
              {"labels": {**labels, "alertname": "ConsumerLagGrowing", "service": "attribution", "topic": "s"}},
              {"labels": {**labels, "alertname": "ConsumerLagGrowing", "service": "aggregator", "topic": "a"}}]
    assert httpx.post(f"{am.url}/api/v2/alerts", json=posted).status_code == 200
    eventually(lambda: hook.alerts(OPS, "firing", started, run=run, alertname="ConsumerLagGrowing", service="aggregator"),
               bool, 30, "the other service's lag alert is delivered")
    time.sleep(3)  # a group interval more: the inhibited one would have come by now
    delivered = {(a["labels"]["alertname"], a["labels"]["service"]) for _, a in hook.alerts(OPS, "firing", started, run=run)}
    assert delivered == {("ServiceDown", "attribution"), ("ConsumerLagGrowing", "aggregator")}
