"""Scale-out on the real broker: two attribution and two aggregator workers in the same consumer groups share the
topics' partitions between them, and every table comes out exact (the fault suite's workload and comparison,
without the faults). This is what `docker compose up --scale attribution=2 --scale aggregator=2` runs."""
from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bench.chaos import Stack
from bench.faults import print_report, run_on
from bench.workload import expect, generate
from services.common import topics

from .pipeline import eventually

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

PARTITIONS = 6
REPLICAS = {"attribution": ("attribution", "attribution#2"), "aggregator": ("aggregator", "aggregator#2")}


@pytest.fixture(scope="module")
def stack():
    s = Stack(partitions=PARTITIONS, workers=("ingest", *REPLICAS["attribution"], *REPLICAS["aggregator"])).start()
    yield s
    s.close()


def owned(stack: Stack, worker: str) -> set[int]:
    """The partitions of its service's source topics that a worker holds, as it reports them: hk_consumer_lag has a
    series per assigned partition (services/common/faust_app.py, refreshed every 5 s). A worker's assignment also
    holds its tables' changelog partitions (active and standby), which are not the work being shared."""
    sources = {stack.settings.topic(t) for t in topics.CONSUMERS[worker.partition("#")[0]]}
    text = httpx.get(f"http://127.0.0.1:{stack.procs.port(worker)}/metrics", timeout=5).text
    return {int(sample.labels["partition"]) for family in text_string_to_metric_families(text)
            if family.name == "hk_consumer_lag" for sample in family.samples if sample.labels["topic"] in sources}


def split_between(stack: Stack, workers: tuple[str, ...]) -> dict[str, set[int]]:
    """Each worker's partitions, once every partition has exactly one owner and no worker is idle."""
    def shared(shares: dict[str, set[int]]) -> bool:
        every = [p for held in shares.values() for p in held]
        return all(shares.values()) and sorted(every) == list(range(PARTITIONS))
    return eventually(lambda: {w: owned(stack, w) for w in workers}, shared, 30, f"{workers} share {PARTITIONS} partitions")


def test_two_workers_of_each_service_share_the_partitions_and_the_totals_are_exact(stack):
    workload = generate(8_000, seed=23, run="scale")
    report = run_on(stack, workload, expect(workload), rounds=0)
    print_report(report)
    assert report.drained, "not every order and refund line reached Postgres"
    assert report.dead_letters == 0, "a good event was dead-lettered"
    assert report.exact, f"mismatched keys {report.mismatches}; lost {report.lost}; duplicated {report.duplicated}"
    for service, workers in REPLICAS.items():
        shares = split_between(stack, workers)
        print(f"{service}: {shares}")
        for worker in workers:  # each consumed a share of the events, not just an assignment
            assert stack.metric(worker, "hk_consumed_events_total") > 0, f"{worker} consumed nothing"
