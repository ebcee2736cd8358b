"""The detector inside the aggregator's transaction, on a real PostgreSQL: a collapse fires once (a replayed
batch does not fire again), recovery resolves it, a healthy or a tiny campaign never fires, and every firing
and resolution is in the outbox for hk.alerts."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import text

from services.aggregator.batch import Batch, Calendar
from services.aggregator.migrate import migrate
from services.aggregator.writer import write_batch
from services.alerts import subscriber
from services.alerts.outbox import pending
from services.alerts.thresholds import load
from services.common.db import make_engine
from services.common.settings import Settings

pytestmark = pytest.mark.postgres
TZ = "Asia/Kolkata"
T = Calendar(TZ).today()
CONFIG = load()


def order(oid: str, influencer: str, revenue: str, days_ago: int) -> dict:
    return {"kind": "order_line", "order_id": oid, "line_no": 0, "customer_id": "c", "influencer_id": influencer,
            "brand": "MuscleBlaze", "product": "p", "quantity": 1, "revenue": revenue,
            "placed_at": f"{(T - timedelta(days=days_ago)).isoformat()}T12:00:00+05:30", "rule": "explicit",
            "counts_order": True}


def contract(influencer: str, rate: str) -> dict:
    return {"type": "contract", "contract_id": f"{influencer}-c", "influencer_id": influencer, "brand": "MuscleBlaze",
            "basis": "order", "rate": rate, "valid_from": "2020-01-01T00:00:00+05:30"}


def write(engine, records) -> None:
    b = Batch()
    for r in records:
        b.add(r)
    write_batch(engine, b, Calendar(TZ), CONFIG)


@pytest.fixture(scope="module")
def engine(postgres):
    url = postgres.create_database("hk_alerts")
    migrate(Settings(env="dev", database_url=url, business_tz=TZ))
    engine = make_engine(url)
    # order basis 500 per order: ROAS = revenue per order / 500
    write(engine, [contract(i, "500") for i in ("COLLAPSE", "HEALTHY", "TINY")])
    write(engine, [order(f"{i}-prev-{n}", i, "2000", 10) for i in ("COLLAPSE", "HEALTHY") for n in range(12)])  # ROAS 4
    yield engine
    engine.dispose()


def alerts(engine):
    with engine.connect() as conn:
        return conn.execute(text("SELECT influencer_id, roas_before, roas_now, spend, orders, resolved_at IS NOT NULL "
                                 "FROM roas_alerts ORDER BY alert_id")).all()


def outbox(engine):
    """What the outbox will publish on hk.alerts, as a subscriber decodes it (schemas/alert.v1.json)."""
    events = [(event_id, subscriber.decode(value)) for event_id, _, value in pending(engine)]
    assert all(event_id == e["event_id"] for event_id, e in events)
    return [(e["status"], e["influencer_id"], e["roas_now"]) for _, e in events]


def test_a_collapse_fires_once_recovery_resolves_and_noise_stays_quiet(engine):
    collapse = [order(f"COLLAPSE-now-{n}", "COLLAPSE", "750", 2) for n in range(12)]          # ROAS 1.5
    healthy = [order(f"HEALTHY-now-{n}", "HEALTHY", "1900", 2) for n in range(12)]            # ROAS 3.8: -5 %
    tiny = [order(f"TINY-now-{n}", "TINY", "100", 1) for n in range(3)]                       # ROAS 0.2, 3 orders
    write(engine, collapse + healthy + tiny)
    assert alerts(engine) == [("COLLAPSE", D("4.0000"), D("1.5000"), D(6000), 12, False)]
    write(engine, collapse)  # a replay after a crash: nothing new
    assert len(alerts(engine)) == 1
    # recovery: 12 more orders of 3500 in the window → ROAS (9000 + 42000) / 12000 = 4.25, above 2.2 and no drop
    write(engine, [order(f"COLLAPSE-back-{n}", "COLLAPSE", "3500", 1) for n in range(12)])
    assert [a[-1] for a in alerts(engine)] == [True]
    assert outbox(engine) == [("firing", "COLLAPSE", "1.5000"), ("resolved", "COLLAPSE", "4.2500")]
