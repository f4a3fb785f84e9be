"""The PostgreSQL settings reach the server: every connection names the product and carries the statement timeout,
and a statement over it is a 503 that says so."""

import os

import httpx
import pytest
from sqlalchemy import text

from service.app import create_app
from service.db.session import build_engine
from service.deps import SessionDep

pytestmark = pytest.mark.skipif(
    not os.environ.get("CONTACT_LOOKUP_TEST_POSTGRES_URL"), reason="needs CONTACT_LOOKUP_TEST_POSTGRES_URL"
)


@pytest.fixture
def postgres_settings(make_database, settings):
    db = make_database("postgresql", "dbsettings")
    return settings.model_copy(
        update={
            "database_url": db.url,
            "database_application_name": "contact-lookup-test-api",
            "database_statement_timeout_ms": 300,
            "database_pool_size": 3,
            "database_max_overflow": 1,
            "database_pool_timeout_s": 2.5,
        }
    )


def test_connections_carry_the_application_name_and_the_statement_timeout(postgres_settings):
    engine = build_engine(postgres_settings)
    try:
        with engine.connect() as connection:
            assert connection.scalar(text("SHOW statement_timeout")) == "300ms"
            names = connection.scalars(
                text("SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()")
            ).all()
            assert names == ["contact-lookup-test-api"]
        assert (engine.pool.size(), engine.pool._max_overflow, engine.pool._timeout) == (3, 1, 2.5)
    finally:
        engine.dispose()


def test_the_url_query_wins_over_the_settings(postgres_settings):
    url = f"{postgres_settings.database_url}?application_name=from-the-url"
    engine = build_engine(postgres_settings.model_copy(update={"database_url": url}))
    try:
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT current_setting('application_name')")) == "from-the-url"
    finally:
        engine.dispose()


def test_a_zero_statement_timeout_leaves_the_server_default(postgres_settings):
    engine = build_engine(postgres_settings.model_copy(update={"database_statement_timeout_ms": 0}))
    try:
        with engine.connect() as connection:
            assert connection.scalar(text("SHOW statement_timeout")) == "0"
    finally:
        engine.dispose()


async def test_a_statement_over_the_timeout_is_a_503_naming_the_timeout(postgres_settings):
    app = create_app(postgres_settings)

    @app.get("/slow")
    def slow(session: SessionDep) -> dict[str, int]:
        session.execute(text("SELECT pg_sleep(2)"))
        return {"slept": 2}

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://contact-lookup.test") as client:
            response = await client.get("/slow")
    assert response.status_code == 503, response.text
    assert response.json() == {"detail": "database too slow: a statement exceeded its timeout; retry shortly"}
