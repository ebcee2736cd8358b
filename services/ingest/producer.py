"""kafka-python producer that returns only when the broker has acknowledged every event (acks=all)."""
from __future__ import annotations

import threading

from kafka import KafkaProducer
from kafka.errors import KafkaError

from ..common import topics
from ..common.events import dumps
from ..common.kafka_security import kafka_python
from ..common.settings import Settings


class BrokerUnavailable(RuntimeError):
    """The broker did not acknowledge in time; nothing may be reported as accepted."""


class EventProducer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._producer: KafkaProducer | None = None
        self._lock = threading.Lock()

    def _get(self) -> KafkaProducer:
        with self._lock:
            if self._producer is None:
                timeout_ms = int(self.settings.produce_timeout_s * 1000)
                try:
                    self._producer = KafkaProducer(
                        bootstrap_servers=self.settings.kafka_bootstrap, acks="all", linger_ms=2,
                        max_block_ms=timeout_ms, request_timeout_ms=timeout_ms, retries=5,
                        bootstrap_timeout_ms=timeout_ms, delivery_timeout_ms=timeout_ms + 1000,
                        max_in_flight_requests_per_connection=1, client_id="hk-ingest",
                        **kafka_python(self.settings))
                except KafkaError as exc:
                    raise BrokerUnavailable(f"cannot reach Kafka at {self.settings.kafka_bootstrap}: {exc}") from exc
            return self._producer

    def send_all(self, events: list[dict]) -> None:
        """Send every event to its topic, keyed as DESIGN.md says, and wait for all acknowledgements."""
        producer = self._get()
        try:
            futures = []
            for event in events:
                topic, key_field = topics.ROUTES[event["type"]]
                futures.append(producer.send(self.settings.topic(topic), key=event[key_field].encode(), value=dumps(event)))
            producer.flush(timeout=self.settings.produce_timeout_s)
            for f in futures:
                f.get(timeout=self.settings.produce_timeout_s)
        except KafkaError as exc:
            raise BrokerUnavailable(f"Kafka did not acknowledge the events ({type(exc).__name__}: {exc}); "
                                    "nothing was accepted, retry the whole request") from exc

    def close(self) -> None:
        with self._lock:
            if self._producer is not None:
                self._producer.close(timeout=5)
                self._producer = None
