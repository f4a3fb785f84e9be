"""Outbox lag and sync throughput in the Prometheus text format, after the request, engine and pool metrics.

Each scrape reads the figures from the database and renders them through a registry of its own, so nothing
global is kept between requests and every API process answers the same (https://prometheus.io/docs/
instrumenting/writing_clientlibs/#overall-structure: custom collectors for values read from elsewhere).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from service.health.repository import OutboxLag, SyncThroughput
from service.telemetry import metrics as telemetry

PREFIX = "contact_lookup"


class _Snapshot(Collector):
    def __init__(self, lag: OutboxLag, throughput: SyncThroughput, auth_failures: Mapping[str, int]) -> None:
        self._lag = lag
        self._throughput = throughput
        self._auth_failures = auth_failures

    def collect(self) -> Iterator[Metric]:
        lag, sync = self._lag, self._throughput
        yield _gauge("outbox_pending_entries", "Outbox entries not yet indexed (parked ones excluded).", lag.pending)
        yield _gauge(
            "outbox_oldest_pending_age_seconds",
            "Age of the oldest outbox entry not yet indexed; 0 when none is pending.",
            lag.oldest_pending_age_s or 0.0,
        )
        yield _gauge("outbox_parked_entries", "Outbox entries given up after repeated failures.", lag.parked)
        if sync.documents_per_second is not None:
            yield _gauge(
                "sync_documents_per_second",
                "Documents written per second of sync work over the latest passes.",
                sync.documents_per_second,
            )
        if sync.last_pass_at is not None and sync.last_pass_documents is not None:
            yield _gauge(
                "sync_last_pass_timestamp_seconds",
                "When the latest sync pass that had entries finished (Unix time).",
                sync.last_pass_at.timestamp(),
            )
            yield _gauge(
                "sync_last_pass_documents", "Documents written by the latest sync pass.", sync.last_pass_documents
            )
        failures = CounterMetricFamily(
            f"{PREFIX}_failed_authentications",
            "Requests refused for their credentials by this process, by reason (`limited`: turned away by the "
            "failure budget).",
            labels=["reason"],
        )
        for reason, count in sorted(self._auth_failures.items()):
            failures.add_metric([reason], count)
        yield failures


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"{PREFIX}_{name}", documentation, value=value)


def render(lag: OutboxLag, throughput: SyncThroughput, auth_failures: Mapping[str, int] | None = None) -> bytes:
    """The outbox figures, after the process's own: requests, engine calls, the pool (`service.telemetry.metrics`,
    summed over the workers) and anything else registered in prometheus_client's registry."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot(lag, throughput, auth_failures or {}))
    return telemetry.render() + generate_latest(registry)
