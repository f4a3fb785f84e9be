"""Per-token request budget: a token bucket per caller, in this worker process's memory.

Each token may send `burst` requests at once and `rate` per second on average. The buckets live in the process,
so with N worker processes a token gets up to N times the rate (each worker counts on its own). That is the
trade-off chosen: a shared counter in the database would add a write to every request and, on SQLite, serialise
all of them behind one lock, to protect the very database it would load. The limit is a guard against a runaway
client, not a quota; a reverse proxy in front of the workers is where an exact global limit belongs.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

MAX_TRACKED = 10_000


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    def __init__(
        self,
        *,
        rate_per_s: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        max_tracked: int = MAX_TRACKED,
    ) -> None:
        self._rate = rate_per_s
        self._burst = burst
        self._clock = clock
        self._max_tracked = max_tracked
        self._buckets: OrderedDict[Hashable, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self._rate > 0

    def acquire(self, key: Hashable) -> float:
        """Takes one request from `key`'s budget: 0 when allowed, else the seconds until one is available again."""
        if not self.enabled:
            return 0.0
        now = self._clock()
        with self._lock:
            bucket = self._buckets.pop(key, None) or _Bucket(tokens=float(self._burst), at=now)
            bucket.tokens = min(float(self._burst), bucket.tokens + (now - bucket.at) * self._rate)
            bucket.at = now
            self._buckets[key] = bucket
            if len(self._buckets) > self._max_tracked:
                self._buckets.popitem(last=False)
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            return (1 - bucket.tokens) / self._rate


def retry_after_header(wait_s: float) -> int:
    """`Retry-After` is whole seconds; round up so a client that obeys it is served."""
    return max(1, math.ceil(wait_s))


class FailureLimiter:
    """Budgets of failures, not of requests: each key may fail `burst` times at once and `rate_per_s` on average.

    `wait_s` only looks (a caller over its budget is turned away before anything is checked); `failed` spends.
    Successes cost nothing, so a client that signs in correctly is never slowed by this budget.
    """

    def __init__(self, *, rate_per_s: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._limiter = RateLimiter(rate_per_s=rate_per_s, burst=burst, clock=clock)
        self._clock = clock
        self._rate = rate_per_s
        self._burst = burst

    @property
    def enabled(self) -> bool:
        return self._limiter.enabled

    def wait_s(self, key: Hashable) -> float:
        """0 while `key` may fail again, else the seconds until it may (no budget spent)."""
        if not self.enabled:
            return 0.0
        with self._limiter._lock:
            bucket = self._limiter._buckets.get(key)
            if bucket is None:
                return 0.0
            tokens = min(float(self._burst), bucket.tokens + (self._clock() - bucket.at) * self._rate)
        return 0.0 if tokens >= 1 else (1 - tokens) / self._rate

    def failed(self, key: Hashable) -> None:
        self._limiter.acquire(key)
