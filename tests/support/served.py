"""The scenario (and optionally demo contacts) in a database of its own, indexed under its own prefix and served
by a real `contact-lookup serve` on loopback: what the fuzzing and load runs talk to."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from indexer.rebuild import rebuild
from service.db.migrate import upgrade
from service.db.session import build_engine, build_sessionmaker
from service.demo.loader import load_demo_data
from service.opensearch.client import build_client
from service.settings import Settings
from tests.support.scenario import Scenario, build
from tests.support.server import running_server


@dataclass(frozen=True)
class Served:
    url: str
    settings: Settings
    engine: Engine
    scenario: Scenario


@contextmanager
def served_scenario(
    *,
    home: Path,
    opensearch_url: str,
    index_prefix: str,
    database_url: str | None = None,
    demo_contacts: int = 0,
    workers: int = 1,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Served]:
    """Rate limits (of requests and of failed authentications) are off unless `extra_env` sets them: the runs
    measure the service, not the limiters."""
    settings = Settings(
        home=home,
        database_url=database_url or f"sqlite:///{home / 'served.db'}",
        opensearch_url=opensearch_url,
        index_prefix=index_prefix,
    )
    engine = build_engine(settings)
    client = build_client(settings)
    try:
        upgrade(engine)
        with build_sessionmaker(engine).begin() as session:
            scenario = build(session)
        if demo_contacts:
            load_demo_data(engine, contacts=demo_contacts, seed=42, users=["agent", "amelie.roux", "jan.novak"])
        rebuild(settings=settings, engine=engine, client=client)
        env = {
            "CONTACT_LOOKUP_HOME": str(home),
            "CONTACT_LOOKUP_DATABASE_URL": settings.database_url,
            "CONTACT_LOOKUP_OPENSEARCH_URL": opensearch_url,
            "CONTACT_LOOKUP_INDEX_PREFIX": index_prefix,
            "CONTACT_LOOKUP_RATE_LIMIT_PER_S": "0",
            "CONTACT_LOOKUP_AUTH_FAILURES_PER_MINUTE": "0",
            **(extra_env or {}),
        }
        with running_server(env, workers=workers) as url:
            yield Served(url=url, settings=settings, engine=engine, scenario=scenario)
    finally:
        client.indices.delete(index=f"{index_prefix}-*", params={"expand_wildcards": "all"})
        client.close()
        engine.dispose()
