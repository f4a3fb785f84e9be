"""Outages: the engine down or the database down is a 503 that says which and when to retry; writes keep
committing while the engine is away and reach it once it is back; everything recovers without a restart."""

import asyncio
import itertools
import shutil
import time
from contextlib import asynccontextmanager

import httpx
import pytest
from sqlalchemy import func, select

from indexer.rebuild import rebuild
from indexer.sync import start_background, wait_until_drained
from indexer.verify import verify
from service.app import create_app
from service.auth.service import add_user
from service.auth.tokens import new_token
from service.db.session import build_engine, build_sessionmaker
from service.models import OutboxEntry
from service.models.enums import UserRole
from service.opensearch.client import build_client
from service.settings import Settings
from tests.conftest import bearer
from tests.support.scenario import build

_counter = itertools.count()
SEARCHES = (
    ("POST", "/api/search/quick", {"json": {"field": "name", "operator": "like", "value": "Ma%"}}),
    ("POST", "/api/search/advanced", {"json": {"address": {"city": "Paris"}}}),
    ("POST", "/api/communications/search", {"json": {"criteria": {"keyword": "dispute"}}}),
    ("GET", "/api/communications/recent", {}),
    ("GET", "/api/communications/worklist", {}),
)


@asynccontextmanager
async def serving(settings):
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://contact-lookup.test") as client:
            yield client


@pytest.fixture
def on_outage_node(outage_node, make_database, database, settings, run_prefix):
    """The scenario in a database of its own, indexed on the node this test may stop."""
    db = make_database(database.backend, "outage")
    own = settings.model_copy(
        update={
            "database_url": db.url,
            "opensearch_url": outage_node.url,
            "index_prefix": f"{run_prefix}-out{next(_counter)}",
            "sync_max_backoff_s": 1.0,
        }
    )
    engine = build_engine(own)
    with build_sessionmaker(engine).begin() as session:
        scenario = build(session)
    client = build_client(own)
    rebuild(settings=own, engine=engine, client=client)
    yield own, engine, client, scenario
    outage_node.start()
    client.indices.delete(index=f"{own.index_prefix}-*", params={"expand_wildcards": "all"})
    client.close()
    engine.dispose()


async def searchable(search, shows, *, within_s=5.0):
    """A written document is searchable after the next refresh (1 s): the first page that `shows` it, or the last
    one tried within `within_s`."""
    deadline = time.monotonic() + within_s
    while True:
        response = await search()
        assert response.status_code == 200, response.text
        if shows(response.json()) or time.monotonic() > deadline:
            return response.json()
        await asyncio.sleep(0.2)


def pending(engine):
    with build_sessionmaker(engine)() as session:
        return session.scalar(select(func.count()).select_from(OutboxEntry))


async def test_engine_down_is_a_503_on_searches_while_writes_commit_and_reach_the_index_once_it_is_back(
    on_outage_node, outage_node
):
    settings, engine, os_client, scenario = on_outage_node
    agent, admin = bearer(scenario.tokens["agent"]), bearer(scenario.tokens["admin"])
    syncing, stop = start_background(settings=settings, engine=engine, client=build_client(settings))
    try:
        async with serving(settings) as api:
            assert (await api.request(*SEARCHES[0][:2], headers=agent, **SEARCHES[0][2])).status_code == 200
            outage_node.kill()

            for method, url, kwargs in SEARCHES:
                response = await api.request(method, url, headers=agent, **kwargs)
                assert response.status_code == 503, (url, response.text)
                assert response.headers["retry-after"].isdigit(), url
                assert "search engine" in response.json()["detail"], url
            ready = await api.get("/ready")
            assert ready.status_code == 503
            checks = ready.json()["checks"]
            assert checks["database"]["ok"] is True and checks["opensearch"]["ok"] is False
            assert "search engine unreachable" in checks["opensearch"]["detail"]
            marie = scenario.ids["marie"]
            assert (await api.get(f"/api/contacts/{marie}/context", headers=agent)).status_code == 200

            created = await api.post(
                "/api/contacts",
                json={
                    "kind": "person",
                    "first_name": "Ophélie",
                    "last_name": "Outage",
                    "business_unit": "BU01",
                    "phones": [{"type": "mobile", "number": "06 99 88 77 66"}],
                },
                headers=admin,
            )
            assert created.status_code == 201, created.text
            patched = await api.patch(f"/api/contacts/{marie}", json={"category": "during-outage"}, headers=admin)
            assert patched.status_code == 200, patched.text
            logged = await api.post(
                "/api/communications",
                json={"contact_id": marie, "direction": "incoming", "channel": "phone", "topic": "While down"},
                headers=agent,
            )
            assert logged.status_code == 201, logged.text
            assert pending(engine) > 0

            outage_node.start()
            assert wait_until_drained(engine, timeout_s=60)
            phone = {"field": "phone", "operator": "=", "value": "+33699887766"}
            found = await searchable(
                lambda: api.post("/api/search/quick", json=phone, headers=agent), lambda page: page["items"]
            )
            assert [i["contact_id"] for i in found["items"]] == [created.json()["id"]]
            recent = await searchable(
                lambda: api.get("/api/communications/recent", headers=agent),
                lambda page: page["items"][0]["topic"] == "While down",
            )
            assert recent["items"][0]["topic"] == "While down"
            assert (await api.get("/ready")).status_code == 200
    finally:
        stop.set()
        syncing.join(timeout=10)
    results = verify(settings=settings, engine=engine, client=os_client)
    assert all(d.clean for d in results.values()), {a: d.lines(a) for a, d in results.items()}


async def test_database_down_is_a_503_naming_it_and_recovery_needs_no_restart(make_database, settings, tmp_path):
    path = tmp_path / "db" / "contact-lookup.db"
    path.mkdir(parents=True)
    down = settings.model_copy(update={"database_url": f"sqlite:///{path}"})
    async with serving(down) as api:
        refused = await api.post("/api/search/quick", json={"field": "name", "value": "x"}, headers=bearer(new_token()))
        assert refused.status_code == 503
        assert refused.json() == {"detail": "database unavailable; retry shortly"}
        assert refused.headers["retry-after"].isdigit()
        ready = await api.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"]["ok"] is False
        assert ready.json()["checks"]["opensearch"]["ok"] is True

        back = make_database("sqlite", "recovered")
        recovered_engine = build_engine(Settings(database_url=back.url))
        with build_sessionmaker(recovered_engine).begin() as session:
            _, token = add_user(session, "agent", UserRole.AGENT)
        recovered_engine.dispose()
        path.rmdir()
        shutil.copyfile(back.url.removeprefix("sqlite:///"), path)
        assert (await api.get("/api/definitions/active", headers=bearer(token))).status_code == 200
        assert (await api.get("/ready")).json()["checks"]["database"]["ok"] is True


async def test_an_unreachable_postgresql_is_a_503(settings):
    down = settings.model_copy(update={"database_url": "postgresql+psycopg://nobody@127.0.0.1:9/none"})
    async with serving(down) as api:
        refused = await api.get("/api/communications/recent", headers=bearer(new_token()))
        assert refused.status_code == 503
        assert refused.json() == {"detail": "database unavailable; retry shortly"}
        assert (await api.get("/ready")).json()["checks"]["database"]["ok"] is False
