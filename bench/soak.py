"""``hk bench soak``: the whole stack at a steady rate for N minutes, every worker's RSS sampled over time.

The workload is the fault suite's (orders, refunds, post snapshots; late, shuffled, 10 % duplicates),
sent a minute's worth at a time, and its exact answer is checked at the end: memory bought by losing
events would not count. Growth is measured from the end of the first fifth (after warm-up) to the end.
"""
from __future__ import annotations

import threading
import time

import psutil

from services.common.db import make_engine
from services.common.settings import DEV_API_KEY

from .faults import Report, compare
from .loadgen import encode, post_all
from .pipeline import _fig, _stack, ingest_url, wait_count
from .workload import expect, generate

SAMPLE_S = 10.0


def bench_soak(minutes: float, rate: float) -> dict:
    total = int(minutes * 60 * rate)
    workload = generate(total, seed=3, run="soak")
    bodies = encode(workload.events, 100)
    samples: list[tuple[float, dict[str, float]]] = []
    with _stack(("ingest", "attribution", "aggregator")) as stack:
        engine = make_engine(stack.settings.database_url)
        post_all(ingest_url(stack), DEV_API_KEY, encode(workload.setup, 500))
        wait_count(engine, "SELECT count(*) FROM contracts", sum(e["type"] == "contract" for e in workload.setup), 120)
        stop = threading.Event()
        sampler = threading.Thread(target=_sample, args=(stack.pids(), samples, stop), daemon=True)
        sampler.start()
        sent = post_all(ingest_url(stack), DEV_API_KEY, bodies, 4, rate=rate)
        expected = expect(workload)
        report = Report(events=len(workload.events), sent_with_retries=sent.events, faults=[], crashes=[])
        wait_count(engine, "SELECT count(*) FROM attributed_orders", expected.order_lines, 1800)
        wait_count(engine, "SELECT count(*) FROM refunds", expected.refund_lines, 600)
        time.sleep(5)  # the last batch's spend and rollups commit with its facts; posts may trail by a batch
        compare(engine, expected, report)
        stop.set()
        sampler.join()
        engine.dispose()
    if not report.exact:
        raise RuntimeError(f"the soak's tables are not exact: {report}")
    return _figures(samples, sent.rate, minutes)


def _sample(pids: dict[str, int], samples: list, stop: threading.Event) -> None:
    began = time.monotonic()
    while not stop.wait(SAMPLE_S):
        rss = {}
        for name, pid in pids.items():
            try:
                rss[name] = psutil.Process(pid).memory_info().rss / 2**20
            except psutil.Error:
                continue
        samples.append((time.monotonic() - began, rss))
        print(f"soak {samples[-1][0]:6.0f}s  " + "  ".join(f"{n} {v:.0f} MB" for n, v in rss.items()), flush=True)


def _figures(samples: list, rate: float, minutes: float) -> dict:
    warm = next(s for s in samples if s[0] >= minutes * 60 / 5)[1]
    last = samples[-1][1]
    figures = {"soak.rate_events_per_s": _fig(rate, "events/s")}
    for name in last:
        peak = max(s[1].get(name, 0) for s in samples)
        figures[f"soak.{name}.peak_rss_mb"] = _fig(peak, "MB")
        figures[f"soak.{name}.rss_growth_pct"] = _fig(100 * (last[name] - warm[name]) / warm[name], "%")
    figures["_rss_over_time"] = [(round(t), {n: round(v) for n, v in r.items()}) for t, r in samples]
    return figures
