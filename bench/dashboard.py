"""``hk bench dashboard``: every SQL query of every Grafana board, expanded as Grafana expands it and run as the
read-only hk_grafana role, for the default 30-day range and a 365-day range ending now, with every variable at
"All" and with one brand chosen (the drill-down on the busiest influencer), beside two baselines measured in the
same run: the same panel SQL over ``raw`` views that GROUP BY the fact tables at every read (no rollups), and the
old Streamlit dashboard's pandas recomputation from CSV. Figures are named by size and configuration
(``dashboard.10M.30d_all.…``), so runs at several sizes sit side by side."""
from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from services.aggregator.migrate import migrate
from services.common.db import make_engine, sqlalchemy_url
from services.common.settings import Settings

from . import dashboard_data as data
from .timing import print_table, time_call, time_query

CONCURRENCY = 6  # panels Grafana runs at once: a browser's connections per host, well under the datasource pool
RAW_REPEAT = 1   # the baseline takes seconds to minutes a query at 10M lines: one timed run, which is also the equality check
ONE_BRAND = "MuscleBlaze"
CONFIGS = {"30d_all": (30, None), "30d_one": (30, ONE_BRAND), "365d_all": (365, None), "365d_one": (365, ONE_BRAND)}
PANEL_P95_MS, SPEEDUP, BOARD_MS = 100, 30, 1000  # the targets: each panel, its speed-up over raw, a whole board


def load(engine, lines: int, influencers: int, days: int) -> float:
    started = time.perf_counter()
    params = {"lines": lines, "influencers": influencers, "days": days, "posts": max(1, lines // 5)}
    with engine.begin() as conn:
        for table in data.UNLOGGED:
            conn.execute(text(f"ALTER TABLE {table} SET UNLOGGED"))
        for sql in data.statements(data.FACTS) + data.statements(data.RAW) + data.statements(data.ROLLUPS):
            conn.execute(text(sql), params)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))  # what autovacuum would have done: statistics and visibility map
        counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in data.COUNTED}
    load_s = time.perf_counter() - started
    print(f"loaded {lines:,} order lines, {influencers:,} influencers, {days} days in {load_s:.0f}s: "
          + ", ".join(f"{t} {n:,}" for t, n in counts.items()), flush=True)
    return load_s


def busiest(engine) -> str:
    with engine.connect() as conn:
        return conn.execute(text(data.BUSIEST)).scalar_one()


def board_queries(reader, start: datetime, end: datetime, busiest: str,
                  brand: str | None = None) -> dict[str, list[tuple[str, str]]]:
    """(title, SQL) per board: its variable queries first (Grafana resolves them before the panels); the drill-down
    shows ``busiest``; ``brand``: that brand chosen instead of "All"."""
    from services.dashboards.build import BOARDS, render
    from services.dashboards.expand import expand, targets
    boards = {}
    with reader.connect() as conn:
        for name in BOARDS:
            board = json.loads(render(name))
            variables = board.get("templating", {}).get("list", [])
            # a multi-value variable at "All"; a single-value one at its default (the drill-down's influencer below)
            values = {v["name"]: [v["current"]["value"]] if not v.get("multi") and "current" in v
                      else [r[0] for r in conn.execute(text(v["query"]))] for v in variables}
            if "influencer" in values:  # one influencer chosen, as a marketer drilling down would: the busiest
                values["influencer"] = [busiest]
            if brand and "brand" in values:
                values["brand"] = [brand]
            panels = [(panel["title"], expand(sql, start, end, values)) for panel, sql in targets(board)]
            if panels:  # the pipeline board reads Prometheus only
                boards[name] = [(f"variable: {v['name']}", v["query"]) for v in variables] + panels
    return boards


