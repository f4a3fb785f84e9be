"""The admin API of definitions: roles, validation, versions, activation and rollback."""

import pytest

from search_definitions.loader import load_shipped


def body(**overrides):
    data = load_shipped("default").model_dump(mode="json")
    data.update(overrides)
    return data


async def create(api, **overrides):
    response = await api.client.post("/api/definitions", json=body(**overrides), headers=api.admin)
    assert response.status_code == 201, response.text
    return response.json()


async def quick(api, field, headers=None):
    payload = {"field": field, "operator": "like", "value": "Ma"}
    return await api.client.post("/api/search/quick", json=payload, headers=headers or api.agent)


async def test_agent_gets_403_on_every_write_and_on_admin_reads(api):
    created = await create(api, name="Care")
    path = f"/api/definitions/{created['id']}"
    for method, url, payload in (
        ("POST", "/api/definitions", body(name="Other")),
        ("PUT", path, body(name="Care")),
        ("DELETE", path, None),
        ("POST", f"{path}/activate", None),
        ("POST", f"{path}/rollback", {"version": 1}),
        ("GET", "/api/definitions", None),
        ("GET", path, None),
        ("GET", f"{path}/history", None),
        ("GET", "/api/definitions/catalogue", None),
    ):
        response = await api.client.request(method, url, json=payload, headers=api.agent)
        assert response.status_code == 403, (method, url, response.text)


async def test_agent_reads_the_active_definition_with_labels_in_order(api):
    response = await api.client.get("/api/definitions/active", headers=api.agent)
    assert response.status_code == 200
    fields = response.json()["quick_search_fields"]
    assert [f["key"] for f in fields][:4] == ["any", "name", "phone", "email"]
    assert fields[0] == {"key": "any", "label": "Any field", "type": "any", "operators": ["=", "like"], "values": []}
    assert fields[1] == {"key": "name", "label": "Name", "type": "text", "operators": ["=", "like"], "values": []}


async def test_admin_reads_the_catalogue_of_everything_a_definition_may_contain(api):
    response = await api.client.get("/api/definitions/catalogue", headers=api.admin)
    assert response.status_code == 200
    catalogue = response.json()
    quick = [f["key"] for f in catalogue["quick_search_fields"]]
    assert {"name", "phone", "reference_number"} <= set(quick) and "city" not in quick
    assert quick[0] == "any"
    address = {f["key"]: f for f in catalogue["advanced_search_fields"]["address"]}
    assert address["city"]["label"] == "City" and "name" not in address
    assert catalogue["advanced_search_fields"]["accounts_receivable"][0]["key"] == "account_number"
    assert catalogue["address_scopes"] == ["any", "billing", "subscription"]
    assert "place_in_dispute" in catalogue["actions"] and "leads" in catalogue["context_sections"]
    assert catalogue["max_recent_communications_limit"] == 500
    shipped = load_shipped("default")
    assert set(shipped.quick_search_fields) <= set(quick)


async def test_admin_creates_reads_lists_and_deletes(api):
    created = await create(api, name="Care")
    assert created["version"] == 1 and created["author"] == "admin" and created["active_for"] == []
    assert (await api.client.get(f"/api/definitions/{created['id']}", headers=api.admin)).json() == created
    listed = (await api.client.get("/api/definitions", headers=api.admin)).json()
    assert [d["id"] for d in listed] == [created["id"]]
    deleted = await api.client.delete(f"/api/definitions/{created['id']}", headers=api.admin)
    assert deleted.status_code == 204
    assert (await api.client.get(f"/api/definitions/{created['id']}", headers=api.admin)).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"quick_search_fields": ["name", "shoe_size"]}, "unknown field 'shoe_size'"),
        ({"quick_search_fields": ["city"]}, "'city' cannot be a quick-search field"),
        ({"quick_search_fields": ["name", "name"]}, "'name' is listed twice"),
        ({"quick_search_fields": []}, "quick_search_fields"),
        ({"advanced_search_fields": {"contact": ["city"]}}, "'city' belongs to section 'address'"),
        ({"advanced_search_fields": {"address": ["reference_number"]}}, "'reference_number' belongs to section"),
        ({"recent_communications_limit": -3}, "recent_communications_limit"),
        ({"actions": ["launch_rocket"]}, "launch_rocket"),
        ({"context_sections": ["horoscope"]}, "horoscope"),
    ],
)
async def test_invalid_definition_is_a_422_naming_the_entry(api, overrides, message):
    response = await api.client.post("/api/definitions", json=body(**overrides), headers=api.admin)
    assert response.status_code == 422
    assert message in response.text


