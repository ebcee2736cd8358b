"""``hk export``: any report to CSV with the same filters as the boards (the seed's "download as CSV")."""
from __future__ import annotations

import csv
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO

from sqlalchemy import Engine

from .catalog import REPORTS, Filters, run, statement

# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value, *, raw: bool = False) -> str:
    """Text is what users wrote (names, captions, brands, products): it is quoted with a leading ``'`` so a
    spreadsheet shows it rather than runs it, unless ``raw``. Numbers and dates are ours: a negative
    amount stays a number."""
    if value is None:
        return ""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, str) and not raw and value.startswith(FORMULA_STARTS):
        return "'" + value
    return str(value)


def write_csv(engine: Engine, name: str, filters: Filters, out: IO[str], *, raw: bool = False) -> int:
    """Stream the report into ``out``; returns the number of data rows."""
    with engine.connect() as conn:
        result = run(conn, name, filters)
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(result.keys())
        n = 0
        for row in result:
            writer.writerow([cell(v, raw=raw) for v in row])
            n += 1
        return n


def export(engine: Engine, names: list[str], filters: Filters, output: str | None, *,
           raw: bool = False) -> dict[str, int]:
    """One report to a file or stdout; several (or ``all``) to ``<output>/<name>.csv``."""
    refuse_unknown(names)
    if names == ["all"]:
        names = [n for n in REPORTS if filters_fit(n, filters)]
    for name in names:  # a filter a report does not take is refused before any file is opened (no empty file left)
        statement(REPORTS[name], filters)
    if len(names) == 1 and (output is None or not Path(output).is_dir()):
        if output is None:
            return {names[0]: write_csv(engine, names[0], filters, sys.stdout, raw=raw)}
        with open(output, "w", newline="", encoding="utf-8") as f:
            return {names[0]: write_csv(engine, names[0], filters, f, raw=raw)}
    if output is None:
        raise SystemExit("several reports need -o DIRECTORY")
    Path(output).mkdir(parents=True, exist_ok=True)
    counts = {}
    for name in names:
        with open(Path(output) / f"{name}.csv", "w", newline="", encoding="utf-8") as f:
            counts[name] = write_csv(engine, name, filters, f, raw=raw)
    return counts


def refuse_unknown(names: list[str]) -> None:
    """Before any file exists: a name becomes ``<output>/<name>.csv``, so ``../x`` would land outside it."""
    unknown = [n for n in names if n not in REPORTS and n != "all"]
    if unknown:
        raise SystemExit(f"hk export: no report {', '.join(map(repr, unknown))}; hk export --list names them")
    if "all" in names and len(names) > 1:
        raise SystemExit("hk export: 'all' goes alone (hk export --list names the reports)")


def filters_fit(name: str, f: Filters) -> bool:
    """For ``all``: skip the reports a given filter does not apply to, rather than fail."""
    r = REPORTS[name]
    return not ((f.date_from or f.date_to or f.platforms) and not r.dated or f.limit and not r.limit
                or f.min_spend is not None and not r.min_spend or f.window and not r.window)
