"""The one registry of metric names: every series a service exports is declared here, with its meaning."""
from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

INGEST_REQUESTS = Counter("hk_ingest_requests", "HTTP answers of the ingest (events, the Shopify webhook and refusals of any path; not /healthz), by status", ["status"])
INGEST_PIPELINE_LAG = Gauge("hk_ingest_pipeline_lag", "Events each worker group is behind, as the ingest last read it (it sheds load above HK_INGEST_MAX_LAG)", ["worker"])
SOURCE_END_OFFSETS = Gauge("hk_source_end_offsets", "Sum over a topic's partitions of its end offset: every record the "
                           "broker has acknowledged on it, per worker group reading it (the freshness SLO's valid events; "
                           "read from the broker by the ingest, so it moves while a worker is down)", ["service", "topic"])
SOURCE_LAG = Gauge("hk_source_lag", "Records of a topic between its end and the worker group's committed offset, as the "
                   "broker holds them (read by the ingest; changelog topics excluded)", ["service", "topic"])
INGEST_EVENTS = Counter("hk_ingest_events", "Events received by the ingest, by type and outcome (accepted, rejected, failed)", ["type", "outcome"])
INGEST_PRODUCE_SECONDS = Histogram(
    "hk_ingest_produce_seconds", "Time from the first send to the broker's acks=all acknowledgement of a request's events",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))

CONSUMED = Counter("hk_consumed_events", "Events read by a worker, by service and topic", ["service", "topic"])
DEAD_LETTERS = Counter("hk_dead_letter_events", "Events sent to the dead-letter topic, by service and reason", ["service", "reason"])
ATTRIBUTIONS = Counter("hk_attributed_order_lines", "Order lines by the attribution rule that won (unattributed included)", ["rule"])
CONTRACTS_INDEXED = Gauge("hk_attribution_contracts_indexed", "Contracts this attribution worker has read from hk.contracts")
ATTRIBUTION_REDELIVERED = Counter("hk_attribution_redelivered_events", "Storefront events skipped by offset before any "
                                  "work: below where the partition's records were delivered (the source_offsets table)", ["topic"])
ATTRIBUTION_OFFSET_HOLES = Counter("hk_attribution_offset_holes", "Times a storefront event arrived past offsets never "
                                   "delivered (a hole faust-streaming left); the partition is sought back and re-read", ["topic"])
ATTRIBUTION_BATCH_SIZE = Histogram("hk_attribution_batch_size", "Storefront events per attribution batch",
                                   buckets=(1, 5, 10, 50, 100, 250, 500, 1000, 2500, 5000))
ATTRIBUTION_PRUNED = Counter("hk_attribution_pruned", "Attribution state dropped past the refund horizon: order (a "
                             "tombstone stays one more horizon), tombstone, pending_refund (dead-lettered)", ["kind"])
UNATTRIBUTED_ORDERS = Counter("hk_unattributed_orders", "Orders no rule attributed (the organic baseline)")

AGGREGATOR_BATCH_SIZE = Histogram("hk_aggregator_batch_size", "Events per aggregator write batch",
                                  buckets=(1, 5, 10, 50, 100, 250, 500, 1000, 2500, 5000))
AGGREGATOR_WRITE_SECONDS = Histogram("hk_aggregator_write_seconds", "Time of one batch's Postgres transaction",
                                     buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
AGGREGATOR_FACTS = Counter("hk_aggregator_facts", "Facts written to Postgres, by table and outcome (inserted, duplicate)", ["table", "outcome"])
POSTGRES_ERRORS = Counter("hk_postgres_errors", "Attempts to reach or write Postgres that failed (each is retried), "
                          "by operation: batch, stored_offsets, alerts, windows, grafana_bound", ["service", "operation"])
AGGREGATOR_REDELIVERED = Counter("hk_aggregator_redelivered_events", "Events skipped by offset before any work: below where "
                                 "the partition's facts end in Postgres (source_offsets)", ["topic"])
AGGREGATOR_OFFSET_HOLES = Counter("hk_aggregator_offset_holes", "Times an event arrived past offsets never delivered (a "
                                  "hole faust-streaming left); the partition is sought back and re-read", ["topic"])

FRESHNESS_SECONDS = Histogram(
    "hk_event_freshness_seconds", "From the broker's acknowledgement of an event to the commit of its facts in Postgres",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800, 3600))
CONSUMER_LAG = Gauge("hk_consumer_lag", "Messages between a partition's end and this worker's committed offset",
                     ["service", "topic", "partition"])
INFLUENCER_ROAS_7D = Gauge("hk_influencer_roas_7d", "7-day ROAS of the influencers with the most 7-day spend "
                           "(at most HK_ROAS_GAUGE_LIMIT series)", ["influencer_id"])
INFLUENCER_SPEND_7D = Gauge("hk_influencer_spend_7d", "7-day spend of the same influencers", ["influencer_id"])
ROAS_ALERTS = Counter("hk_roas_alerts", "ROAS alerts the detector fired or resolved", ["action"])
ALERT_EVENTS = Counter("hk_alert_events_published", "hk.alerts events published from the outbox")
ALERT_OUTBOX_AGE = Gauge("hk_alert_outbox_age_seconds", "Age of the oldest alert_outbox event not yet published to "
                         "hk.alerts (0 when none waits)")
ROAS_ALERT_OPEN = Gauge("hk_roas_alert_open", "Open ROAS alerts: the 7-day ROAS when the alert fired",
                        ["influencer_id", "brand"])
