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
    body = {"field": "name", "operator": "like", "value": "%ar%", "after": encode_cursor(cursor)}
    response = await app_client.post("/api/search/quick", json=body, headers=agent)
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith("after: not a cursor")


async def test_a_quick_search_cursor_is_refused_by_the_communications_listing(app_client, agent):
    first = await app_client.post(
        "/api/search/quick", json={"field": "name", "operator": "like", "value": "%ar%", "size": 1}, headers=agent
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


async def test_more_criteria_than_the_limit_is_a_422_naming_it(settings, agent):
    contact = {"first_name": "Marie", "last_name": "Lef%", "category": "vip"}
    communications = {"keyword": "dispute", "communication_status": "open", "channel": "phone"}
    async with client_with(settings, max_criteria=2) as client:
        advanced = await client.post("/api/search/advanced", json={"contact": contact}, headers=agent)
        assert advanced.status_code == 422
        assert advanced.json()["detail"] == "3 criteria given; at most 2 are allowed"
        search = await client.post("/api/communications/search", json={"criteria": communications}, headers=agent)
        assert search.status_code == 422
        assert search.json()["detail"] == "3 criteria given; at most 2 are allowed"
        two = {"first_name": "Marie", "last_name": "Lef%"}
        assert (await client.post("/api/search/advanced", json={"contact": two}, headers=agent)).status_code == 200


async def test_page_size_above_the_cap_is_a_422_everywhere(app_client, agent):
    for method, url, kwargs in (
        ("POST", "/api/search/quick", {"json": {"field": "name", "value": "x", "size": 101}}),
        ("POST", "/api/search/advanced", {"json": {"contact": {"first_name": "x"}, "size": 101}}),
        ("POST", "/api/communications/search", {"json": {"criteria": {"keyword": "x"}, "size": 101}}),
        ("GET", "/api/communications/worklist", {"params": {"size": 101}}),
    ):
        response = await app_client.request(method, url, headers=agent, **kwargs)
        assert response.status_code == 422, url
        assert "size must be at most 100" in response.text, url


async def test_an_over_long_criterion_value_is_a_422_naming_the_field(app_client, agent):
    response = await app_client.post("/api/search/advanced", json={"address": {"city": "P" * 101}}, headers=agent)
    assert response.status_code == 422
    assert response.json()["detail"] == "address.city: value is 101 characters long; at most 100 are allowed"


async def test_a_contact_id_beyond_the_id_range_is_a_422_not_an_engine_error(app_client, agent):
    body = {"criteria": {}, "contact_id": 2**70}
    response = await app_client.post("/api/communications/search", json=body, headers=agent)
    assert response.status_code == 422, response.text
    assert "less than or equal to 2147483647" in response.text


@pytest.mark.parametrize(
    "balance",
    [b"NaN", b"Infinity", b'{"min": -Infinity}', b"1" + b"0" * 400, b'{"max": 1e999}'],
)
async def test_an_amount_that_is_not_a_finite_number_is_a_422_naming_the_field(app_client, agent, balance):
    """JSON as Python reads it accepts NaN, Infinity and integers of any length; none may reach the engine."""
    content = b'{"accounts_receivable": {"balance": ' + balance + b"}}"
    response = await app_client.post(
        "/api/search/advanced", content=content, headers=agent | {"Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith("accounts_receivable.balance")
    assert "finite number" in response.json()["detail"]


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/search/quick", {"field": "name", "value": "Ma\x00"}, "value"),
        ("/api/search/advanced", {"contact": {"last_name": "\x00%"}}, "contact"),
        ("/api/communications/search", {"criteria": {"keyword": ["\x00"]}}, "criteria"),
    ],
)
async def test_a_nul_character_in_a_search_is_a_422_naming_the_field(app_client, agent, url, body, field):
    response = await app_client.post(url, json=body, headers=agent)
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", field] and "NUL" in error["msg"]
