"""Indexer tests write and rebuild, so each gets a database and an index prefix of its own."""

import itertools
import os

import pytest

from indexer.rebuild import rebuild
from service.db.session import build_engine, build_sessionmaker
from tests.support import scenario

_counter = itertools.count()


@pytest.fixture
def own(make_database, database, settings, os_client, run_prefix):
    db = make_database(database.backend, "indexer")
    prefix = f"{run_prefix}-ix{next(_counter)}"
    own_settings = settings.model_copy(update={"database_url": db.url, "index_prefix": prefix})
    engine = build_engine(own_settings)
    with build_sessionmaker(engine).begin() as session:
        scenario.build(session)
    yield own_settings, engine
    engine.dispose()
    os_client.indices.delete(index=f"{prefix}-*", params={"expand_wildcards": "all"})


def build(settings, engine, client):
    """The rebuild alone: the outbox drain that follows it is the sync's business (tested once, in test_rebuild)."""
    return rebuild(settings=settings, engine=engine, client=client, drain_outbox=False)


def cli_env(settings):
    """The environment a `contact-lookup` process needs to work on the caller's database and indices."""
    return {
        **os.environ,
        "CONTACT_LOOKUP_DATABASE_URL": settings.database_url,
        "CONTACT_LOOKUP_OPENSEARCH_URL": settings.opensearch_url,
        "CONTACT_LOOKUP_INDEX_PREFIX": settings.index_prefix,
        "CONTACT_LOOKUP_HOME": str(settings.home),
    }
