"""The operators' board, from Prometheus: events in and out of each service, attribution outcomes, dead
letters, batch and freshness percentiles, consumer lag and errors. It reads the recording rules of
deploy/prometheus/rules, so the board and the rules cannot drift apart."""
from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as db, prometheus, timeseries

from .parts import PROMETHEUS

UID = "hk-pipeline"


def series(title: str, description: str, unit: str, *queries: tuple[str, str], span: int = 12) -> timeseries.Panel:
    panel = timeseries.Panel().title(title).description(description).unit(unit).height(8).span(span).datasource(PROMETHEUS)
    for n, (expr, legend) in enumerate(queries):
        panel = panel.with_target(prometheus.Dataquery().expr(expr).legend_format(legend).ref_id("ABCDEFGH"[n])
                                  .datasource(PROMETHEUS))
    return panel


def build() -> db.Dashboard:
    d = (db.Dashboard("Pipeline health").uid(UID).tags(["hk", "operations"]).time("now-1h", "now").refresh("30s")
         .timezone("browser").readonly()
         .description("Ingest, attribution and aggregator: throughput, outcomes, latency, freshness and lag."))
    panels = [
        series("Events in", "Events the ingest received, per type and outcome.", "ops",
               ("type_outcome:hk_ingest_events:rate5m", "{{type}} {{outcome}}")),
        series("Events consumed", "Events each worker read, per topic.", "ops",
               ("service_topic:hk_consumed_events:rate5m", "{{service}} ← {{topic}}")),
        series("Attribution outcomes", "Order lines per winning rule (unattributed included).", "ops",
               ("rule:hk_attributed_order_lines:rate5m", "{{rule}}")),
        series("Dead letters", "Events sent to hk.dead-letter, per service and reason.", "ops",
               ("service_reason:hk_dead_letter_events:rate5m", "{{service}} {{reason}}")),
        series("Ingest acknowledgement p99", "Time for Kafka to acknowledge (acks=all) a request's events.", "s",
               ("job:hk_ingest_produce_seconds:p99_5m", "p99")),
        series("Event freshness", "From the broker's acknowledgement to the commit in Postgres.", "s",
               ("job:hk_event_freshness_seconds:p50_5m", "p50"), ("job:hk_event_freshness_seconds:p99_5m", "p99")),
        series("Aggregator batches", "Batch size (p50) and the time of its Postgres transaction (p99).", "short",
               ("job:hk_aggregator_batch_size:p50_5m", "events per batch p50"),
               ("job:hk_aggregator_write_seconds:p99_5m", "write seconds p99")),
        series("Consumer lag", "Messages not yet committed, per worker and topic.", "short",
               ("service_topic:hk_consumer_lag:sum", "{{service}} {{topic}}")),
        series("Facts written", "Rows inserted and duplicates skipped, per table.", "ops",
               ("table_outcome:hk_aggregator_facts:rate5m", "{{table}} {{outcome}}")),
        series("Ingest errors", "Requests answered with anything but 2xx, per status.", "reqps",
               ('status:hk_ingest_requests:rate5m{status!~"2.."}', "{{status}}")),
    ]
    for p in panels:
        d = d.with_panel(p)
    return d