async def test_duplicate_name_is_a_409(api):
    await create(api, name="Care")
    response = await api.client.post("/api/definitions", json=body(name="Care"), headers=api.admin)
    assert response.status_code == 409
    assert "already exists" in response.json()["detail"]


async def test_every_save_is_a_version_and_stale_saves_are_refused(api):
    created = await create(api, name="Care")
    path = f"/api/definitions/{created['id']}"
    saved = await api.client.put(path, json=body(name="Care", recent_communications_limit=5), headers=api.admin)
    assert saved.json()["version"] == 2
    stale = await api.client.put(path, json=body(name="Care"), headers={**api.admin, "If-Match": '"1"'})
    assert stale.status_code == 409
    assert "at version 2, not 1" in stale.json()["detail"]
    history = (await api.client.get(f"{path}/history", headers=api.admin)).json()
    assert [(v["version"], v["definition"]["recent_communications_limit"]) for v in history] == [(2, 5), (1, 20)]


async def test_deleting_the_active_definition_is_a_409(api):
    created = await create(api, name="Care")
    await api.client.post(f"/api/definitions/{created['id']}/activate", headers=api.admin)
    response = await api.client.delete(f"/api/definitions/{created['id']}", headers=api.admin)
    assert response.status_code == 409
    assert "is active" in response.json()["detail"]


async def test_exactly_one_definition_is_active_per_scope(api):
    first = await create(api, name="Care")
    second = await create(api, name="Collections view")
    await api.client.post(f"/api/definitions/{first['id']}/activate", headers=api.admin)
    await api.client.post(f"/api/definitions/{second['id']}/activate", headers=api.admin)
    listed = {
        d["definition"]["name"]: d["active_for"]
        for d in (await api.client.get("/api/definitions", headers=api.admin)).json()
    }
    assert listed == {"Care": [], "Collections view": ["*"]}


async def test_business_unit_definition_applies_only_to_that_unit(api):
    bu = await create(api, name="BU02 care", business_units=["bu02"], quick_search_fields=["phone", "name"])
    assert bu["definition"]["business_units"] == ["BU02"], "a unit is a code, stored in upper case"
    await api.client.post(f"/api/definitions/{bu['id']}/activate", headers=api.admin)
    mine = (await api.client.get("/api/definitions/active", headers=api.agent_bu02)).json()
    everyone = (await api.client.get("/api/definitions/active", headers=api.agent)).json()
    assert mine["definition"]["name"] == "BU02 care"
    assert everyone["definition"]["name"] == load_shipped("default").name


async def test_removed_quick_field_is_refused_at_once_and_accepted_after_rollback(api):
    created = await create(api, name="Care")
    path = f"/api/definitions/{created['id']}"
    await api.client.post(f"{path}/activate", headers=api.admin)
    assert (await quick(api, "name")).status_code == 200

    without_name = [f for f in body()["quick_search_fields"] if f != "name"]
    saved = await api.client.put(path, json=body(name="Care", quick_search_fields=without_name), headers=api.admin)
    assert saved.json()["version"] == 2
    refused = await quick(api, "name")
    assert refused.status_code == 422
    assert "'name' is not a quick-search field" in refused.json()["detail"]

    rolled = await api.client.post(f"{path}/rollback", json={"version": 1}, headers=api.admin)
    assert rolled.json()["version"] == 3
    assert (await quick(api, "name")).status_code == 200
    history = (await api.client.get(f"{path}/history", headers=api.admin)).json()
    assert history[0]["note"] == "rollback to version 1"


async def test_rollback_to_a_missing_version_is_a_404(api):
    created = await create(api, name="Care")
    response = await api.client.post(
        f"/api/definitions/{created['id']}/rollback", json={"version": 9}, headers=api.admin
    )
    assert response.status_code == 404


async def test_an_id_or_version_beyond_the_id_range_is_a_422_not_a_500(api):
    created = await create(api, name="Bounded")
    huge = 2**70
    for method, url, payload in (
        ("GET", f"/api/definitions/{huge}", None),
        ("DELETE", f"/api/definitions/{huge}", None),
        ("POST", f"/api/definitions/{huge}/activate", None),
        ("GET", f"/api/definitions/{huge}/history", None),
        ("POST", f"/api/definitions/{created['id']}/rollback", {"version": huge}),
    ):
        response = await api.client.request(method, url, json=payload, headers=api.admin)
        assert response.status_code == 422, (method, url, response.text)
        assert "less than or equal to 2147483647" in response.text


async def test_a_nul_character_in_a_definition_is_a_422(api):
    response = await api.client.post("/api/definitions", json=body(name="Care\x00"), headers=api.admin)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", "name"]
