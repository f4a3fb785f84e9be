"""Resource limits of the search endpoints: sizes, lengths, criteria counts, body size and foreign cursors."""

from contextlib import asynccontextmanager

import httpx
import pytest

from service.app import create_app
from service.search.results import encode_cursor
from tests.conftest import bearer


@pytest.fixture
def agent(scenario):
    return bearer(scenario.tokens["agent"])


@pytest.mark.parametrize(
    "cursor",
    [
        [1],
        ["a", "b", "c"],
        [1.0, "marie lefevre", 2, 7],
    ],
)
async def test_a_cursor_that_does_not_fit_the_search_is_a_422(app_client, agent, cursor):
    body = {"field": "name", "operator": "like", "value": "%a%", "after": encode_cursor(cursor)}
    response = await app_client.post("/api/search/quick", json=body, headers=agent)
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith("after: not a cursor")


async def test_a_quick_search_cursor_is_refused_by_the_communications_listing(app_client, agent):
    first = await app_client.post(
        "/api/search/quick", json={"field": "name", "operator": "like", "value": "%a%", "size": 1}, headers=agent
    )
    cursor = first.json()["next"]
    assert cursor
    response = await app_client.get("/api/communications/worklist", params={"after": cursor}, headers=agent)
    assert response.status_code == 422, response.text


@asynccontextmanager
async def client_with(settings, **overrides):
    app = create_app(settings.model_copy(update=overrides))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://contact-lookup.test") as client:
            yield client


async def test_a_body_above_the_limit_is_a_413_before_it_is_parsed(settings, agent):
    big = {"field": "name", "operator": "=", "value": "x" * 2000}
    async with client_with(settings, max_body_bytes=1000) as client:
        response = await client.post("/api/search/quick", json=big, headers=agent)
        assert response.status_code == 413
        assert response.json()["detail"].endswith("at most 1000 bytes are allowed")

        async def chunks():
            for _ in range(4):
                yield b" " * 400

        streamed = await client.post(
            "/api/search/quick", content=chunks(), headers=agent | {"Content-Type": "application/json"}
        )
        assert "content-length" not in streamed.request.headers
        assert streamed.status_code == 413
        assert (await client.post("/api/search/quick", json={"field": "name", "value": "x"}, headers=agent)).is_success
