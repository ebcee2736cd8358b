"""Back-pressure on the real stack: Postgres made slow (a lock the aggregator waits on) → the aggregator
falls behind → the ingest answers 503 with Retry-After instead of taking more; it recovers by itself."""
from __future__ import annotations

import threading
import time
import uuid

import pytest
from sqlalchemy import text

from .pipeline import Pipeline, eventually

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


def orders(run: str, start: int, n: int) -> list[dict]:
    return [{"type": "order", "order_id": f"{run}-{i}", "customer_id": f"{run}-c{i % 13}", "currency": "INR",
             "placed_at": "2026-03-10T10:00:00+05:30", "influencer_id": f"BP{run}",
             "lines": [{"product": "p", "brand": "Gritzo", "quantity": 1, "revenue": "10.50"}]} for i in range(start, start + n)]


def test_a_slow_postgres_makes_the_ingest_refuse_with_retry_after_until_the_workers_catch_up(kafka_bootstrap, postgres, tmp_path):
    p = Pipeline(kafka_bootstrap, postgres, tmp_path, ingest_max_lag=300, lag_check_seconds=0.3)
    run, accepted, refusal = uuid.uuid4().hex[:6], 0, None
    release, locked = threading.Event(), threading.Event()
    try:

        def hold_lock():  # Postgres "slow": every aggregator transaction waits on this lock
            with p.engine.begin() as conn:
                conn.execute(text("LOCK TABLE influencer_daily IN ACCESS EXCLUSIVE MODE"))
                locked.set()
                release.wait(120)

        holder = threading.Thread(target=hold_lock)
        holder.start()
        locked.wait(10)
        for batch in range(40):
            r = p.post(orders(run, batch * 100, 100))
            if r.status_code == 503:
                refusal = r
                break
            assert r.status_code == 202
            accepted += 100
            time.sleep(0.05)  # a storefront's pace (≤ 2,000 events/s), not a tight loop racing the 0.3 s lag check
        assert refusal is not None, f"{accepted} events accepted while the aggregator could not write"
        assert refusal.headers["retry-after"] == "5"
        assert "workers are" in refusal.json()["errors"][0]["message"]
        assert 300 <= accepted <= 2000  # refused soon after the limit, not after buffering everything
        # attribution catches up (it does not write to Postgres); the aggregator cannot while the lock is held
        message = eventually(lambda: p.post(orders(run, 9_000, 1)).json()["errors"][0]["message"],
                             lambda m: m.startswith("the aggregator workers are"), 30, "the refusal names the aggregator")
        assert "Postgres or a worker is slow" in message and "retry later" in message
        release.set()
        holder.join()
        eventually(lambda: p.post(orders(run, 10_000, 1)).status_code, lambda s: s == 202, 90, "accepted again once caught up")
        p.wait_for("SELECT sum(orders) FROM influencer_daily WHERE influencer_id = :i", [(accepted + 1,)], 90, i=f"BP{run}")
    finally:
        release.set()
        p.close()
