"""``hk import DIR``: the seed's CSV files → events on Kafka, so imported history and live events land in
the same tables through the same workers. A bad row is reported with its file and line, sent to the
dead-letter topic, and the rest goes on; re-importing the same files changes nothing."""
from __future__ import annotations

import csv
import logging
import re
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
from .files import TABLES, find
from .headers import normalised

log = logging.getLogger(__name__)
ORDER = TABLES
FIELD_LIMIT = csv.field_size_limit()  # csv refuses a longer field (131,072 characters): here, one bad row
NOT_UTF8 = re.compile("[\udc80-\udcff]")  # what errors="surrogateescape" makes of a byte that is not UTF-8
CSV_SPECIAL = re.compile(r'[",\r\n]')  # the characters that shape a record in csv's default dialect


@dataclass
class Outcome:
    rows: int = 0
    events: int = 0
    orders: int = 0  # order events from the tracking table
    bad: list[str] = field(default_factory=list)  # "file:line: column: message"
    read: dict[str, Path] = field(default_factory=dict)  # table → the file read as it
    unread: list[Path] = field(default_factory=list)     # CSVs in the directory that no table took
    ignored: dict[str, list[str]] = field(default_factory=dict)  # file → its columns that no table reads


def read(path: Path, table: str | None = None) -> tuple[list[tuple[int, dict | r.RowError, str]], list[str], list[str]]:
    """(line number, row, raw text) for every data row of ``table`` (by default the file's own name), keyed by the
    seed's column names whatever the header's case or alias; the missing required columns; the columns not read.
    A row with bytes that are not UTF-8, or with a field longer than FIELD_LIMIT, comes as the RowError that says so."""
    table = table or path.name
    with path.open(newline="", encoding="utf-8-sig", errors="surrogateescape") as f:
        lines = _Lines(f)
        reader = csv.reader(lines)
        try:
            header, unread = normalised(table, next(reader, []))
        except csv.Error:  # a header field too long to read: no column is there
            header, unread = [], []
        missing = [c for c in r.COLUMNS[table] if c not in header and c not in r.OPTIONAL]
        if missing:
            return [], missing, unread
        out = []
        while True:
            line = lines.start_record()  # a record may span lines (quoted newlines)
            try:
                values = next(reader)
            except StopIteration:
                return out, [], unread
            except csv.Error as exc:
                out.append((line, *_unreadable(lines, header, exc)))
                continue
            if any(v.strip() for v in values):
                row = dict(zip(header, values))
                out.append((line, _not_utf8(row, r.COLUMNS[table]) or row, ",".join(values)))


class _Lines:
    """The file's lines for csv.reader, numbered, keeping those of the record being read."""

    def __init__(self, f) -> None:
        self.f, self.number, self.record = f, 0, []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self.f)
        self.number += 1
        self.record.append(line)
        return line

    def start_record(self) -> int:
        """The number of the line the next record starts on."""
        self.record = []
        return self.number + 1

    def skip(self) -> str | None:
        """The next line, counted but not kept: the rest of a record already refused."""
        line = next(self.f, None)
        self.number += line is not None
        return line


class _RecordShape:
    """Follows csv's default dialect over a record only as far as where the record ends and which field first
    grows longer than FIELD_LIMIT: csv, when it raises on such a field, forgets where in the record it was."""

    def __init__(self) -> None:
        self.field = self.length = 0
        self.long_field: int | None = None
        self.state = "start"  # start, plain, quoted, or closing (a quote in a quoted field: its end, or "")

    def feed(self, line: str) -> bool:
        """True when the record ends with this line."""
        at = 0
        for special in CSV_SPECIAL.finditer(line):
            self._text(special.start() - at)
            at, char = special.end(), special.group()
            if self.state == "quoted":
                if char == '"':
                    self.state = "closing"
                else:
                    self._text(1)
            elif char == '"' and self.state in ("start", "closing"):
                if self.state == "closing":  # "" in a quoted field is one quote of its text
                    self._text(1)
                self.state = "quoted"
            elif char == '"':  # within an unquoted field, a quote is text
                self._text(1)
            elif char == ",":
                self.field, self.length, self.state = self.field + 1, 0, "start"
            else:
                return True
        self._text(len(line) - at)
        return False

    def _text(self, n: int) -> None:
        if n:
            self.length += n
            self.state = "quoted" if self.state == "quoted" else "plain"
            if self.long_field is None and self.length > FIELD_LIMIT:
                self.long_field = self.field


