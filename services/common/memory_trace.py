"""Opt-in allocation tracing for a worker whose memory grows (``HK_TRACEMALLOC_S=60``): every N seconds the
log gets the call sites that hold the most memory allocated since start-up (tracemalloc), so a soak's
RSS growth can be traced to code. It slows the worker several times over: for diagnosis, never in production."""
from __future__ import annotations

import logging
import os
import threading
import tracemalloc

log = logging.getLogger(__name__)
FRAMES, TOP = 12, 8


def start_from_env() -> None:
    every = float(os.environ.get("HK_TRACEMALLOC_S") or 0)
    if every <= 0:
        return
    tracemalloc.start(FRAMES)
    first = tracemalloc.take_snapshot()
    threading.Thread(target=_report, args=(first, every), daemon=True, name="tracemalloc").start()


def _report(first: tracemalloc.Snapshot, every: float) -> None:
    stop = threading.Event()
    while not stop.wait(every):
        growth = tracemalloc.take_snapshot().compare_to(first, "traceback")
        lines = [f"memory held since start: {sum(s.size_diff for s in growth) / 2**20:.1f} MB; largest call sites:"]
        for stat in growth[:TOP]:
            lines.append(f"  +{stat.size_diff / 2**20:.2f} MB in {stat.count_diff:+d} blocks")
            lines += [f"      {frame.filename}:{frame.lineno}" for frame in stat.traceback[-FRAMES:]]
        log.warning("\n".join(lines))
