"""The operators' board, from Prometheus: service levels first (error budget left, burn rates against the
thresholds that page, lag as the broker sees it), then events in and out of each service, attribution
outcomes, dead letters, batch and freshness percentiles, consumer lag and errors. It reads the recording
rules of deploy/prometheus/rules, so the board and the rules cannot drift apart."""
from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as db, prometheus, stat, timeseries
from grafana_foundation_sdk.models import common as cm

from ..alerts.slos import duration, load
from .parts import PROMETHEUS, steps

UID = "hk-pipeline"


def series(title: str, description: str, unit: str, *queries: tuple[str, str], span: int = 12) -> timeseries.Panel:
    panel = timeseries.Panel().title(title).description(description).unit(unit).height(8).span(span).datasource(PROMETHEUS)
    for n, (expr, legend) in enumerate(queries):
        panel = panel.with_target(prometheus.Dataquery().expr(expr).legend_format(legend).ref_id("ABCDEFGH"[n])
                                  .datasource(PROMETHEUS))
    return panel


def service_levels() -> list:
    slos = load()
    budget = (stat.Panel().title("Error budget left").unit("percentunit").height(8).span(6).datasource(PROMETHEUS)
              .description(f"Share of each objective's {duration(slos.period)} error budget not yet spent (freshness "
                           f"{slos.freshness_target}, ingest availability {slos.availability_target}); below 0 the "
                           "objective is missed.")
              .thresholds(steps((None, "red"), (0, "orange"), (0.25, "green"))).color_mode(cm.BigValueColorMode.VALUE)
              .with_target(prometheus.Dataquery().expr("slo:error_budget_remaining:ratio").legend_format("{{slo}}")
                           .ref_id("A").datasource(PROMETHEUS)))
    tiers = [series(f"Burn rate, {b.name} ({duration(b.long)} and {duration(b.short)})",
                    f"How many times faster than the budget allows each objective fails, over {duration(b.long)} and "
                    f"{duration(b.short)}. Both above {b.factor}× for {duration(b.for_)} pages the operators.", "x",
                    (f"slo:burn_rate:rate{duration(b.long)}", f"{{{{slo}}}} {duration(b.long)}"),
                    (f"slo:burn_rate:rate{duration(b.short)}", f"{{{{slo}}}} {duration(b.short)}"), span=9)
             for b in slos.burn_rates]
    lag = series("Lag as the broker sees it", "Records not yet committed by each worker group, per source topic, read "
                 "by the ingest from the broker: it keeps moving while a worker is down.", "short",
                 ("service_topic:hk_source_lag:max", "{{service}} {{topic}}"), span=15)
    good = series("Good share (5 m)", f"Events in the tables within {slos.freshness_seconds:g} s of their acknowledgement, "
                  "and ingest requests answered without a 5xx, over the last 5 minutes.", "percentunit",
                  ("1 - slo:sli_error:ratio_rate5m", "{{slo}}"), span=9)
    return [budget, *tiers, good, lag]


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
    d = d.with_row(db.Row("Service levels"))
    for p in service_levels():
        d = d.with_panel(p)
    d = d.with_row(db.Row("Throughput, latency and errors"))
    for p in panels:
        d = d.with_panel(p)
    return d
