"""What an import found: a bad row (not imported, dead-lettered) or a warning (imported, worth a look), each with
its file, line and column; ``cause`` is the message without its values, so the summary can count rows per cause
instead of printing 500 lines that say the same thing."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

VALUES = re.compile(r"'[^']*'|\"[^\"]*\"|-?\d[\d,.]*(e-?\d+)?")


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    column: str
    message: str
    raw: str = ""  # the row's text, for the dead-letter record

    @property
    def cause(self) -> str:
        return f"{self.column}: {VALUES.sub('…', self.message)}" if self.column else VALUES.sub("…", self.message)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.message}" if self.column else f"{self.file}:{self.line}: {self.message}"


@dataclass
class FileReport:
    table: str
    path: Path
    rows: int = 0
    events: int = 0
    orders: int = 0
    bad: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # columns, as written, that the table does not read
    missing: list[str] = field(default_factory=list)  # required columns the file lacks: none of its rows is read
    brands: Counter = field(default_factory=Counter)  # where the rows' brands came from → rows
    stated: Decimal | None = None    # revenue (tracking) or total payout (payouts) as the file states it
    imported: Decimal | None = None  # the same, as it will be imported (payouts: as the system derives them)


def by_cause(findings: list[Finding]) -> list[tuple[str, list[Finding]]]:
    """Findings grouped by cause, the most frequent first."""
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.cause, []).append(f)
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[1][0].line))