def _unreadable(lines: _Lines, header: list[str], exc: csv.Error) -> tuple[r.RowError, str]:
    """The record csv gave up on, as its RowError and raw text; its remaining lines are skipped, so that the
    next row is read from its own start."""
    raw, shape, ended = "".join(lines.record), _RecordShape(), False
    for text in lines.record:
        ended = shape.feed(text)
    while not ended and (text := lines.skip()) is not None:
        ended = shape.feed(text)
    if shape.long_field is None:
        return r.RowError("", f"unreadable row: {exc}"), raw
    column = header[shape.long_field] if shape.long_field < len(header) else f"column {shape.long_field + 1}"
    return r.RowError(column, f"is longer than {FIELD_LIMIT:,} characters"), raw


def _not_utf8(row: dict, columns: tuple[str, ...]) -> r.RowError | None:
    for column in columns:
        if byte := NOT_UTF8.search(row.get(column) or ""):
            return r.RowError(column, f"has a byte that is not UTF-8 ({ord(byte.group()) - 0xDC00:#04x}); "
                                      "save the file as UTF-8")
    return None


def brands_of(files: dict[str, list]) -> list[str]:
    return sorted({brand for name in ("posts.csv", "tracking.csv") for _, row, _ in files.get(name, [])
                   if isinstance(row, dict) and (brand := (row.get("brand") or "").strip())})


def import_dir(settings: Settings, directory: Path | None, brands: list[str] | None = None,
               valid_from: str = "2000-01-01", progress: bool | None = None,
               given: dict[str, Path | None] | None = None) -> Outcome:
    """Import the four tables found in ``directory`` (or ``given`` as table → file); the outcome says which file
    was read as which table and which CSVs were not read."""
    found = find(directory, given)
    tz, outcome = ZoneInfo(settings.business_tz), Outcome(read=found.paths, unread=found.unread)
    files = {}
    for name, path in found.paths.items():
        rows, missing, unread = read(path, name)
        if unread:
            outcome.ignored[path.name] = unread
        if missing:
            outcome.bad.append(f"{path.name}: missing column(s) {', '.join(missing)}; expected {', '.join(r.COLUMNS[name])}")
        files[name] = rows
    if not files:
        raise SystemExit(f"hk import: no file in {directory} is one of the tables {', '.join(ORDER)} (or starts "
                         "with its name); name them with --influencers/--posts/--tracking/--payouts FILE")
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
                observed = datetime.fromtimestamp(int(found.paths[name].stat().st_mtime), timezone.utc).isoformat()
                seen: dict[tuple, int] = {}
                for line, row, raw in rows:
                    outcome.rows += 1
                    bar.update(1)
                    try:
                        if isinstance(row, r.RowError):  # read() could not make a row of it
                            raise row
                        events = _events(name, row, tz, settings.currency, observed, seen, brands, start)
                    except (ValueError, ArithmeticError) as exc:  # RowError, or a value no rule foresaw
                        exc = exc if isinstance(exc, r.RowError) else r.RowError("", f"unreadable row: {exc}")
                        _dead_letter(producer, settings, found.paths[name].name, line, raw, exc)
                        outcome.bad.append(f"{found.paths[name].name}:{line}: {exc}")
                        continue
                    for event in events:
                        topic, key = topics.ROUTES[event["type"]]
                        futures.append(producer.send(settings.topic(topic), key=event[key].encode(), value=dumps(event)))
                    outcome.events += len(events)
                    outcome.orders += sum(e["type"] == "order" for e in events)
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
    # The file's own bytes, also those that are not UTF-8 (read() kept them as surrogates).
    producer.send(settings.topic(topics.DEAD_LETTER), key=f"{name}:{line}".encode(),
                  value=record("import", error, topic=f"file:{name}", partition=None, offset=line,
                               key=None, value=raw.encode(errors="surrogateescape")))
