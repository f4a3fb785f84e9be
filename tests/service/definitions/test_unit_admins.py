"""Admins bound to a business unit manage only that unit's definitions; everyone's need an admin bound to none."""

import pytest

from search_definitions.loader import load_shipped

DEFAULT = load_shipped("default").name


def body(**overrides):
    data = load_shipped("default").model_dump(mode="json")
    data.update(overrides)
    return data


async def create(api, headers, **overrides):
    response = await api.client.post("/api/definitions", json=body(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def active_name(api, headers):
    response = await api.client.get("/api/definitions/active", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["definition"]["name"]


def every_change(created, definition):
    """Each request that changes a stored definition or what is active, with the body it sends."""
    path = f"/api/definitions/{created['id']}"
    return (
        ("PUT", path, definition),
        ("POST", f"{path}/activate", None),
        ("POST", f"{path}/deactivate", None),
        ("POST", f"{path}/rollback", {"version": 1}),
        ("DELETE", path, None),
    )


async def test_unit_admin_cannot_create_a_definition_for_everyone(api):
    response = await api.client.post("/api/definitions", json=body(name="Everyone"), headers=api.admin_bu01)
    assert response.status_code == 403, response.text
    detail = response.json()["detail"]
    assert "for everyone" in detail and "bound to no business unit" in detail and "bound to BU01" in detail
    listed = (await api.client.get("/api/definitions", headers=api.admin)).json()
    assert listed == []


@pytest.mark.parametrize("units", [["BU02"], ["BU01", "BU02"]])
async def test_unit_admin_cannot_create_a_definition_for_another_unit(api, units):
    response = await api.client.post(
        "/api/definitions", json=body(name="Elsewhere", business_units=units), headers=api.admin_bu01
    )
    assert response.status_code == 403, response.text
    assert "for BU02; an admin bound to BU01 manages only definitions" in response.json()["detail"]
    assert (await api.client.get("/api/definitions", headers=api.admin)).json() == []


async def test_unit_admin_manages_their_units_definition_from_creation_to_deletion(api):
    created = await create(api, api.admin_bu02, name="BU02 care", business_units=["BU02"])
    assert created["author"] == "admin-bu02"
    path = f"/api/definitions/{created['id']}"
    own = body(name="BU02 care", business_units=["BU02"], recent_communications_limit=5)
    saved = await api.client.put(path, json=own, headers=api.admin_bu02)
    assert saved.status_code == 200 and saved.json()["version"] == 2

    activated = await api.client.post(f"{path}/activate", headers=api.admin_bu02)
    assert activated.status_code == 200 and activated.json()["active_for"] == ["BU02"]
    assert await active_name(api, api.agent_bu02) == "BU02 care"
    assert await active_name(api, api.agent) == DEFAULT, "agents of other units keep theirs"

    rolled = await api.client.post(f"{path}/rollback", json={"version": 1}, headers=api.admin_bu02)
    assert rolled.status_code == 200 and rolled.json()["version"] == 3
    history = await api.client.get(f"{path}/history", headers=api.admin_bu02)
    assert [v["version"] for v in history.json()] == [3, 2, 1]

    deactivated = await api.client.post(f"{path}/deactivate", headers=api.admin_bu02)
    assert deactivated.status_code == 200 and deactivated.json()["active_for"] == []
    assert await active_name(api, api.agent_bu02) == DEFAULT, "the unit falls back to the definition for everyone"

    assert (await api.client.delete(path, headers=api.admin_bu02)).status_code == 204


async def test_unit_admin_cannot_change_activate_or_delete_the_definition_for_everyone(api):
    everyone = await create(api, api.admin, name="Everyone")
    path = f"/api/definitions/{everyone['id']}"
    await api.client.post(f"{path}/activate", headers=api.admin)
    for method, url, payload in every_change(everyone, body(name="Everyone", business_units=["BU01"])):
        response = await api.client.request(method, url, json=payload, headers=api.admin_bu01)
        assert response.status_code == 403, (method, url, response.text)
        detail = response.json()["detail"]
        assert f"definition {everyone['id']} is for everyone" in detail, (method, url, detail)
        assert "only an admin bound to no business unit may manage" in detail
    stored = (await api.client.get(path, headers=api.admin)).json()
    assert (stored["version"], stored["active_for"]) == (1, ["*"])
    assert await active_name(api, api.agent) == "Everyone"


@pytest.mark.parametrize("units", [["BU02"], ["BU01", "BU02"]])
async def test_unit_admin_cannot_change_activate_or_delete_another_units_definition(api, units):
    other = await create(api, api.admin, name="Elsewhere", business_units=units)
    for method, url, payload in every_change(other, body(name="Elsewhere", business_units=["BU01"])):
        response = await api.client.request(method, url, json=payload, headers=api.admin_bu01)
        assert response.status_code == 403, (method, url, response.text)
        assert f"definition {other['id']} is for BU02; an admin bound to BU01" in response.json()["detail"]
    stored = (await api.client.get(f"/api/definitions/{other['id']}", headers=api.admin)).json()
    assert (stored["version"], stored["active_for"]) == (1, [])


@pytest.mark.parametrize(
    ("units", "named"), [([], "for everyone"), (["BU02"], "for BU02"), (["BU01", "BU02"], "for BU02")]
)
async def test_unit_admin_cannot_hand_their_definition_to_another_scope(api, units, named):
    own = await create(api, api.admin_bu01, name="BU01 care", business_units=["BU01"])
    path = f"/api/definitions/{own['id']}"
    response = await api.client.put(path, json=body(name="BU01 care", business_units=units), headers=api.admin_bu01)
    assert response.status_code == 403, response.text
    assert f"the definition sent is {named}" in response.json()["detail"]
    assert (await api.client.get(path, headers=api.admin_bu01)).json()["version"] == 1


async def test_unit_admin_cannot_roll_back_to_a_version_for_another_scope(api):
    moved = await create(api, api.admin, name="Moved", business_units=["BU02"])
    path = f"/api/definitions/{moved['id']}"
    await api.client.put(path, json=body(name="Moved", business_units=["BU01"]), headers=api.admin)
    refused = await api.client.post(f"{path}/rollback", json={"version": 1}, headers=api.admin_bu01)
    assert refused.status_code == 403, refused.text
    assert f"version 1 of definition {moved['id']} is for BU02" in refused.json()["detail"]
    allowed = await api.client.post(f"{path}/rollback", json={"version": 2}, headers=api.admin_bu01)
    assert allowed.status_code == 200 and allowed.json()["definition"]["business_units"] == ["BU01"]
    missing = await api.client.post(f"{path}/rollback", json={"version": 9}, headers=api.admin_bu01)
    assert missing.status_code == 404


async def test_unit_admin_reads_their_units_and_everyones_definitions_but_not_other_units(api):
    everyone = await create(api, api.admin, name="Everyone")
    own = await create(api, api.admin, name="BU01 care", business_units=["BU01"])
    shared = await create(api, api.admin, name="Shared", business_units=["BU01", "BU02"])
    other = await create(api, api.admin, name="BU02 care", business_units=["BU02"])
    listed = (await api.client.get("/api/definitions", headers=api.admin_bu01)).json()
    assert [d["id"] for d in listed] == [everyone["id"], own["id"], shared["id"]]
    for readable in (everyone, own, shared):
        for url in (f"/api/definitions/{readable['id']}", f"/api/definitions/{readable['id']}/history"):
            assert (await api.client.get(url, headers=api.admin_bu01)).status_code == 200, url
    for url in (f"/api/definitions/{other['id']}", f"/api/definitions/{other['id']}/history"):
        response = await api.client.get(url, headers=api.admin_bu01)
        assert response.status_code == 403, url
        assert "reads only the definitions of BU01 and the one for everyone" in response.json()["detail"]
    assert (await api.client.get("/api/definitions/catalogue", headers=api.admin_bu01)).status_code == 200
    assert len((await api.client.get("/api/definitions", headers=api.admin)).json()) == 4


async def test_admin_bound_to_no_unit_manages_every_scope_and_deactivates(api):
    everyone = await create(api, api.admin, name="Everyone")
    other = await create(api, api.admin, name="BU02 care", business_units=["BU02"])
    for created in (everyone, other):
        response = await api.client.post(f"/api/definitions/{created['id']}/activate", headers=api.admin)
        assert response.status_code == 200
    assert await active_name(api, api.agent) == "Everyone"
    assert await active_name(api, api.agent_bu02) == "BU02 care"
    await api.client.post(f"/api/definitions/{other['id']}/deactivate", headers=api.admin)
    assert await active_name(api, api.agent_bu02) == "Everyone"
    await api.client.post(f"/api/definitions/{everyone['id']}/deactivate", headers=api.admin)
    assert await active_name(api, api.agent) == DEFAULT, "nobody's definition active: the shipped default"
    assert (await api.client.delete(f"/api/definitions/{everyone['id']}", headers=api.admin)).status_code == 204


async def test_agent_gets_403_on_deactivate(api):
    created = await create(api, api.admin, name="Care")
    await api.client.post(f"/api/definitions/{created['id']}/activate", headers=api.admin)
    for headers in (api.agent, api.agent_bu02):
        response = await api.client.post(f"/api/definitions/{created['id']}/deactivate", headers=headers)
        assert response.status_code == 403
        assert response.json()["detail"] == "this action needs the admin role"
