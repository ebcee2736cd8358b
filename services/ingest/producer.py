"""A librdkafka producer (confluent-kafka) whose ``send_all`` returns only when the broker has acknowledged
every event of a request (acks=all).

Why librdkafka: on this 2-core machine a kafka-python send loop tops out near 10k events/s of one core,
librdkafka near 200k/s (bench/baselines.py measures the former in every ingest benchmark). Delivery reports
are served by one poll thread; each request waits on one asyncio future, resolved when its last event is
acknowledged (or any fails), so the event loop never blocks on Kafka.
"""
from __future__ import annotations

import asyncio
import logging
import threading

from confluent_kafka import KafkaException, Producer

from ..common import topics
from ..common.events import dumps
from ..common.kafka_security import librdkafka
from ..common.settings import Settings


class BrokerUnavailable(RuntimeError):
    """The broker did not acknowledge in time; nothing may be reported as accepted."""


class EventProducer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._producer: Producer | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()  # of the current producer's poll thread

    def _get(self) -> Producer:
        with self._lock:
            if self._producer is None:
                self._producer = Producer({
                    "bootstrap.servers": self.settings.kafka_bootstrap, "client.id": "hk-ingest",
                    # idempotence: retries neither duplicate nor reorder a customer's events (a click stays
                    # ahead of the order that follows it) with several requests in flight
                    "acks": "all", "enable.idempotence": True, "linger.ms": 2,
                    # the Java client's partitioner (murmur2), as kafka-python (hk import) and aiokafka use: a customer's
                    # events reach the same partition, and so the same attribution state, whoever sends them;
                    # librdkafka's default (CRC32) put a refund sent here on another partition than its imported order
                    "partitioner": "murmur2_random",
                    "message.timeout.ms": int(self.settings.produce_timeout_s * 1000),
                    **librdkafka(self.settings)}, logger=logging.getLogger("librdkafka"))
                self._stop = threading.Event()
                threading.Thread(target=self._serve_reports, args=(self._producer, self._stop), name="kafka-delivery-reports",
                                 daemon=True).start()
            return self._producer

    @staticmethod
    def _serve_reports(producer: Producer, stop: threading.Event) -> None:
        while not stop.is_set():
            producer.poll(0.05)

    async def send_all(self, events: list[dict]) -> None:
        """Send every event to its topic, keyed as DESIGN.md says, and wait for all acknowledgements."""
        producer = self._get()
        loop = asyncio.get_running_loop()
        done: asyncio.Future = loop.create_future()
        waiting, failures, lock = [len(events) + 1], [], threading.Lock()  # +1: held until every event is queued

        def delivered(error, _message=None) -> None:  # on the poll thread, or here for the +1
            with lock:
                if error is not None:
                    failures.append(error)
                waiting[0] -= 1
                last = waiting[0] == 0
            if last:
                loop.call_soon_threadsafe(_finish, done)

        try:
            for event in events:
                topic, key_field = topics.ROUTES[event["type"]]
                producer.produce(self.settings.topic(topic), key=event[key_field].encode(), value=dumps(event),
                                 on_delivery=delivered)
        except (BufferError, KafkaException) as exc:
            raise BrokerUnavailable(f"Kafka cannot take the events now ({type(exc).__name__}: {exc}); "
                                    "nothing was accepted, retry the whole request") from exc
        delivered(None)
        try:
            await asyncio.wait_for(done, self.settings.produce_timeout_s + 1)
        except asyncio.TimeoutError:
            failures.append("no delivery report in time")
        if failures:
            raise BrokerUnavailable(f"cannot reach Kafka at {self.settings.kafka_bootstrap}, or it did not acknowledge "
                                    f"the events in time ({failures[0]}); nothing was accepted, retry the whole request")

    def close(self) -> None:
        with self._lock:
            if self._producer is not None:
                self._producer.flush(5)
                self._stop.set()
                self._producer = None


def _finish(done) -> None:
    """Resolves the batch's future once (a late callback after a timeout finds it done)."""
    if not done.done():
        done.set_result(None)
