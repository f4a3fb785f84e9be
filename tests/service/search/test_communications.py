"""The agent's communications: recent ones, the follow-up worklist and communications search."""

import pytest

from tests.conftest import bearer


@pytest.fixture
def get(app_client, scenario):
    async def run(path, token="agent", **params):
        return await app_client.get(path, params=params, headers=bearer(scenario.tokens[token]))

    return run


def topics(response):
    assert response.status_code == 200, response.text
    return [(item["contact_display_name"], item["status"]) for item in response.json()["items"]]


async def test_recent_lists_the_callers_own_communications_newest_first(get):
    assert topics(await get("/api/communications/recent")) == [
        ("Marie Lefèvre", "open"),
        ("María Núñez Peña", "in_progress"),
        ("Élodie Dvořák", "closed"),
        ("Mona Schäfer", "open"),
    ]
    assert topics(await get("/api/communications/recent", token="agent-bu02")) == [("GLORIA Ortega", "open")]


async def test_each_recent_item_carries_what_loads_its_contact(get, scenario):
    item = (await get("/api/communications/recent")).json()["items"][0]
    assert item["contact_id"] == scenario.ids["marie"]
    assert item["references"] == [{"qualifier": "invoice", "reference_id": "INV-2025-004211"}]


async def test_worklist_lists_due_follow_ups_not_closed_oldest_first(get):
    assert topics(await get("/api/communications/worklist")) == [("Mona Schäfer", "open")]


async def test_communications_are_found_by_reference_keyword_and_action(app_client, scenario):
    async def search(**criteria):
        response = await app_client.post(
            "/api/communications/search", json={"criteria": criteria}, headers=bearer(scenario.tokens["agent"])
        )
        return topics(response)

    assert await search(reference_id="trx 0007") == [("Mona Schäfer", "open")]
    assert await search(reference_id="INV-2025-004211", reference_qualifier="invoice") == [("Marie Lefèvre", "open")]
    assert await search(reference_id="INV-2025-004211", reference_qualifier="item") == []
    assert await search(transaction_reference="TRX-0007") == [("Mona Schäfer", "open")]
    assert await search(transaction_reference="ITM-0042") == []
    assert await search(transaction_reference="trx%", keyword="promise-to-pay") == [("Mona Schäfer", "open")]
    # on a reference of its own: beside a reference criterion, each names one of the communication's references
    assert await search(
        reference_id="INV-2026-0015", reference_qualifier="invoice", transaction_reference="TRX-0007"
    ) == [("Mona Schäfer", "open")]
    assert await search(transaction_reference="INV-2026-0015") == []
    assert await search(keyword="promise-to-pay") == [("Mona Schäfer", "open")]
    assert await search(action="partial_dispute") == [("Marie Lefèvre", "open")]
    assert await search(communication_status="closed") == [("Élodie Dvořák", "closed")]
    assert await search(interaction_date={"min": "2026-10-20", "max": "2026-10-25"}) == [
        ("María Núñez Peña", "in_progress")
    ]
    assert await search(interaction_date={"min": "2026-10-20", "max": "2026-10-31"}) == [
        ("GLORIA Ortega", "open"),
        ("María Núñez Peña", "in_progress"),
    ]


async def test_communications_search_refuses_fields_outside_its_section(app_client, scenario):
    response = await app_client.post(
        "/api/communications/search", json={"criteria": {"city": "Paris"}}, headers=bearer(scenario.tokens["agent"])
    )
    assert response.status_code == 422
    assert "communications.city" in response.text
