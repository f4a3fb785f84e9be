"""Shared fixtures: one real OpenSearch node per session, real databases (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from opensearchpy import OpenSearch
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from service.app import create_app
from service.db.migrate import upgrade
from service.db.session import build_engine, build_sessionmaker
from service.opensearch.client import build_client
from service.settings import Settings
from tests.support.opensearch_node import ThrowawayNode, opensearch_url_for_tests

POSTGRES_ENV = "CONTACT_LOOKUP_TEST_POSTGRES_URL"


def database_backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get(POSTGRES_ENV) else ["sqlite"]


@pytest.fixture(scope="session")
def test_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("contact-lookup")


@pytest.fixture(scope="session")
def opensearch_url(test_root: Path) -> Iterator[str]:
    url, stop = opensearch_url_for_tests(test_root / "opensearch")
    try:
        yield url
    finally:
        stop()


@pytest.fixture(scope="session")
def throwaway_node(test_root: Path) -> Iterator[ThrowawayNode]:
    """A node of this test run's own that outage tests stop, kill and restart (never the shared one)."""
    node = ThrowawayNode(test_root / "throwaway-node")
    node.start()
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture
def outage_node(throwaway_node: ThrowawayNode) -> Iterator[ThrowawayNode]:
    """The throwaway node, running at the start of the test and again at its end, whatever the test did to it."""
    throwaway_node.start()
    yield throwaway_node
    throwaway_node.start()


@pytest.fixture(scope="session")
def run_prefix() -> str:
    """Every test session names its indices uniquely, so a shared cluster is never disturbed."""
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def os_client(opensearch_url: str, run_prefix: str) -> Iterator[OpenSearch]:
    client = build_client(Settings(opensearch_url=opensearch_url))
    try:
        yield client
    finally:
        client.indices.delete(index=f"{run_prefix}*", params={"expand_wildcards": "all"})
        client.close()


@dataclass(frozen=True)
class Database:
    backend: str
    url: str


def _create_postgres_database(admin_url: str, name: str) -> str:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(admin_url: str, name: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def make_database(test_root: Path, run_prefix: str) -> Iterator[object]:
    """Creates empty, migrated databases of a backend; each is dropped at the end of the session."""
    created: list[str] = []
    admin_url = os.environ.get(POSTGRES_ENV, "")

    def make(backend: str, label: str) -> Database:
        if backend == "sqlite":
            path = test_root / f"{label}-{uuid.uuid4().hex[:6]}.db"
            url = f"sqlite:///{path}"
        else:
            name = f"{run_prefix}_{label}_{uuid.uuid4().hex[:6]}".lower().replace("-", "_")
            url = _create_postgres_database(admin_url, name)
            created.append(name)
        engine = build_engine(Settings(database_url=url))
        upgrade(engine)
        engine.dispose()
        return Database(backend=backend, url=url)

    yield make
    for name in created:
        _drop_postgres_database(admin_url, name)


@pytest.fixture(scope="session", params=database_backends())
def database(request: pytest.FixtureRequest, make_database) -> Database:
    """The scenario database, once per backend: the same tests run on SQLite and on PostgreSQL."""
    return make_database(request.param, "scenario")


@pytest.fixture(scope="session")
def settings(database: Database, opensearch_url: str, run_prefix: str, test_root: Path) -> Settings:
    return Settings(
        home=test_root / "home",
        database_url=database.url,
        opensearch_url=opensearch_url,
        index_prefix=f"{run_prefix}-{database.backend}",
        rate_limit_per_s=0,
    )


@pytest.fixture(scope="session")
def db_engine(settings: Settings) -> Iterator[Engine]:
    engine = build_engine(settings)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def db_sessions(db_engine: Engine) -> sessionmaker[Session]:
    return build_sessionmaker(db_engine)


@pytest.fixture(scope="session")
async def app_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The real app, lifespan entered, over ASGI (no network)."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://contact-lookup.test") as client:
            yield client


@pytest.fixture(scope="session")
def scenario(settings: Settings, db_sessions: sessionmaker[Session], db_engine: Engine, os_client: OpenSearch):
    """The scenario contacts, committed and indexed through the real rebuild (so tests exercise the mappings)."""
    from indexer.rebuild import rebuild
    from tests.support.scenario import build

    with db_sessions.begin() as session:
        data = build(session)
    rebuild(settings=settings, engine=db_engine, client=os_client)
    return data


# --- A secured node and a three-node cluster: each started once per session, only when a test asks for it ---


@pytest.fixture(scope="session")
def secured_node(test_root: Path) -> Iterator[object]:
    """The 2.19.4 integ-test distribution with the security plugin, HTTPS only (tests.support.secured_node)."""
    from tests.support.secured_node import SecuredNode

    node = SecuredNode(test_root / "secured-node", cache_dir=Settings().cache_dir)
    node.start()
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture(scope="session")
def three_nodes(test_root: Path) -> Iterator[object]:
    from tests.support.cluster import Cluster

    cluster = Cluster(test_root / "cluster")
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def cluster(three_nodes):
    """The three-node cluster with all its nodes running at the start of the test, whatever an earlier one killed."""
    three_nodes.start()
    return three_nodes


# --- end of the secured node and cluster block ---


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# Single sign-on: a real Keycloak, started once per session and only when a test asks for `keycloak`.
from tests.support.keycloak import keycloak  # noqa: E402, F401
