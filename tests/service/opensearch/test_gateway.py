"""Every search reaches the engine with a timeout on both sides; a down or hung engine is a quick 503."""

import time

import pytest

from service.errors import Unavailable
from service.opensearch.client import build_async_client
from service.opensearch.gateway import SearchGateway
from tests.support.blackhole import hung_server


async def test_every_search_carries_an_engine_timeout_and_refuses_partial_results(settings, scenario):
    client = build_async_client(settings)
    sent = []
    real_search = client.search

    async def recording(**kwargs):
        sent.append(kwargs)
        return await real_search(**kwargs)

    client.search = recording
    try:
        gateway = SearchGateway(client, timeout_ms=1234, request_timeout_s=2.5)
        response = await gateway.search(settings.contacts_alias, {"query": {"match_all": {}}, "timeout": "1h"})
    finally:
        await client.close()
    assert response["hits"]["total"]["value"] >= 6
    [call] = sent
    assert call["body"]["timeout"] == "1234ms"
    assert call["params"] == {"allow_partial_search_results": "false", "request_timeout": 2.5}


def test_the_api_client_never_retries_a_timeout_and_retries_a_failed_connection_once(settings):
    transport = build_async_client(settings).transport
    assert transport.retry_on_timeout is False
    assert transport.max_retries == settings.search_max_retries == 1
    assert transport.retry_on_status == ()
    assert transport.kwargs["timeout"] == settings.opensearch_request_timeout_s
    assert transport.kwargs["maxsize"] == settings.opensearch_pool_size


async def test_a_hung_engine_is_a_503_once_the_client_timeout_passes_without_a_retry(settings):
    with hung_server() as engine:
        client = build_async_client(settings.model_copy(update={"opensearch_url": engine.url}))
        gateway = SearchGateway(client, timeout_ms=300, request_timeout_s=0.8)
        started = time.monotonic()
        with pytest.raises(Unavailable, match="unreachable or too slow") as refused:
            await gateway.search("contacts", {"query": {"match_all": {}}})
        elapsed = time.monotonic() - started
        await client.close()
        assert engine.connections == 1
    assert 0.7 < elapsed < 5, elapsed
    assert refused.value.headers == {"Retry-After": "5"}


async def test_an_engine_that_refuses_connections_is_a_503(settings):
    client = build_async_client(settings.model_copy(update={"opensearch_url": "http://127.0.0.1:9"}))
    try:
        with pytest.raises(Unavailable):
            await SearchGateway(client, timeout_ms=300, request_timeout_s=1).search("contacts", {})
    finally:
        await client.close()
