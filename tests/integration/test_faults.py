"""The fault suite at CI size: 100k events through the real stack while every worker is SIGKILLed,
workers leave and rejoin their groups, and Kafka and Postgres restart. Every figure must be exact.
``hk bench faults`` runs the same thing longer."""
from __future__ import annotations

import pytest

from bench.faults import ROUND, print_report, run
from bench.workload import FIGURES

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


def test_100k_events_through_kills_rebalances_and_restarts_are_counted_exactly_once():
    report = run(100_000, rounds=1, seed=11)
    print_report(report)
    kinds = [f.kind for f in report.faults]
    assert len(report.faults) == len(ROUND)
    assert kinds.count("sigkill") >= 9 and "broker restart" in kinds and "postgres restart" in kinds
    assert {f.target for f in report.faults if f.kind == "sigkill"} >= {"ingest", "attribution", "attribution#2", "aggregator", "aggregator#2"}
    assert report.sent_with_retries >= 110_000  # 10 % storefront duplicates on top of the retries the faults cause
    assert report.drained, "not every order line, refund line and post reached Postgres"
    assert report.dead_letters == 0, "a good event was dead-lettered"
    assert report.mismatches == {t: [] for t in ("influencer_daily", "rolling_current", "payouts", "daily_totals",
                                                 "contract_rates", "contract_windows", "model_daily", "model_windows",
                                                 "model_totals")}
    assert set(report.lost.values()) == {0} and set(report.duplicated.values()) == {0}
    assert set(report.lost) == set(FIGURES)
