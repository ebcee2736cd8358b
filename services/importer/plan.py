"""Everything ``hk import`` will do, decided before anything is sent: each file read, mapped and checked, each
event built, each bad row and warning found, the payouts reconciled. ``--dry-run`` prints this plan; a real
import sends its events and prints the same summary."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

from ..common.processable import minor_unit
from ..common.settings import Settings
from . import checks
from . import rows as r
from .brands import Brands
from .build import Builder, warn
from .files import TABLES, find
from .findings import FileReport, Finding
from .mapping import Mapping
from .reader import read


@dataclass
class Plan:
    files: dict[str, FileReport] = field(default_factory=dict)  # table → what was found in its file, TABLES order
    unread: list[Path] = field(default_factory=list)            # CSVs in the directory that no table took
    events: list[dict] = field(default_factory=list)            # in TABLES order: people and contracts before facts
    bad_rows: list[Finding] = field(default_factory=list)
    reconciliation: list[dict] = field(default_factory=list)    # one per imported payouts row (checks.RECONCILIATION)

    @property
    def bad(self) -> list[str]:
        """A line per refused file and per bad row."""
        return [f"{f.path.name}: missing column(s) {', '.join(f.missing)}; expected {', '.join(r.COLUMNS[t])}"
                for t, f in self.files.items() if f.missing] + [str(b) for b in self.bad_rows]

    rows = property(lambda self: sum(f.rows for f in self.files.values()))
    orders = property(lambda self: sum(f.orders for f in self.files.values()))
    read = property(lambda self: {t: f.path for t, f in self.files.items()})
    ignored = property(lambda self: {f.path.name: f.ignored for f in self.files.values() if f.ignored})


def make_plan(settings: Settings, directory: Path | None, given: dict[str, Path | None] | None = None,
              mapping: Mapping | None = None, brands: list[str] | None = None, valid_from: str = "2000-01-01") -> Plan:
    mapping, found = mapping or Mapping(), find(directory, given)
    tz, currency, unit = ZoneInfo(settings.business_tz), settings.currency, minor_unit(settings.currency)
    plan, tables = Plan(unread=found.unread), {}
    for table, path in found.paths.items():
        rows, missing, ignored = read(path, table, mapping.columns.get(table))
        plan.files[table] = FileReport(table, path, missing=missing, ignored=ignored)
        tables[table] = rows
    if not tables:
        raise SystemExit(f"hk import: no file in {directory} is one of the tables {', '.join(TABLES)} (or starts "
                         "with its name); name them with --influencers/--posts/--tracking/--payouts FILE")
    dicts = {t: [row for _, row, _ in rows if isinstance(row, dict)] for t, rows in tables.items()}
    filler = Brands(mapping, brands or [], dicts.get("tracking.csv", []),
                    {b for row in dicts.get("posts.csv", []) if (b := (row.get("brand") or "").strip())})
    no_brand = {t: _fill_brands(filler, tables[t], plan.files[t]) if t in tables else {}
                for t in ("posts.csv", "tracking.csv")}
    # a payouts row names no brand: it pays for the influencer's posts and orders of every brand of the import
    contract_brands = sorted({*(brands or []), *(row["brand"] for t in no_brand for row in dicts.get(t, []) if row.get("brand"))})
    build = Builder(tz, currency, r.Platforms(settings.platforms, mapping), mapping, contract_brands,
                     datetime.fromisoformat(valid_from).replace(tzinfo=tz).isoformat())
    refused: dict[str, str] = {}  # influencer id → where and why its row was refused
    superseded = _superseded(tables.get("payouts.csv", []))
    imported = checks.Imported()
    payouts: list[dict] = []  # the payouts rows warn() collects, reconciled in _totals
    for table, rows in tables.items():
        report = plan.files[table]
        seen: dict[tuple[str, ...], int] = {}  # a row's identity → how many equal rows so far (Builder)
        orders_by_line: dict[int, int] = {}
        for line, row, raw in rows:
            report.rows += 1
            try:
                if isinstance(row, r.RowError):  # the reader could not make a row of it
                    raise row
                if table != "influencers.csv" and (owner := refused.get(iid := r.identifier(row.get("influencer_id")))):
                    raise r.RowError("influencer_id", f"{iid!r} was not imported ({owner})")
                if line in no_brand.get(table, {}):
                    raise r.RowError("brand", no_brand[table][line])
                if table == "payouts.csv" and (later := superseded.get(line)):
                    report.warnings.append(Finding(report.path.name, line, "influencer_id", later))
                    continue
                events = build(table, row, seen, report.path)
            except (ValueError, ArithmeticError) as exc:  # RowError, or a value no rule foresaw
                exc = exc if isinstance(exc, r.RowError) else r.RowError("", f"unreadable row: {exc}")
                plan.bad_rows.append(bad := Finding(report.path.name, line, exc.column, str(exc).split(": ", 1)[-1]
                                                    if exc.column else str(exc), raw))
                report.bad.append(bad)
                if table == "influencers.csv" and isinstance(row, dict) and (iid := r.identifier(row.get("id"))):
                    refused.setdefault(iid, f"{report.path.name}:{line}: {exc}")
                continue
            for event in events:
                imported.add(event)
            plan.events += events
            report.events += len(events)
            report.orders += (n := sum(e["type"] == "order" for e in events))
            warn(report, line, row, events, unit, payouts)
            if n:
                orders_by_line[line] = n
        for line, message in checks.outlier_orders(orders_by_line).items():
            report.warnings.append(Finding(report.path.name, line, "orders", message))
        if table == "influencers.csv":  # a refused row whose id another row imported leaves no orphan
            kept = {e["influencer_id"] for e in plan.events if e["type"] == "influencer"}
            refused = {iid: why for iid, why in refused.items() if iid not in kept}
    _totals(plan, tables, payouts, imported, unit)
    return plan


def _superseded(rows: list) -> dict[int, str]:
    """line → why it is not imported, for every payouts row of an influencer that a later row pays again: one
    contract applies per influencer and brand at a time, so the file's last word is the one imported."""
    last = {r.identifier(row.get("influencer_id")): line for line, row, _ in rows if isinstance(row, dict)}
    return {line: f"{iid!r} is paid again on line {last[iid]}: not imported, that later row is (one payout contract "
                  "applies to an influencer at a time)"
            for line, row, _ in rows if isinstance(row, dict) and (iid := r.identifier(row.get("influencer_id")))
            and last[iid] != line}


