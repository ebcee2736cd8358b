"""Which file holds which of the old dashboard's four tables. Teams name them their own way (every published
set names its tracking file ``tracking_data.csv``), so a table is found by its name or a name that starts with
it, or given outright (``--tracking FILE``); every CSV that no table takes is listed, never skipped in silence."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

TABLES = ("influencers.csv", "payouts.csv", "posts.csv", "tracking.csv")  # people and contracts before facts


@dataclass
class Found:
    paths: dict[str, Path] = field(default_factory=dict)  # table → the file read as it, in TABLES order
    unread: list[Path] = field(default_factory=list)       # CSVs in the directory that no table took


def find(directory: Path | None, given: dict[str, Path | None] | None = None) -> Found:
    """The file of each table: ``given`` first, else ``<table>.csv`` in ``directory``, else the one CSV whose name
    starts with the table's (``tracking_data.csv``); two such candidates are an error that names them."""
    named = {t: Path(p) for t, p in (given or {}).items() if p}
    for table, path in named.items():
        if not path.is_file():
            raise SystemExit(f"hk import: --{table[:-4]} {path}: no such file")
    csvs = sorted(p for p in directory.iterdir() if p.is_file() and p.suffix.lower() == ".csv") if directory else []
    taken = set(named.values())
    found: dict[str, Path] = {}
    for table in TABLES:
        if table in named:
            found[table] = named[table]
            continue
        stem = table[:-4]
        free = [p for p in csvs if p not in taken]
        candidates = [p for p in free if p.stem.lower() == stem] or [p for p in free if p.stem.lower().startswith(stem)]
        if len(candidates) > 1:
            raise SystemExit(f"hk import: {', '.join(p.name for p in candidates)} could each be the {stem} table; "
                             f"name one with --{stem} FILE")
        if candidates:
            found[table] = candidates[0]
            taken.add(candidates[0])
    return Found(found, [p for p in csvs if p not in taken])
