"""The engine connection settings become the same options for both clients, and secrets never show."""

import logging

import pytest
from opensearchpy import AsyncHttpConnection, AWSV4SignerAsyncAuth, Urllib3AWSV4SignerAuth
from pydantic import ValidationError

from service.errors import Unavailable
from service.opensearch.client import build_async_client, build_client, connection_options
from service.opensearch.gateway import SearchGateway
from service.settings import Settings

SECRET = "s3cret-Pa55word"


def test_a_comma_separated_url_gives_every_host_to_both_clients():
    settings = Settings(opensearch_url="http://127.0.0.1:9201, http://127.0.0.1:9202,http://127.0.0.1:9203")
    assert connection_options(settings)["hosts"] == [f"http://127.0.0.1:{p}" for p in (9201, 9202, 9203)]
    # The async client opens its pool on first use: its hosts are what it will open.
    assert sorted(c.port for c in build_client(settings).transport.connection_pool.connections) == [9201, 9202, 9203]
    assert [h["port"] for h in build_async_client(settings).transport.hosts] == [9201, 9202, 9203]


async def test_a_dead_host_in_the_list_does_not_fail_searches(settings, scenario):
    """The client marks the dead node and retries on the next: every search of the list is answered."""
    listed = settings.model_copy(update={"opensearch_url": f"http://127.0.0.1:9,{settings.opensearch_url}"})
    client = build_async_client(listed)
    try:
        gateway = SearchGateway(client, timeout_ms=2000, request_timeout_s=3)
        for _ in range(6):
            found = await gateway.search(settings.contacts_alias, {"query": {"match_all": {}}})
            assert found["hits"]["total"]["value"] >= 6
    finally:
        await client.close()


def test_basic_auth_goes_to_both_clients_and_the_password_never_shows():
    settings = Settings(opensearch_url="https://node:9200", opensearch_username="lookup", opensearch_password=SECRET)
    assert connection_options(settings)["http_auth"] == ("lookup", SECRET)
    assert connection_options(settings, asynchronous=True)["http_auth"] == ("lookup", SECRET)
    assert SECRET not in repr(settings) and SECRET not in str(settings)
    assert SECRET not in settings.model_dump_json()


def test_credentials_inside_the_url_are_refused_without_echoing_them():
    with pytest.raises(ValidationError) as refused:
        Settings(opensearch_url=f"https://lookup:{SECRET}@node:9200")
    assert "OPENSEARCH_USERNAME" in str(refused.value)
    assert SECRET not in str(refused.value)


def test_tls_settings_reach_the_connection_options(tmp_path):
    ca, cert, key = (tmp_path / name for name in ("ca.pem", "client.pem", "client-key.pem"))
    settings = Settings(
        opensearch_url="https://node:9200",
        opensearch_ca_certs=ca,
        opensearch_client_cert=cert,
        opensearch_client_key=key,
    )
    options = connection_options(settings)
    assert options["verify_certs"] is True
    assert (options["ca_certs"], options["client_cert"], options["client_key"]) == (str(ca), str(cert), str(key))


def test_a_client_certificate_without_its_key_is_refused(tmp_path):
    with pytest.raises(ValidationError, match="go together"):
        Settings(opensearch_client_cert=tmp_path / "client.pem")


def test_turning_certificate_checks_off_is_a_loud_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="service.opensearch.client"):
        options = connection_options(Settings(opensearch_url="https://node:9200", opensearch_verify_certs=False))
    assert options["verify_certs"] is False
    assert any("NOT checked" in record.getMessage() for record in caplog.records)


def test_sigv4_needs_a_region():
    with pytest.raises(ValidationError, match="opensearch_aws_region"):
        Settings(opensearch_auth="sigv4")


async def test_sigv4_puts_the_aws_signer_in_both_clients_and_it_signs_for_the_region(monkeypatch):
    """As far as it goes without AWS: the signer built from boto3's credentials, its signature's scope."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEKEY123456")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example-secret-key")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    settings = Settings(
        opensearch_url="https://search-x.eu-west-3.es.amazonaws.com",
        opensearch_auth="sigv4",
        opensearch_aws_region="eu-west-3",
    )
    [sync] = build_client(settings).transport.connection_pool.connections
    assert isinstance(sync.http_auth, Urllib3AWSV4SignerAuth)
    async_client = build_async_client(settings)
    await async_client.transport._async_init()  # the pool the first request would open
    [connection] = async_client.transport.connection_pool.connections
    assert isinstance(connection, AsyncHttpConnection)
    assert isinstance(connection._http_auth, AWSV4SignerAsyncAuth)
    for signer in (sync.http_auth, connection._http_auth):
        headers = signer("GET", "https://search-x.eu-west-3.es.amazonaws.com/_cluster/health", None)
        assert headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIAEXAMPLEKEY123456/")
        assert "/eu-west-3/es/aws4_request" in headers["Authorization"]
    await async_client.close()


async def test_a_node_that_speaks_plain_http_to_an_https_client_is_a_503_not_a_stack_trace(settings):
    """The shared node speaks HTTP; an https URL to it fails the TLS handshake and says so."""
    https = settings.opensearch_url.replace("http://", "https://")
    client = build_async_client(settings.model_copy(update={"opensearch_url": https}))
    try:
        with pytest.raises(Unavailable) as refused:
            await SearchGateway(client, timeout_ms=500, request_timeout_s=2).search("contacts", {})
    finally:
        await client.close()
    assert refused.value.detail.startswith("search engine TLS handshake refused (WRONG_VERSION_NUMBER)")