def _fill_brands(filler: Brands, rows: list, report: FileReport) -> dict[int, str]:
    """Gives each row without a brand the one ``filler`` finds, counting where brands came from; returns
    line → why there is none, for the rows left without."""
    missing = {}
    for line, row, _ in rows:
        if isinstance(row, dict):
            brand, source = filler.of(row)
            if brand:
                row["brand"] = brand
                report.brands[source] += 1
            else:
                missing[line] = source
    return missing


def _totals(plan: Plan, tables: dict, payouts: list[dict], imported: checks.Imported, unit: Decimal) -> None:
    """Revenue and payouts as the files state them beside what is imported; each payouts row reconciled."""
    if report := plan.files.get("tracking.csv"):
        report.stated = _stated(tables["tracking.csv"], "revenue", unit)
        report.imported = imported.total_revenue
    if report := plan.files.get("payouts.csv"):
        plan.reconciliation = [checks.reconcile(p, imported, unit) for p in payouts]
        report.stated = _stated(tables["payouts.csv"], "total_payout", unit)
        report.imported = sum((p["derived_payout"] for p in plan.reconciliation), Decimal(0))
        for p in plan.reconciliation:
            if p["difference"]:
                base = {"post": f"{p['posts']} posts", "order": f"{p['orders']} orders",
                        "revenue_share": f"revenue {p['revenue']}"}[p["basis"]]
                report.warnings.append(Finding(p["file"], p["line"], "total_payout", (
                    f"the file states {p['file_total_payout']}, the system derives {p['derived_payout']} "
                    f"({p['rate'].normalize():f} × {base} imported): a difference of {p['difference']}")))


def _stated(rows: list, column: str, unit: Decimal) -> Decimal:
    """The column's sum over every row whose value reads as a number, bad rows too: the file's own total, to the
    minor unit (a float's 5791.469999999999 is the 5791.47 it meant)."""
    total = Decimal(0)
    for _, row, _ in rows:
        try:
            value = Decimal((row.get(column) or "").strip().replace(",", "")) if isinstance(row, dict) else None
        except InvalidOperation:
            continue
        if value is not None and value.is_finite() and value.adjusted() < r.MAX_DIGITS:
            total += value
    return total.quantize(unit)
