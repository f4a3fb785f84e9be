"""The only place OpenSearch clients are constructed: timeouts, retries and pool sizes set, not defaulted.

`connection_options` turns the settings into the hosts, TLS and authentication both clients get, so the API,
the indexer and the CLI reach a secured cluster the same way; only the AWS signer differs between them.
"""

from __future__ import annotations

import logging
from typing import Any

from opensearchpy import AsyncOpenSearch, OpenSearch

from service.opensearch.local_node import resolve_url
from service.opensearch.serializer import OrjsonSerializer
from service.settings import Settings

log = logging.getLogger(__name__)

# opensearch-py retries only 502/503/504 by default; a 429 from a busy node deserves a retry too.
RETRY_ON_STATUS = (429, 502, 503, 504)


class EngineSettingsError(RuntimeError):
    """The settings ask for something this installation cannot do (sigv4 without the `[aws]` extra)."""


def connection_options(settings: Settings, *, url: str | None = None, asynchronous: bool = False) -> dict[str, Any]:
    """Hosts, TLS and authentication for either client, from the settings alone.

    Every configured host is given, so the client spreads requests over the nodes and, when one dies, marks it
    dead and goes on with the others. Certificates are verified against `opensearch_ca_certs` (certifi's CAs
    when unset); turning verification off is logged as a warning at every client built.
    """
    hosts = [url] if url else settings.opensearch_hosts or [resolve_url(settings)]
    options: dict[str, Any] = {"hosts": hosts, "verify_certs": settings.opensearch_verify_certs}
    if settings.opensearch_verify_certs:
        if settings.opensearch_ca_certs is not None:
            options["ca_certs"] = str(settings.opensearch_ca_certs)
    else:
        log.warning(
            "CONTACT_LOOKUP_OPENSEARCH_VERIFY_CERTS is false: the engine's certificate is NOT checked, and anyone "
            "between this process and %s can read and change every request, credentials included",
            ", ".join(hosts),
        )
        options |= {"ssl_show_warn": False, "ssl_assert_hostname": False}
    if settings.opensearch_client_cert is not None and settings.opensearch_client_key is not None:
        options["client_cert"] = str(settings.opensearch_client_cert)
        options["client_key"] = str(settings.opensearch_client_key)
    if settings.opensearch_auth == "sigv4":
        options |= _aws_signing(settings, asynchronous=asynchronous)
    elif settings.opensearch_username:
        options["http_auth"] = (settings.opensearch_username, settings.opensearch_password.get_secret_value())
    return options


def _aws_signing(settings: Settings, *, asynchronous: bool) -> dict[str, Any]:
    """opensearch-py's SigV4 signer for the client's connection class, with boto3's credential chain (environment,
    profile, instance or task role), which refreshes expiring credentials on its own.

    The async client's default connection (aiohttp's) takes only a user and password: a signer needs
    `AsyncHttpConnection`, which calls it for every request. The sync client's urllib3 connection calls a signer
    too: its signer is the urllib3 twin of `AWSV4SignerAuth` (which signs `requests` requests and would need
    RequestsHttpConnection, leaving the pool settings behind)."""
    try:
        import boto3
        from opensearchpy import AsyncHttpConnection, AWSV4SignerAsyncAuth, Urllib3AWSV4SignerAuth
    except ImportError as exc:
        raise EngineSettingsError(
            "CONTACT_LOOKUP_OPENSEARCH_AUTH=sigv4 needs the aws extra: pip install 'contact-lookup[aws]'"
        ) from exc
    credentials = boto3.Session().get_credentials()
    if credentials is None:
        raise EngineSettingsError("CONTACT_LOOKUP_OPENSEARCH_AUTH=sigv4 but boto3 finds no AWS credentials")
    region, service = settings.opensearch_aws_region, settings.opensearch_aws_service
    if asynchronous:
        return {
            "http_auth": AWSV4SignerAsyncAuth(credentials, region, service),
            "connection_class": AsyncHttpConnection,
        }
    return {"http_auth": Urllib3AWSV4SignerAuth(credentials, region, service)}


def build_client(settings: Settings, *, url: str | None = None) -> OpenSearch:
    """Sync client for the CLI and the indexer; the pool is sized because the default is a single connection."""
    return OpenSearch(
        **connection_options(settings, url=url),
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
    the retry opens a fresh one, so the API recovers without a restart; with several hosts the retry goes to
    another node). A timeout or a busy engine is not retried: the agent gets a 503 with `Retry-After` at once
    instead of waiting for the same answer twice. Searches pass their own, shorter request timeout
    (`Settings.search_request_timeout_s`).
    """
    return AsyncOpenSearch(
        **connection_options(settings, url=url, asynchronous=True),
        timeout=settings.opensearch_request_timeout_s,
        max_retries=settings.search_max_retries,
        retry_on_timeout=False,
        retry_on_status=(),
        maxsize=settings.opensearch_pool_size,
        http_compress=False,
        serializer=OrjsonSerializer(),
    )
