"""``hk import``: the old dashboard's CSV files → events on Kafka, so imported history and live events land in
the same tables through the same workers. Everything is decided first (plan.py); a bad row is reported with its
file and line, sent to the dead-letter topic, and the rest goes on; re-importing the same files changes nothing."""
from __future__ import annotations

import logging
import sys
from pathlib import Path

from kafka import KafkaProducer
from kafka.errors import KafkaError
from tqdm import tqdm

from ..common import topics
from ..common.dead_letter import record
from ..common.events import FieldError, InvalidEvent, dumps
from ..common.kafka_security import kafka_python
from ..common.settings import Settings
from .findings import Finding
from .mapping import Mapping
from .plan import Plan, make_plan

log = logging.getLogger(__name__)


def import_dir(settings: Settings, directory: Path | None, brands: list[str] | None = None,
               valid_from: str = "2000-01-01", progress: bool | None = None,
               given: dict[str, Path | None] | None = None, mapping: Mapping | None = None,
               dry_run: bool = False) -> Plan:
    """Import the four tables found in ``directory`` (or ``given`` as table → file), or with ``dry_run`` only
    decide what would be imported; the plan says which file was read as which table and what was found."""
    plan = make_plan(settings, directory, given, mapping, brands, valid_from)
    if not dry_run:
        send(settings, plan, progress)
    return plan


def send(settings: Settings, plan: Plan, progress: bool | None = None) -> None:
    """Every event of the plan, and every bad row to the dead-letter topic, acknowledged by Kafka (acks=all)."""
    try:
        producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all", linger_ms=20, retries=5,
                                 max_in_flight_requests_per_connection=1, client_id="hk-import",
                                 bootstrap_timeout_ms=30_000, **kafka_python(settings))
    except KafkaError as exc:
        raise SystemExit(f"hk import: cannot reach Kafka at {settings.kafka_bootstrap}: {exc}") from None
    futures = []
    try:
        for bad in plan.bad_rows:
            futures.append(_dead_letter(producer, settings, bad))
        with tqdm(total=len(plan.events), unit="event", disable=None if progress is None else not progress,
                  file=sys.stderr) as bar:
            for event in plan.events:
                topic, key = topics.ROUTES[event["type"]]
                futures.append(producer.send(settings.topic(topic), key=event[key].encode(), value=dumps(event)))
                bar.update(1)
        producer.flush()
        for f in futures:
            f.get(timeout=30)
    except KafkaError as exc:
        raise SystemExit(f"hk import: Kafka did not acknowledge every event ({exc}); nothing is lost by "
                         "importing the same files again") from None
    finally:
        producer.close(timeout=10)


def _dead_letter(producer, settings: Settings, bad: Finding):
    error = InvalidEvent("invalid_csv_row", [FieldError(bad.column, f"{bad.column}: {bad.message}" if bad.column
                                                        else bad.message)])
    # The file's own bytes, also those that are not UTF-8 (read() kept them as surrogates).
    return producer.send(settings.topic(topics.DEAD_LETTER), key=f"{bad.file}:{bad.line}".encode(),
                         value=record("import", error, topic=f"file:{bad.file}", partition=None, offset=bad.line,
                                      key=None, value=bad.raw.encode(errors="surrogateescape")))
