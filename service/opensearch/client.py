"""The only place OpenSearch clients are constructed: timeouts, retries and pool sizes set, not defaulted."""

from __future__ import annotations

from opensearchpy import AsyncOpenSearch, OpenSearch

from service.opensearch.local_node import resolve_url
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
    )


def build_async_client(settings: Settings, *, url: str | None = None) -> AsyncOpenSearch:
    """Async client for the API; search timeouts become 503s in the gateway instead of hanging a worker."""
    return AsyncOpenSearch(
        hosts=[url or resolve_url(settings)],
        timeout=settings.opensearch_request_timeout_s,
        max_retries=settings.opensearch_max_retries,
        retry_on_timeout=True,
        retry_on_status=RETRY_ON_STATUS,
    )
