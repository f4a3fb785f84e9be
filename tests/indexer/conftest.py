"""Indexer tests write and rebuild, so each gets a database and an index prefix of its own."""

import itertools

import pytest

from service.db.session import build_engine, build_sessionmaker
from tests.support.scenario import build

_counter = itertools.count()


@pytest.fixture
def own(make_database, database, settings, os_client, run_prefix):
    db = make_database(database.backend, "indexer")
    prefix = f"{run_prefix}-ix{next(_counter)}"
    own_settings = settings.model_copy(update={"database_url": db.url, "index_prefix": prefix})
    engine = build_engine(own_settings)
    with build_sessionmaker(engine).begin() as session:
        build(session)
    yield own_settings, engine
    engine.dispose()
    os_client.indices.delete(index=f"{prefix}-*", params={"expand_wildcards": "all"})