def whole_board(reader, queries: list[tuple[str, str]], repeat: int) -> tuple[float, float, float]:
    """p50 of the board run sequentially on one connection, p95 of that, and p50 of the wall time with the
    variable queries then the panels each run CONCURRENCY at a time, as Grafana does."""
    variables = [sql for title, sql in queries if title.startswith("variable: ")]
    panels = [sql for title, sql in queries if not title.startswith("variable: ")]
    with reader.connect() as conn:
        seq = time_call(lambda: [conn.execute(text(sql)).all() for sql in variables + panels], repeat)

    def one(sql):
        with reader.connect() as c:
            return c.execute(text(sql)).all()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        conc = time_call(lambda: (list(pool.map(one, variables)), list(pool.map(one, panels))), repeat)
    return seq[0], seq[1], conc[0]


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")


ROLLUPS = {"influencer_daily", "daily_totals", "rolling_sums", "contract_windows", "contract_rates", "model_daily", "model_windows",
           "model_totals"}


SCANS = text("SELECT relname, seq_scan + coalesce(idx_scan, 0) FROM pg_stat_xact_user_tables")


def tables_read(engine, sql: str) -> set[str]:
    """The tables a query scanned, functions' bodies included (an EXPLAIN stops at a PL/pgSQL function). The
    counts are read before and after: since Postgres 15 the xact view also holds a backend's earlier
    transactions until its statistics are flushed."""
    with engine.begin() as conn:
        before = dict(conn.execute(SCANS).all())
        conn.execute(text(sql)).all()
        return {t for t, n in conn.execute(SCANS).all() if n > before.get(t, 0)}


def time_board(prefix: str, board: str, queries, reader, raw, owner, repeat: int, figures: dict,
               checked: list) -> None:
    """Each query as the reader, then (panels only) over the raw views: same rows, and its time."""
    table = []
    for title, sql in queries:
        with reader.connect() as conn:
            shown = conn.execute(text(sql)).all()
        p50, p95 = time_query(reader, sql, repeat)
        fig = figures[f"{prefix}.{board}.{slug(title)}.p95_ms"] = {"value": round(p95, 2), "unit": "ms",
                                                                   "p50": round(p50, 2), "title": title}
        if title.startswith("variable: "):  # not a panel: a list of values, no raw counterpart
            table.append((title, f"{p50:.1f}", f"{p95:.1f}", "-", "-", ""))
            continue
        with raw.connect() as conn:
            started = time.perf_counter()
            baseline = conn.execute(text(sql)).all()
            raw_p50 = (time.perf_counter() - started) * 1000
        if "now()" not in sql:  # now() moves between the two runs; every other answer must be identical
            if shown != baseline:
                raise RuntimeError(f"{prefix} {board} / {title}: rollups and raw GROUP BY disagree "
                                   f"({len(shown)} vs {len(baseline)} rows; first {shown[:1]} vs {baseline[:1]})")
            checked.append(f"{prefix} {board} / {title}")
        if RAW_REPEAT > 1:
            raw_p50 = time_query(raw, sql, RAW_REPEAT, warmup=0)[0]
        # a panel that reads no rollup (facts, alerts) reads the same tables over the raw views: no speed-up to have
        reads_rollup = bool(tables_read(owner, sql) & ROLLUPS)
        met = p95 <= PANEL_P95_MS and (raw_p50 / p50 >= SPEEDUP or not reads_rollup)
        fig.update(baseline=round(raw_p50, 2), ratio=round(raw_p50 / p50, 1), met=met, reads_rollup=reads_rollup,
                   target=f"<= {PANEL_P95_MS} ms" + (f", >= {SPEEDUP}x raw" if reads_rollup else ""))
        ratio = f"{raw_p50 / p50:.0f}×" if reads_rollup else "no rollup"
        table.append((title, f"{p50:.1f}", f"{p95:.1f}", f"{raw_p50:.1f}", ratio, "yes" if met else "NO"))
    print(f"\n{board} ({prefix}; as hk_grafana)")
    print_table(("query", "p50 ms", "p95 ms", "raw GROUP BY p50 ms", "ratio", "met"), table)
    seq50, seq95, conc50 = whole_board(reader, queries, repeat)
    print(f"whole board: {seq50:.0f} ms p50 ({seq95:.0f} ms p95) sequential on one connection; "
          f"{conc50:.0f} ms p50 wall with {CONCURRENCY} connections (variables, then panels, concurrently)")
    figures[f"{prefix}.board.{board}.ms"] = {"value": round(seq50, 1), "unit": "ms", "p95": round(seq95, 1),
                                              f"concurrent_{CONCURRENCY}_ms": round(conc50, 1),
                                              "target": f"<= {BOARD_MS}", "met": seq50 <= BOARD_MS}


