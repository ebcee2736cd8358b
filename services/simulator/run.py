"""``hk simulate``: post the World's events to the ingest at a steady rate, in batches of 100."""
from __future__ import annotations

import logging
import threading
import time

import httpx

from ..common.settings import Settings
from .world import World

log = logging.getLogger(__name__)
BATCH = 100


class Counters:
    def __init__(self) -> None:
        self.sent = 0
        self.failed = 0


def simulate(settings: Settings, url: str | None = None, rate: float = 200.0, duration: float | None = None,
             stop: threading.Event | None = None, counters: Counters | None = None) -> Counters:
    url = url or f"http://{settings.ingest_host}:{settings.ingest_port}"
    key = settings.effective_api_keys()[0]
    counters, stop = counters or Counters(), stop or threading.Event()
    world = World()
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
        _post(client, world.setup_events(), counters)
        started = time.monotonic()
        while not stop.is_set() and (duration is None or time.monotonic() - started < duration):
            _post(client, world.next_events(BATCH), counters)
            ahead = counters.sent / rate - (time.monotonic() - started)  # keep the average rate, not bursts
            if ahead > 0:
                stop.wait(ahead)
    return counters


def _post(client: httpx.Client, events: list[dict], counters: Counters) -> None:
    try:
        r = client.post("/v1/events", json=events)
        if r.status_code == 202:
            counters.sent += len(events)
            return
        log.warning("ingest answered %s: %s", r.status_code, r.text[:300])
    except httpx.HTTPError as exc:
        log.warning("ingest unreachable: %s", exc)
    counters.failed += len(events)
    time.sleep(1)
