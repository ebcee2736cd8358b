"""Back-pressure at the door: the ingest refuses (503 + Retry-After) instead of buffering without bound.

- Kafka slow: at most ``ingest_max_inflight`` requests wait for acknowledgements; the next is refused at
  once rather than queued in memory.
- Postgres (or a worker) slow: Kafka is the buffer, and it is bounded too. A thread reads the workers'
  consumer-group lag every ``lag_check_seconds``; above ``ingest_max_lag`` new events are refused until
  the workers catch up (the same reading is exported per group and topic for the operators' alerts, and
  is taken even when ``ingest_max_lag`` is 0). If the lag cannot be read, nothing is refused on that account (the producer's
  own timeout answers for an unreachable broker).
"""
from __future__ import annotations

import logging
import threading

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

from ..common import topics
from ..common.kafka_security import kafka_python
from ..common.metrics import INGEST_PIPELINE_LAG, SOURCE_END_OFFSETS, SOURCE_LAG
from ..common.settings import Settings

log = logging.getLogger(__name__)


class LagGuard:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.lag: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lag-guard", daemon=True)

    def start(self) -> "LagGuard":
        # read even when nothing is shed (ingest_max_lag 0): the operators' lag and freshness alerts need it
        self._thread.start()
        return self

    def behind(self) -> tuple[str, int] | None:
        """The worker furthest behind, if it is over the limit."""
        if not self.settings.ingest_max_lag or not self.lag:
            return None
        worker, lag = max(self.lag.items(), key=lambda kv: kv[1])
        return (worker, lag) if lag > self.settings.ingest_max_lag else None

    def _run(self) -> None:
        admin = consumer = None
        while not self._stop.wait(self.settings.lag_check_seconds):
            try:
                if admin is None:
                    options = {"bootstrap_servers": self.settings.kafka_bootstrap, **kafka_python(self.settings)}
                    admin, consumer = KafkaAdminClient(client_id="hk-ingest-lag", **options), KafkaConsumer(**options)
                self.lag = self.read(admin, consumer)
                for worker, lag in self.lag.items():
                    INGEST_PIPELINE_LAG.labels(worker).set(lag)
            except Exception as exc:  # noqa: BLE001 — the guard must outlive any error; it then sheds nothing
                log.warning("consumer lag not read (%s); not shedding load on that account", exc)
                self.lag = {}
                SOURCE_LAG.clear()  # no figure rather than a frozen one
                SOURCE_END_OFFSETS.clear()
        for client in (admin, consumer):
            if client is not None:
                client.close()

    def read(self, admin: KafkaAdminClient, consumer: KafkaConsumer) -> dict[str, int]:
        """Each worker group's lag in all; per group and topic, its lag and the topic's end offsets are exported
        for the operators' alerts (they move while a worker is down, when its own gauges are gone)."""
        lag: dict[str, int] = {}
        per_topic: dict[tuple[str, str], list[int]] = {}
        for (worker, tp), (committed, end) in positions(self.settings, admin, consumer).items():
            lag[worker] = lag.get(worker, 0) + max(end - committed, 0)
            sums = per_topic.setdefault((worker, tp.topic), [0, 0])
            sums[0] += max(end - committed, 0)
            sums[1] += end
        for (worker, topic), (behind, end) in per_topic.items():
            SOURCE_LAG.labels(worker, topic).set(behind)
            SOURCE_END_OFFSETS.labels(worker, topic).set(end)
        return lag

    def close(self) -> None:
        self._stop.set()


def positions(settings: Settings, admin: KafkaAdminClient, consumer: KafkaConsumer) -> dict[tuple[str, TopicPartition], tuple[int, int]]:
    """(worker, partition) → (committed offset, end offset) for every partition each worker group reads.
    A group that never committed has read nothing: its committed offset counts as 0."""
    out = {}
    for worker, names in topics.CONSUMERS.items():
        group = f"{settings.app_id}-{worker}"
        committed = admin.list_group_offsets({group: None}).get(group, {})
        parts = [TopicPartition(settings.topic(n), p) for n in names for p in (consumer.partitions_for_topic(settings.topic(n)) or ())]
        for tp, end in (consumer.end_offsets(parts) if parts else {}).items():
            out[(worker, tp)] = (max(committed[tp].offset if tp in committed else 0, 0), end)
    return out
