"""Per-key event rate limit: a token bucket per API key (its digest), refilled at ``rate`` events per second up
to ``burst``. A request takes all its events' tokens or none, so a batch is limited whole like it is accepted."""
from __future__ import annotations

import math
import threading
import time


class RateLimiter:
    def __init__(self, rate: float, burst: float, clock=time.monotonic) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self.buckets: dict[bytes, tuple[float, float]] = {}  # key digest -> (tokens, updated)
        self.lock = threading.Lock()

    def take(self, key: bytes, n: int) -> float:
        """0 if ``n`` events may pass now, else the seconds to wait before retrying."""
        if self.rate <= 0:
            return 0.0
        with self.lock:
            now = self.clock()
            tokens, updated = self.buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - updated) * self.rate)
            if n <= tokens:
                self.buckets[key] = (tokens - n, now)
                return 0.0
            self.buckets[key] = (tokens, now)
            return math.ceil(((min(n, self.burst) - tokens) / self.rate) * 10) / 10 if n <= self.burst else math.inf
