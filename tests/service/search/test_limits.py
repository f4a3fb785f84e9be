"""Resource limits of the search endpoints: sizes, lengths, criteria counts, body size and foreign cursors."""

import pytest

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
