"""Against a real secured node (HTTPS only, the security plugin's demo certificates): the product rebuilds, syncs,
searches and verifies with the CA checked and basic auth, or with a client certificate alone; a wrong CA or a
wrong password is a 503 that says so in words, in the API, in /ready and in the CLI."""

import os
import subprocess
import sys

import certifi
import httpx
import pytest
from sqlalchemy import select

from service.app import create_app
from service.db.session import build_engine, build_sessionmaker
from service.models import Contact
from service.opensearch.client import build_client
from service.settings import Settings
from tests.support import scenario
from tests.support.secured_node import ADMIN_PASSWORD, ADMIN_USER

ENGINE_ENV = {
    "opensearch_url": "CONTACT_LOOKUP_OPENSEARCH_URL",
    "opensearch_username": "CONTACT_LOOKUP_OPENSEARCH_USERNAME",
    "opensearch_ca_certs": "CONTACT_LOOKUP_OPENSEARCH_CA_CERTS",
    "opensearch_client_cert": "CONTACT_LOOKUP_OPENSEARCH_CLIENT_CERT",
    "opensearch_client_key": "CONTACT_LOOKUP_OPENSEARCH_CLIENT_KEY",
}


@pytest.fixture
def secured(secured_node, make_database, run_prefix, test_root, request):
    """A database with the scenario and settings reaching the secured node with its CA and the admin's password."""
    db = make_database("sqlite", "secured")
    settings = Settings(
        home=test_root / "home",
        database_url=db.url,
        opensearch_url=secured_node.url,
        opensearch_username=ADMIN_USER,
        opensearch_password=ADMIN_PASSWORD,
        opensearch_ca_certs=secured_node.tls.root_ca,
        index_prefix=f"{run_prefix}-sec-{request.node.name[:20].lower().replace('_', '-')}",
        rate_limit_per_s=0,
    )
    engine = build_engine(settings)
    with build_sessionmaker(engine).begin() as session:
        data = scenario.build(session)
    yield settings, engine, data
    engine.dispose()
    with build_client(settings) as client:
        client.indices.delete(index=f"{settings.index_prefix}-*", params={"expand_wildcards": "all"})


def cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """A real `contact-lookup` process configured through the environment alone, as an operator would."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONTACT_LOOKUP_OPENSEARCH_")}
    env |= {
        "CONTACT_LOOKUP_DATABASE_URL": settings.database_url,
        "CONTACT_LOOKUP_INDEX_PREFIX": settings.index_prefix,
        "CONTACT_LOOKUP_HOME": str(settings.home),
        "CONTACT_LOOKUP_OPENSEARCH_PASSWORD": settings.opensearch_password.get_secret_value(),
    }
    for field, name in ENGINE_ENV.items():
        if (value := getattr(settings, field)) not in (None, ""):
            env[name] = str(value)
    command = [sys.executable, "-m", "service.cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)


async def quick_search(settings: Settings, token: str, value: str) -> tuple[httpx.Response, httpx.Response]:
    """A quick search by name and /ready, through the real app built from `settings`."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://contact-lookup.test") as client:
            found = await client.post(
                "/api/search/quick",
                json={"field": "name", "operator": "like", "value": value},
                headers={"Authorization": f"Bearer {token}"},
            )
            ready = await client.get("/ready")
    return found, ready


def names(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["display_name"] for item in response.json()["items"]]


async def test_rebuild_sync_search_and_verify_on_a_secured_node_with_its_ca_and_basic_auth(secured):
    settings, engine, data = secured
    rebuilt = cli(settings, "index", "rebuild", "--no-progress")
    assert rebuilt.returncode == 0, rebuilt.stderr
    found, ready = await quick_search(settings, data.tokens["agent"], "Mari%")
    assert {"María Núñez Peña"} <= set(names(found))
    assert ready.status_code == 200, ready.text

    with build_sessionmaker(engine).begin() as session:
        marie = session.scalar(select(Contact).where(Contact.first_name == "Marie"))
        marie.last_name = "Securisée"
    synced = cli(settings, "index", "sync", "--once")
    assert synced.returncode == 0, synced.stderr
    found, _ = await quick_search(settings, data.tokens["agent"], "%Securisee%")
    assert names(found) == ["Marie Securisée"]
    verified = cli(settings, "index", "verify")
    assert verified.returncode == 0 and "index matches the database" in verified.stdout, verified.stdout


async def test_a_client_certificate_alone_authenticates_with_mutual_tls(secured, secured_node):
    settings, _, data = secured
    by_certificate = settings.model_copy(
        update={
            "opensearch_username": "",
            "opensearch_password": type(settings.opensearch_password)(""),
            "opensearch_client_cert": secured_node.tls.client_cert,
            "opensearch_client_key": secured_node.tls.client_key,
        }
    )
    rebuilt = cli(by_certificate, "index", "rebuild", "--no-progress")
    assert rebuilt.returncode == 0, rebuilt.stderr
    found, ready = await quick_search(by_certificate, data.tokens["agent"], "Mari%")
    assert "María Núñez Peña" in names(found) and ready.status_code == 200
    # The same without the certificate: nothing authenticates the client, so the certificate was what did.
    anonymous = by_certificate.model_copy(update={"opensearch_client_cert": None, "opensearch_client_key": None})
    refused = cli(anonymous, "index", "verify")
    assert refused.returncode == 1 and "credentials refused" in refused.stderr, refused.stderr


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"opensearch_ca_certs": certifi.where()}, "certificate not trusted"),
        ({"opensearch_password": "not-the-password"}, "credentials refused"),
    ],
    ids=["wrong-ca", "wrong-password"],
)
async def test_a_wrong_ca_or_password_is_a_503_and_a_cli_error_that_say_so(secured, change, words):
    settings, _, data = secured
    wrong = Settings(**{**settings.model_dump(), "opensearch_password": ADMIN_PASSWORD, **change})
    found, ready = await quick_search(wrong, data.tokens["agent"], "Mari%")
    assert found.status_code == 503, found.text
    assert words in found.json()["detail"]
    assert ready.status_code == 503 and words in ready.json()["checks"]["opensearch"]["detail"]
    assert words in ready.json()["detail"]
    for command in (("index", "rebuild", "--no-progress"), ("index", "verify")):
        failed = cli(wrong, *command)
        assert failed.returncode == 1, failed.stderr
        assert words in failed.stderr and "Traceback" not in failed.stderr, failed.stderr
    assert ADMIN_PASSWORD not in found.text + ready.text


def test_certificate_checks_turned_off_still_reach_the_node_over_https(secured):
    settings, _, _ = secured
    unchecked = settings.model_copy(update={"opensearch_verify_certs": False, "opensearch_ca_certs": None})
    with build_client(unchecked) as client:
        assert client.cluster.health()["status"] in ("green", "yellow")
