"""``hk import DIR``: the seed's CSV files → events on Kafka, so imported history and live events land in
the same tables through the same workers. A bad row is reported with its file and line, sent to the
dead-letter topic, and the rest goes on; re-importing the same files changes nothing."""
from __future__ import annotations

import csv
import logging
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from kafka import KafkaProducer
from kafka.errors import KafkaError
from tqdm import tqdm

from ..common import topics
from ..common.dead_letter import record
from ..common.events import InvalidEvent, FieldError, dumps
from ..common.kafka_security import kafka_python
from ..common.settings import Settings
from . import rows as r

log = logging.getLogger(__name__)
ORDER = ("influencers.csv", "payouts.csv", "posts.csv", "tracking.csv")  # people and contracts before facts


@dataclass
class Outcome:
    rows: int = 0
    events: int = 0
    bad: list[str] = field(default_factory=list)  # "file:line: column: message"


def read(path: Path) -> tuple[list[tuple[int, dict, str]], list[str]]:
    """(line number, row, raw text) for every data row; the missing required columns, if any."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = [h.strip() for h in next(reader, [])]
        missing = [c for c in r.COLUMNS[path.name] if c not in header and c not in r.OPTIONAL]
        if missing:
            return [], missing
        out, start = [], reader.line_num + 1
        for values in reader:  # a record may span lines (quoted newlines): it starts where the last one ended
            line, start = start, reader.line_num + 1
            if any(v.strip() for v in values):
                out.append((line, dict(zip(header, values)), ",".join(values)))
        return out, []


def brands_of(files: dict[str, list]) -> list[str]:
    return sorted({(row.get("brand") or "").strip() for name in ("posts.csv", "tracking.csv")
                   for _, row, _ in files.get(name, []) if (row.get("brand") or "").strip()})


def import_dir(settings: Settings, directory: Path, brands: list[str] | None = None,
               valid_from: str = "2000-01-01", progress: bool | None = None) -> Outcome:
    tz, outcome = ZoneInfo(settings.business_tz), Outcome()
    files = {}
    for name in ORDER:
        path = directory / name
        if not path.exists():
            continue
        rows, missing = read(path)
        if missing:
            outcome.bad.append(f"{name}: missing column(s) {', '.join(missing)}; expected {', '.join(r.COLUMNS[name])}")
        files[name] = rows
    if not files:
        raise SystemExit(f"hk import: none of {', '.join(ORDER)} in {directory}")
    brands = brands or brands_of(files)
    start = datetime.fromisoformat(valid_from).replace(tzinfo=tz).isoformat()
    try:
        producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all", linger_ms=20, retries=5,
                                 max_in_flight_requests_per_connection=1, client_id="hk-import",
                                 bootstrap_timeout_ms=30_000, **kafka_python(settings))
    except KafkaError as exc:
        raise SystemExit(f"hk import: cannot reach Kafka at {settings.kafka_bootstrap}: {exc}") from None
    futures = []
    try:
        with tqdm(total=sum(map(len, files.values())), unit="row", disable=None if progress is None else not progress,
                  file=sys.stderr) as bar:
            for name, rows in files.items():
                observed = datetime.fromtimestamp(int((directory / name).stat().st_mtime), timezone.utc).isoformat()
                seen: dict[tuple, int] = {}
                for line, row, raw in rows:
                    outcome.rows += 1
                    bar.update(1)
                    try:
                        events = _events(name, row, tz, settings.currency, observed, seen, brands, start)
                    except (ValueError, ArithmeticError) as exc:  # RowError, or a value no rule foresaw
                        exc = exc if isinstance(exc, r.RowError) else r.RowError("", f"unreadable row: {exc}")
                        _dead_letter(producer, settings, name, line, raw, exc)
                        outcome.bad.append(f"{name}:{line}: {exc}")
                        continue
                    for event in events:
                        topic, key = topics.ROUTES[event["type"]]
                        futures.append(producer.send(settings.topic(topic), key=event[key].encode(), value=dumps(event)))
                    outcome.events += len(events)
        producer.flush()
        for f in futures:
            f.get(timeout=30)
    except KafkaError as exc:
        raise SystemExit(f"hk import: Kafka did not acknowledge every event ({exc}); nothing is lost by "
                         "importing the same files again") from None
    finally:
        producer.close(timeout=10)
    return outcome


def _events(name, row, tz, currency, observed, seen, brands, start) -> list[dict]:
    if name == "influencers.csv":
        return r.influencer(row, tz, currency)
    if name == "posts.csv":
        return r.post(row, tz, currency, observed)
    if name == "payouts.csv":
        return r.payout(row, tz, currency, brands, start)
    identity = tuple((row.get(c) or "").strip() for c in r.COLUMNS["tracking.csv"])
    seen[identity] = seen.get(identity, 0) + 1
    return r.tracking(row, tz, currency, seen[identity])


def _dead_letter(producer, settings: Settings, name: str, line: int, raw: str, exc: r.RowError) -> None:
    error = InvalidEvent("invalid_csv_row", [FieldError(exc.column, str(exc))])
    producer.send(settings.topic(topics.DEAD_LETTER), key=f"{name}:{line}".encode(),
                  value=record("import", error, topic=f"file:{name}", partition=None, offset=line,
                               key=None, value=raw.encode()))
