"""bench/report.py: medians, targets and ratios that read the same way for a rate and for a time."""
from __future__ import annotations

from bench import report


def workloads(values):
    runs = iter(values)

    def ingest(_figures):
        v = next(runs)
        return {"ingest.events_per_s": {"value": v, "unit": "events/s", "baseline": 10_000},
                "ingest.ack_p99_ms": {"value": v / 1000, "unit": "ms"}}
    return {"ingest": ingest}


def test_the_median_of_the_runs_is_kept_and_checked_against_its_target(capsys):
    figures = report.run(["ingest"], 3, workloads([30_000, 10_000, 25_000]), write=False)
    rate = figures["ingest.events_per_s"]
    assert rate["value"] == 25_000 and rate["runs"] == [30_000, 10_000, 25_000]
    assert rate["ratio"] == 2.5 and rate["met"] is True
    assert figures["ingest.ack_p99_ms"]["value"] == 25 and figures["ingest.ack_p99_ms"]["met"] is True
    assert "ingest.events_per_s" in capsys.readouterr().out


def test_a_time_is_compared_as_a_speed_up_over_its_baseline():
    def board(_figures):
        return {"dashboard.board.ms": {"value": 50.0, "unit": "ms", "baseline": 1000.0},
                "dashboard.panel.p95_ms": {"value": 40.0, "unit": "ms", "baseline": 900.0, "ratio": 30.0}}
    figures = report.run(["dashboard"], 3, {"dashboard": board}, write=False)
    assert figures["dashboard.board.ms"]["ratio"] == 20.0       # 1000 ms raw ÷ 50 ms: twenty times faster
    assert figures["dashboard.panel.p95_ms"]["ratio"] == 30.0   # the workload's own ratio (p50 over p50) is kept
