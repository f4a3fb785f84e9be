"""Failed authentications: a budget per client address and per token prefix, a counter, an aggregated audit entry.

A guesser is turned away (429 with `Retry-After`) once its address, or the prefix it keeps trying, has spent its
budget of failures, before its token is looked at. Every failure is counted for the metrics, by reason. The audit
gets one entry per address and minute with the count and the reasons, not one per failure: a flood of bad tokens
must not become a flood of audit rows.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from service.errors import DomainError
from service.ratelimit import FailureLimiter, retry_after_header

WINDOW_S = 60.0
MAX_WINDOWS = 10_000
AUDIT_ENDPOINT = "failed_authentication"


class TooManyFailures(DomainError):
    status_code = 429

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(
            f"too many failed authentications from this client; retry in {retry_after_s} s",
            headers={"Retry-After": str(retry_after_s)},
        )


@dataclass(slots=True)
class _Window:
    started: float
    at: datetime
    method: str
    path: str
    reasons: Counter[str] = field(default_factory=Counter)
    refused: int = 0


class FailedAuthentications:
    def __init__(
        self,
        *,
        rate_per_s: float,
        burst: int,
        submit: Callable[[dict[str, Any]], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._by_address = FailureLimiter(rate_per_s=rate_per_s, burst=burst, clock=clock)
        self._by_prefix = FailureLimiter(rate_per_s=rate_per_s, burst=burst, clock=clock)
        self._submit = submit
        self._clock = clock
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._windows: dict[str, _Window] = {}

    @property
    def counts(self) -> dict[str, int]:
        """Failures since the process started, by reason (`missing`, `malformed`, `unknown`, ..., `limited`)."""
        with self._lock:
            return dict(self._counts)

    def check(self, address: str, prefix: str | None, *, method: str, path: str) -> None:
        """429 when the address or the prefix has no failures left to spend; no I/O."""
        wait_s = max(self._by_address.wait_s(address), self._by_prefix.wait_s(prefix) if prefix else 0.0)
        if wait_s > 0:
            self._note(address, "limited", method=method, path=path, refused=True)
            raise TooManyFailures(retry_after_header(wait_s))

    def failed(self, address: str, prefix: str | None, reason: str, *, method: str, path: str) -> None:
        self._by_address.failed(address)
        if prefix:
            self._by_prefix.failed(prefix)
        self._note(address, reason, method=method, path=path)

    def flush(self, *, everything: bool = False) -> int:
        """Hands the audit one entry per address whose minute is over (every open one at shutdown)."""
        now = self._clock()
        with self._lock:
            done = [a for a, w in self._windows.items() if everything or now - w.started >= WINDOW_S]
            closed = [(address, self._windows.pop(address)) for address in done]
        for address, window in closed:
            self._submit(_entry(address, window))
        return len(closed)

    def _note(self, address: str, reason: str, *, method: str, path: str, refused: bool = False) -> None:
        now = self._clock()
        with self._lock:
            self._counts[reason] += 1
            window = self._windows.get(address)
            if window is not None and now - window.started >= WINDOW_S:
                self._submit(_entry(address, self._windows.pop(address)))
                window = None
            if window is None:
                if len(self._windows) >= MAX_WINDOWS:
                    oldest = next(iter(self._windows))
                    self._submit(_entry(oldest, self._windows.pop(oldest)))
                window = self._windows[address] = _Window(now, datetime.now(UTC), method, path[:300])
            window.reasons[reason] += 1
            window.refused += refused


def _entry(address: str, window: _Window) -> dict[str, Any]:
    """An audit row like a lookup's (the writer's shape), for the unauthenticated caller at `address`."""
    failures = sum(window.reasons.values())
    return {
        "at": window.at,
        "user_id": 0,
        "user_name": f"unauthenticated@{address}"[:64],
        "role": "none",
        "business_unit": None,
        "endpoint": AUDIT_ENDPOINT,
        "method": window.method[:8],
        "path": window.path,
        "criteria": {"address": address, "reasons": dict(window.reasons)},
        "contact_ids": [],
        "total": failures,
        "status_code": 429 if window.refused else 401,
        "outcome": "rejected",
        "detail": f"{failures} failed authentications from {address} within a minute ({window.refused} turned away)",
        "duration_ms": 0,
    }
