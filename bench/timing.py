"""Timing helpers shared by the benchmarks: repeat a query, report median and p95 in milliseconds."""
from __future__ import annotations

import statistics
import time

from sqlalchemy import Engine, text


def time_query(engine: Engine, sql: str, repeat: int = 7, warmup: int = 1) -> tuple[float, float]:
    samples = []
    with engine.connect() as conn:
        for i in range(warmup + repeat):
            started = time.perf_counter()
            conn.execute(text(sql)).all()
            if i >= warmup:
                samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]


def print_table(header: tuple[str, ...], rows: list[tuple]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    for row in (header, tuple("-" * w for w in widths), *rows):
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths)), flush=True)
