"""The attribution-model panels of both boards alone (issue 20), at ``hk bench dashboard``'s data and
configurations, without its raw baselines (an hour at 1M lines, nearly all of it the raw views): each model panel's
p50/p95 as hk_grafana, and each whole board with its collapsed model rows opened. The equality of the model panels
with the daily rows is the tests' (tests/integration/test_model_reports.py).

Run: ``python -m bench.dashboard_models [--write] [lines] [influencers] [days]`` (default 1,000,000, 100,000,
365); ``--write`` merges the figures into docs/benchmarks.json under the names ``hk bench dashboard`` gives them."""
from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta, timezone

from .dashboard import BOARD_MS, CONFIGS, PANEL_P95_MS, board_database, board_queries, busiest, slug, whole_board
from .report import save
from .timing import print_table, time_query


def model_panels() -> set[str]:
    """The titles of the panels in the boards' model rows (the collapsed rows whose title names the models)."""
    from services.dashboards.build import BOARDS, render
    titles = set()
    for name in BOARDS:
        for row in json.loads(render(name))["panels"]:
            if row.get("type") == "row" and "models" in row["title"]:
                titles |= {p["title"] for p in row.get("panels", [])}
    return titles


def run(lines: int, influencers: int, days: int, repeat: int = 7) -> dict:
    with board_database("hk_bench_models", lines, influencers, days) as db:
        engine, reader = db.engine, db.reader
        wanted, rows, figures = model_panels(), [], {}
        size = f"dashboard.{lines / 1e6:g}M"
        for config, (days_shown, brand) in CONFIGS.items():
            end = datetime.now(timezone.utc)
            for board, queries in board_queries(reader, end - timedelta(days=days_shown), end, busiest(engine), brand).items():
                for title, sql in queries:
                    if title in wanted:
                        p50, p95 = time_query(reader, sql, repeat)
                        figures[f"{size}.{config}.{board}.{slug(title)}.p95_ms"] = {
                            "value": round(p95, 2), "unit": "ms", "p50": round(p50, 2), "title": title,
                            "target": f"<= {PANEL_P95_MS} ms", "met": p95 <= PANEL_P95_MS}
                        rows.append((config, board, title, f"{p50:.1f}", f"{p95:.1f}", "yes" if p95 <= PANEL_P95_MS else "NO"))
                seq50, seq95, wall = whole_board(reader, queries, repeat)
                figures[f"{size}.{config}.board.{board}.models_open_ms"] = {
                    "value": round(seq50, 1), "unit": "ms", "p95": round(seq95, 1), "wall_6_connections": round(wall, 1),
                    "target": f"<= {BOARD_MS}", "met": seq50 <= BOARD_MS}
                rows.append((config, board, "whole board, model rows open", f"{seq50:.0f}", f"{seq95:.0f}",
                             "yes" if seq50 <= BOARD_MS else "NO"))
        print_table(("config", "board", "panel", "p50 ms", "p95 ms", "target"), rows)
        return figures


if __name__ == "__main__":
    given = [int(a) for a in sys.argv[1:] if a != "--write"]
    measured = run(*(given + [1_000_000, 100_000, 365][len(given):])[:3])
    if "--write" in sys.argv:
        save(measured, ["dashboard"], 1, "python -m bench.dashboard_models " + " ".join(sys.argv[1:]))
