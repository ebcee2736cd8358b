"""The CSV files as rows: line numbers true to the file (quoted newlines, blank lines), headers as the seed's
column names, and each record csv or UTF-8 cannot read as one RowError, never a stopped import."""
from __future__ import annotations

import csv
import re
from pathlib import Path

from . import rows as r
from .headers import normalised

FIELD_LIMIT = csv.field_size_limit()  # csv refuses a longer field (131,072 characters): here, one bad row
NOT_UTF8 = re.compile("[\udc80-\udcff]")  # what errors="surrogateescape" makes of a byte that is not UTF-8
CSV_SPECIAL = re.compile(r'[",\r\n]')  # the characters that shape a record in csv's default dialect


Rows = list[tuple[int, "dict | r.RowError", str]]  # (line number, row or why it is unreadable, raw text)


def read(path: Path, table: str | None = None, mapped: dict[str, str] | None = None) -> tuple[Rows, list[str], list[str]]:
    """(line number, row, raw text) for every data row of ``table`` (by default the file's own name), keyed by the
    seed's column names whatever the header's case or alias; the missing required columns; the columns not read.
    A row with bytes that are not UTF-8, or with a field longer than FIELD_LIMIT, comes as the RowError that says so."""
    table = table or path.name
    with path.open(newline="", encoding="utf-8-sig", errors="surrogateescape") as f:
        lines = _Lines(f)
        reader = csv.reader(lines)
        try:
            header, unread = normalised(table, next(reader, []), mapped)
        except csv.Error:  # a header field too long to read: no column is there
            header, unread = [], []
        missing = [c for c in r.COLUMNS[table] if c not in header and c not in r.OPTIONAL]
        if missing:
            return [], missing, unread
        out: Rows = []
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
                row = dict(zip(header, values, strict=False))  # a row longer or shorter than the header: paired as far as both go
                out.append((line, _not_utf8(row, r.COLUMNS[table]) or row, ",".join(values)))


class _Lines:
    """The file's lines for csv.reader, numbered, keeping those of the record being read."""

    def __init__(self, f) -> None:
        self.f, self.number = f, 0
        self.record: list[str] = []

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
    while not ended and (rest := lines.skip()) is not None:
        ended = shape.feed(rest)
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
