"""The only place OpenSearch clients are constructed: timeouts, retries and pool sizes set, not defaulted."""

from __future__ import annotations

from opensearchpy import AsyncOpenSearch, OpenSearch

from service.opensearch.local_node import resolve_url
from service.opensearch.serializer import OrjsonSerializer
from service.settings import Settings

# opensearch-py retries only 502/503/504 by default; a 429 from a busy node deserves a retry too.
RETRY_ON_STATUS = (429, 502, 503, 504)


def build_client(settings: Settings, *, url: str | None = None) -> OpenSearch:
    """Sync client for the CLI and the indexer; the pool is sized because the default is a single connection."""
    return OpenSearch(
        hosts=[url or resolve_url(settings)],
        timeout=settings.opensearch_request_timeout_s,
        max_retries=settings.opensearch_max_retries,
        retry_on_timeout=True,
        retry_on_status=RETRY_ON_STATUS,
        pool_maxsize=8,
        http_compress=False,
        serializer=OrjsonSerializer(),
    )


def build_async_client(settings: Settings, *, url: str | None = None) -> AsyncOpenSearch:
    """Async client for the API, tuned for an agent waiting on the answer.

    Only a dropped connection is retried (a pooled keep-alive connection is stale after an engine restart, and
    the retry opens a fresh one, so the API recovers without a restart). A timeout or a busy engine is not
    retried: the agent gets a 503 with `Retry-After` at once instead of waiting for the same answer twice.
    Searches pass their own, shorter request timeout (`Settings.search_request_timeout_s`).
    """
    return AsyncOpenSearch(
        hosts=[url or resolve_url(settings)],
        timeout=settings.opensearch_request_timeout_s,
        max_retries=settings.search_max_retries,
        retry_on_timeout=False,
        retry_on_status=(),
        maxsize=settings.opensearch_pool_size,
        http_compress=False,
        serializer=OrjsonSerializer(),
    )
