"""The summary that ends every import and is all a dry run does: per file, rows read, events, bad rows by cause,
warnings, where brands came from, columns not read; revenue and payouts as the files state them and as they will
be imported. The report directory holds every finding and the payouts reconciliation as CSV."""
from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from ..reports.export import cell
from . import checks
from .findings import FileReport, by_cause
from .plan import Plan

LINES_SHOWN = 10  # line numbers listed per cause; the rest are in findings.csv


def text(plan: Plan, sent: bool) -> str:
    out = []
    for table, f in plan.files.items():
        out.append(f"{f.path.name} (read as {table[:-4]}): {f.rows} rows, {f.events} events"
                   + (f" ({f.orders} orders)" if f.orders else "") + f", {len(f.bad)} bad, {_count(len(f.warnings), 'warning')}")
        if f.missing:
            out.append(f"  refused: missing column(s) {', '.join(f.missing)}")
        if f.ignored:
            out.append(f"  columns not read: {', '.join(f.ignored)}")
        if f.brands and set(f.brands) != {"the row"}:
            out.append("  brands from: " + ", ".join(f"{source} {n}" for source, n in f.brands.most_common()))
        out += _grouped("bad", f.bad) + _grouped("warning", f.warnings) + _totals(f)
    out += [f"not read: {p.name} (not one of the four tables; name it with --influencers/--posts/--tracking/--payouts)"
            for p in plan.unread]
    warnings = sum(len(f.warnings) for f in plan.files.values())
    out.append(f"total: {plan.rows} rows, {len(plan.events)} events ({plan.orders} orders), {_count(len(plan.bad_rows), 'bad row')}"
               f"{' (sent to the dead-letter topic)' if sent else ''}, {_count(warnings, 'warning')}"
               + ("" if sent else "; dry run: nothing sent"))
    return "\n".join(out)


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}{'' if n == 1 else 's'}"


def _grouped(kind: str, findings: list) -> list[str]:
    """One line per cause with its count and first lines; a cause whose values differ row to row shows one row's."""
    out = []
    for cause, group in by_cause(findings):
        first, n = group[0], len(group)
        lines = ", ".join(str(f.line) for f in group[:LINES_SHOWN]) + (", …" if n > LINES_SHOWN else "")
        if n == 1:
            out.append(f"  {kind}: {first.column + ': ' if first.column else ''}{first.message} — 1 row (line {lines})")
        else:
            example = f"; e.g. line {first.line}: {first.message}" if "…" in cause else ""
            out.append(f"  {kind}: {cause} — {n} rows (lines {lines}){example}")
    return out


def _totals(f: FileReport) -> list[str]:
    if f.stated is None:
        return []
    assert f.imported is not None, "plan._totals sets a file's imported total with its stated one"
    what, how = ("revenue", "imported") if f.table == "tracking.csv" else ("payouts", "derived from the imported posts and orders")
    return [f"  {what}: the file states {_money(f.stated)}; {how}: {_money(f.imported)}"
            + (f" (difference {_money(f.stated - f.imported)})" if f.stated != f.imported else "")]


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}" if amount == amount.quantize(Decimal("0.01")) else f"{amount:,}"


def write_reports(plan: Plan, directory: Path) -> list[Path]:
    """findings.csv (every bad row and warning) and, with a payouts file, reconciliation.csv; text from the files
    is quoted as ``hk export`` quotes it, so a spreadsheet shows a formula-like name rather than runs it."""
    directory.mkdir(parents=True, exist_ok=True)
    written = [directory / "findings.csv"]
    with written[0].open("w", newline="", encoding="utf-8") as out:
        w = csv.writer(out)
        w.writerow(("file", "line", "kind", "column", "message"))
        for f in plan.files.values():
            w.writerows(tuple(map(cell, (x.file, x.line, kind, x.column, x.message)))
                        for kind, found in (("bad", f.bad), ("warning", f.warnings)) for x in found)
    if "payouts.csv" in plan.files:
        written.append(directory / "reconciliation.csv")
        with written[1].open("w", newline="", encoding="utf-8") as out:
            dw = csv.DictWriter(out, checks.RECONCILIATION)
            dw.writeheader()
            dw.writerows({k: cell(p[k]) for k in checks.RECONCILIATION} for p in plan.reconciliation)
    return written
