"""Timing helpers shared by the benchmarks: repeat a query (or any call), report median and p95 in milliseconds."""
from __future__ import annotations

import statistics
import time
from typing import Callable

from sqlalchemy import Engine, text


def percentiles(samples: list[float]) -> tuple[float, float]:
    """Median and p95 (nearest rank: with 7 samples, p95 is the slowest)."""
    samples = sorted(samples)
    return statistics.median(samples), samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]


def time_call(fn: Callable[[], object], repeat: int = 7, warmup: int = 1) -> tuple[float, float]:
    samples = []
    for i in range(warmup + repeat):
        started = time.perf_counter()
        fn()
        if i >= warmup:
            samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def time_query(engine: Engine, sql: str, repeat: int = 7, warmup: int = 1) -> tuple[float, float]:
    with engine.connect() as conn:
        return time_call(lambda: conn.execute(text(sql)).all(), repeat, warmup)


def print_table(header: tuple[str, ...], rows: list[tuple]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    for row in (header, tuple("-" * w for w in widths), *rows):
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)), flush=True)