@dataclass
class BoardDatabase:
    engine: Engine      # as the owner
    reader: Engine      # as hk_grafana, CONCURRENCY connections
    reader_url: str     # hk_grafana's URL, for an engine with other options
    load_s: float


@contextmanager
def board_database(name: str, lines: int, influencers: int, days: int) -> Iterator[BoardDatabase]:
    """An embedded PostgreSQL with a migrated database ``name`` holding ``lines`` generated order lines."""
    from devstack.postgres import EmbeddedPostgres
    pg = EmbeddedPostgres().start()
    try:
        url = pg.create_database(name)
        settings = Settings(env="dev", database_url=url)
        migrate(settings)
        engine = make_engine(url)
        load_s = load(engine, lines, influencers, days)
        as_reader = make_url(sqlalchemy_url(url)).set(username="hk_grafana", password=settings.effective_grafana_password())
        reader_url = as_reader.render_as_string(hide_password=False)
        reader = make_engine(reader_url, pool_size=CONCURRENCY)
        try:
            yield BoardDatabase(engine, reader, reader_url, load_s)
        finally:
            reader.dispose()
            engine.dispose()
    finally:
        pg.cleanup()


def run(lines: int, influencers: int, days: int, repeat: int) -> dict:
    from .old_dashboard import require_pandas, time_old_dashboard
    require_pandas()
    with board_database("hk_bench_dashboard", lines, influencers, days) as db:
        engine, reader = db.engine, db.reader
        # the baseline: same role, same SQL, the raw views first on the search path; no 10 s cap, it is slow
        raw = make_engine(db.reader_url, connect_args={"options": "-c search_path=raw,public -c statement_timeout=0"})
        size = f"dashboard.{lines / 1e6:g}M"
        figures, checked = {f"{size}.load_s": {"value": round(db.load_s, 1), "unit": "s"}}, []
        # what the aggregator does once a day when the business day turns (the windows move a day: the figure that
        # bounds freshness then), beside rebuilding every window from the daily rows (hk migrate, hk rebuild)
        for name, before, sql in (("rebuild", "SELECT 1", "SELECT refresh_rolling(true)"),
                                  ("day", "SELECT refresh_rolling(true, business_today() - 1)", "SELECT refresh_rolling()")):
            with engine.begin() as conn:
                conn.execute(text(before))
                started = time.perf_counter()
                conn.execute(text(sql))
                figures[f"{size}.refresh_rolling_{name}_s"] = {"value": round(time.perf_counter() - started, 2), "unit": "s"}
            print(f"{sql}: {figures[f'{size}.refresh_rolling_{name}_s']['value']} s", flush=True)
        for config, (days_shown, brand) in CONFIGS.items():
            end = datetime.now(timezone.utc)
            for board, queries in board_queries(reader, end - timedelta(days=days_shown), end, busiest(engine), brand).items():
                time_board(f"{size}.{config}", board, queries, reader, raw, engine, repeat, figures, checked)
        figures[f"{size}.raw_equal_panels"] = {"value": len(checked), "unit": "panels", "panels": checked}
        print(f"\nraw GROUP BY baseline gave the same rows for {len(checked)} panels (those without now())")
        old = time_old_dashboard(engine, lines)
        figures[f"{size}.pandas_refresh_s"] = {"value": round(old["total_s"], 3), "unit": "s", **old}
        boards = ", ".join(f"{k.split('.')[2]} {k.split('.')[4]} {v['value']:.0f} ms" for k, v in figures.items()
                           if ".board." in k)
        print(f"old dashboard refresh: {old['total_s']:.1f} s (read_csv {old['read_s']:.1f} s + metrics "
              f"{old['metrics_s']:.1f} s) vs whole board: {boards}")
        raw.dispose()
        return figures
