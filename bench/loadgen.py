"""An HTTP load generator for the ingest: pre-encoded batches posted over a few keep-alive connections.

Bodies are encoded before the clock starts, so the figures measure the ingest, not the generator's JSON.
Each request's acknowledgement latency and wall-clock ack time are kept (freshness is measured from it).
"""
from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field

import aiohttp


@dataclass
class Sent:
    events: int = 0
    refused: int = 0                                    # 429/503: retried after a pause, counted here
    latencies_s: list[float] = field(default_factory=list)
    acked_at: dict[int, float] = field(default_factory=dict)  # body index → time.time() of its 202
    elapsed_s: float = 0.0

    @property
    def rate(self) -> float:
        return self.events / self.elapsed_s if self.elapsed_s else 0.0

    def p(self, q: float) -> float:
        ordered = sorted(self.latencies_s)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def encode(events: list[dict], batch: int) -> list[tuple[int, bytes]]:
    return [(len(events[i:i + batch]), json.dumps(events[i:i + batch]).encode()) for i in range(0, len(events), batch)]


def post_all(url: str, api_key: str, bodies: list[tuple[int, bytes]], connections: int = 8,
             rate: float | None = None) -> Sent:
    """Post every body once (retrying refusals), ``connections`` at a time, at most ``rate`` events/s."""
    return asyncio.run(_post_all(url, api_key, bodies, connections, rate))


async def _post_all(url: str, api_key: str, bodies, connections: int, rate: float | None) -> Sent:
    sent, queue = Sent(), asyncio.Queue()
    for item in enumerate(bodies):
        queue.put_nowait(item)
    headers = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}
    started = time.perf_counter()
    budget = [0]  # events released so far, for the rate limit

    async def worker(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            index, (n, body) = queue.get_nowait()
            if rate:
                budget[0] += n
                if (ahead := budget[0] / rate - (time.perf_counter() - started)) > 0:
                    await asyncio.sleep(ahead)
            while True:
                t0 = time.perf_counter()
                async with session.post(url, data=body, headers=headers) as resp:
                    await resp.read()
                    if resp.status == 202:
                        sent.latencies_s.append(time.perf_counter() - t0)
                        sent.acked_at[index] = time.time()
                        sent.events += n
                        break
                    if resp.status not in (429, 503):
                        raise RuntimeError(f"ingest answered {resp.status}: {(await resp.text())[:300]}")
                    sent.refused += n
                    await asyncio.sleep(float(resp.headers.get("Retry-After", "1")) / 10)

    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as session:
        await asyncio.gather(*(worker(session) for _ in range(connections)))
    sent.elapsed_s = time.perf_counter() - started
    return sent
