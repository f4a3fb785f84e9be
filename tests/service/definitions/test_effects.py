"""What the active definition decides for an agent: how many recent communications, which context sections
and which actions."""

from search_definitions.loader import load_shipped
from tests.service.contacts.conftest import person_payload


async def activate(api, **overrides):
    data = load_shipped("default").model_dump(mode="json") | {"name": "Effects"} | overrides
    created = await api.client.post("/api/definitions", json=data, headers=api.admin)
    assert created.status_code == 201, created.text
    activated = await api.client.post(f"/api/definitions/{created.json()['id']}/activate", headers=api.admin)
    assert activated.status_code == 200, activated.text
    return created.json()["id"]


async def recent(api, **params):
    response = await api.client.get("/api/communications/recent", params=params, headers=api.agent)
    assert response.status_code == 200, response.text
    return response.json()


async def test_recent_shows_at_most_the_definition_limit_in_one_page(api):
    everything = await recent(api, size=50)
    assert len(everything["items"]) > 2

    await activate(api, recent_communications_limit=2)
    limited = await recent(api, size=50)
    assert limited["items"] == everything["items"][:2]
    assert (limited["total"], limited["next"]) == (2, None)


async def test_no_recent_limit_means_all_of_them_page_by_page(api):
    await activate(api, recent_communications_limit=None)
    first = await recent(api, size=2)
    assert first["total"] > 2 and len(first["items"]) == 2 and first["next"]
    pages = [first]
    while pages[-1]["next"]:
        pages.append(await recent(api, size=2, after=pages[-1]["next"]))
    ids = [item["communication_id"] for page in pages for item in page["items"]]
    assert len(ids) == len(set(ids)) == first["total"]
    created = [item["created_at"] for page in pages for item in page["items"]]
    assert created == sorted(created, reverse=True)


async def test_context_shows_only_the_sections_and_actions_the_definition_enables(api):
    contact = await api.client.post("/api/contacts", json=person_payload(), headers=api.admin)
    assert contact.status_code == 201, contact.text
    await activate(api, context_sections=["accounts_receivable", "communications"], actions=["log_communication"])
    response = await api.client.get(f"/api/contacts/{contact.json()['id']}/context", headers=api.agent)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["sections"] == ["accounts_receivable", "communications"]
    assert body["actions"] == ["log_communication"]
    assert [account["number"] for account in body["accounts_receivable"]] == ["AR-0042"]
    assert body["addresses"] is None and body["phones"] is None and body["subscriptions"] is None
    assert body["contact"]["display_name"] == "Marie Lefèvre"


async def any_field(api, value):
    body = {"field": "any", "operator": "=", "value": value}
    return await api.client.post("/api/search/quick", json=body, headers=api.agent)


async def test_any_searches_only_the_quick_fields_of_the_active_definition(api):
    shipped = await any_field(api, "AR-000100")
    assert [i["display_name"] for i in shipped.json()["items"]] == ["Marie Lefèvre"]

    await activate(api, quick_search_fields=["any", "name", "phone"])
    without_accounts = await any_field(api, "AR-000100")
    assert without_accounts.status_code == 200, without_accounts.text
    assert without_accounts.json()["items"] == []
    assert [i["display_name"] for i in (await any_field(api, "06 12 34 56 78")).json()["items"]] == ["Marie Lefèvre"]


async def test_a_definition_without_any_keeps_working_and_refuses_it_naming_its_fields(api):
    await activate(api, quick_search_fields=["name", "phone"])
    refused = await any_field(api, "Marie")
    assert refused.status_code == 422
    assert refused.json()["detail"].endswith("allowed: name, phone")
    active = await api.client.get("/api/definitions/active", headers=api.agent)
    assert [f["key"] for f in active.json()["quick_search_fields"]] == ["name", "phone"]
