"""Request, engine and database-pool metrics in prometheus_client's registry.

With several worker processes (`serve --workers N`), prometheus_client's multiprocess mode is on: every process
writes its figures to files under `PROMETHEUS_MULTIPROC_DIR` (`serve` makes and empties one when the operator set
none), and whichever worker answers a scrape sums them all (https://prometheus.github.io/client_python/
multiprocess/). One process alone keeps them in memory, with prometheus_client's process and GC collectors.
Routes are labelled by their template (`/api/contacts/{contact_id}`), never the raw path, so the label set stays
bounded whatever clients send.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.process_collector import ProcessCollector
from sqlalchemy import Engine, event
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PREFIX = "contact_lookup"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED = "unmatched"
PROCESS_REFRESH_S = 5.0

HTTP_REQUESTS = Counter(
    f"{PREFIX}_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    f"{PREFIX}_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by method, route template and status.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
ENGINE_LATENCY = Histogram(
    f"{PREFIX}_engine_request_duration_seconds",
    "Time of the API's calls to OpenSearch, by operation, failed ones included.",
    ["operation"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
ENGINE_ERRORS = Counter(
    f"{PREFIX}_engine_errors", "Calls to OpenSearch that failed, by operation and exception.", ["operation", "error"]
)
POOL_CHECKED_OUT = Gauge(
    f"{PREFIX}_db_pool_checked_out_connections",
    "Database connections in use by requests, over all API processes.",
    multiprocess_mode="livesum",
)
POOL_OVERFLOW = Gauge(
    f"{PREFIX}_db_pool_overflow_connections",
    "Connections in use beyond the pool size (database_max_overflow bounds them), over all API processes.",
    multiprocess_mode="livesum",
)
# Multiprocess mode has no process collector: each worker reports its own figures, labelled by pid.
PROCESS_MEMORY = Gauge(
    f"{PREFIX}_worker_resident_memory_bytes", "Resident memory of each API worker process.", multiprocess_mode="all"
)
PROCESS_CPU = Gauge(
    f"{PREFIX}_worker_cpu_seconds", "CPU time (user and system) of each API worker process.", multiprocess_mode="all"
)


def multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROC_ENV))


def render() -> bytes:
    """Everything this module and the rest of the product registered, summed over the worker processes."""
    if not multiprocess():
        return generate_latest(REGISTRY)
    _refresh_process_figures()
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return generate_latest(registry)


_process = ProcessCollector(registry=None)
_refreshed_at = 0.0


def _refresh_process_figures() -> None:
    global _refreshed_at
    _refreshed_at = time.monotonic()
    for family in _process.collect():
        for sample in family.samples:
            if sample.name == "process_resident_memory_bytes":
                PROCESS_MEMORY.set(sample.value)
            elif sample.name == "process_cpu_seconds_total":
                PROCESS_CPU.set(sample.value)


@contextmanager
def engine_call(operation: str) -> Iterator[None]:
    """Around one call of the gateway: its latency, and its failure by exception type (the 503's cause)."""
    started = time.perf_counter()
    try:
        yield
    except Exception as exc:
        ENGINE_ERRORS.labels(operation, type(exc).__name__).inc()
        raise
    finally:
        ENGINE_LATENCY.labels(operation).observe(time.perf_counter() - started)


def watch_pool(engine: Engine) -> None:
    """Count the API's connections in use through the pool's checkout and checkin events (per process, additive
    across engines, so several apps in one process or several workers sum)."""
    pool = engine.pool
    size = pool.size() if hasattr(pool, "size") else None
    in_use = 0
    overflow = 0

    def changed(delta: int) -> None:
        nonlocal in_use, overflow
        in_use += delta
        POOL_CHECKED_OUT.inc(delta)
        if size is not None:
            now = max(in_use - size, 0)
            if now != overflow:
                POOL_OVERFLOW.inc(now - overflow)
                overflow = now

    event.listen(engine, "checkout", lambda *_: changed(1))
    event.listen(engine, "checkin", lambda *_: changed(-1))


class MetricsMiddleware:
    """Counts and times every HTTP answer by route template and status (pure ASGI: it sees the final status and
    the time until the last byte, streamed bodies included)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def observe(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            labels = (scope["method"], _route(scope), str(status))
            HTTP_REQUESTS.labels(*labels).inc()
            HTTP_LATENCY.labels(*labels).observe(time.perf_counter() - started)
            if multiprocess() and time.monotonic() - _refreshed_at > PROCESS_REFRESH_S:
                _refresh_process_figures()


def _route(scope: dict[str, Any]) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED
