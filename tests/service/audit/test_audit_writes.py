"""Every write and delete of a contact or communication is audited (who, what, which record, which fields by name,
never a secret), and so is every answer that shows one, whatever route returns it; unit-bound admins read only
their unit's trail."""

import json

import pytest

from service.auth.service import add_user
from service.models.enums import UserRole
from tests.conftest import bearer
from tests.service.communications.test_communications_api import call
from tests.service.contacts.conftest import api, api_overrides, create_contact  # noqa: F401  (the fixtures, for this module)

SECRET = "pin-zq4321kx"  # letters no id, hex digest or request id holds, so finding it means the secret leaked


async def trail(api, **filters):  # noqa: F811
    """The trail as the admin bound to no unit reads it, newest first."""
    params = {k: v for k, v in filters.items() if v is not None}
    response = await api.client.get("/api/audit", params=params, headers=api.as_("admin"))
    assert response.status_code == 200, response.text
    return response.json()["items"]


def no_secret_in(entries):
    text = json.dumps(entries)
    assert SECRET not in text and "scrypt" not in text and "secret_hash" not in text


async def test_an_empty_patch_of_a_contact_is_audited_as_an_update_that_showed_it(api):  # noqa: F811
    contact = await create_contact(api)
    response = await api.client.patch(f"/api/contacts/{contact['id']}", json={}, headers=api.as_("agent-bu01"))
    assert response.status_code == 200 and response.json()["last_name"] == "Lefèvre"
    [entry] = await trail(api, user="agent-bu01")
    assert (entry["endpoint"], entry["action"], entry["outcome"]) == ("contact", "update", "ok")
    assert entry["contact_ids"] == [contact["id"]] and entry["changed"] == []
    assert entry["contact_unit"] == "BU01" and entry["criteria"] == {"contact_id": contact["id"]}


async def test_a_contact_write_names_the_fields_it_changed_and_a_secret_only_by_name(api):  # noqa: F811
    contact = await create_contact(api)
    [created] = await trail(api, user="admin", action="create")
    assert created["contact_ids"] == [contact["id"]] and created["endpoint"] == "contact"
    assert {"first_name", "last_name", "phones", "access_tokens", "access_tokens.secret"} <= set(created["changed"])
    patch = {
        "last_name": "Martin",
        "access_tokens": [{"type": "smart_card", "identifier": "SC-0042", "secret": "9876"}],
    }
    path = f"/api/contacts/{contact['id']}"
    assert (await api.client.patch(path, json=patch, headers=api.as_("agent-bu01"))).status_code == 200
    [updated] = await trail(api, user="agent-bu01", action="update", contact_id=contact["id"])
    assert updated["changed"] == ["last_name", "access_tokens.secret"]
    same = {"access_tokens": [{"type": "smart_card", "identifier": "SC-0042", "status": "blocked"}]}
    assert (await api.client.patch(path, json=same, headers=api.as_("agent-bu01"))).status_code == 200
    assert (await trail(api, user="agent-bu01", action="update"))[0]["changed"] == ["access_tokens"]
    everything = await trail(api, contact_id=contact["id"])
    no_secret_in(everything)
    assert "9876" not in json.dumps(everything)


async def test_a_deleted_contact_and_a_refused_write_are_audited_with_the_contact(api):  # noqa: F811
    contact = await create_contact(api)
    path = f"/api/contacts/{contact['id']}"
    stale = await api.client.patch(path, json={"last_name": "X"}, headers=api.as_("admin") | {"If-Match": '"9"'})
    assert stale.status_code == 409
    assert (await api.client.delete(path, headers=api.as_("admin"))).status_code == 204
    deleted, refused, _created = await trail(api, user="admin", contact_id=None)
    assert (deleted["action"], deleted["outcome"], deleted["contact_ids"]) == ("delete", "ok", [contact["id"]])
    assert deleted["contact_unit"] == "BU01"
    assert (refused["action"], refused["status_code"], refused["changed"]) == ("update", 409, [])
    assert refused["criteria"] == {"contact_id": contact["id"]} and refused["contact_unit"] == "BU01"


async def test_every_communication_write_and_read_is_audited_with_its_id(api):  # noqa: F811
    contact = await create_contact(api)
    created = await api.client.post("/api/communications", json=call(contact["id"]), headers=api.as_("agent-bu01"))
    assert created.status_code == 201
    communication_id = created.json()["id"]
    path = f"/api/communications/{communication_id}"
    assert (await api.client.get(path, headers=api.as_("agent"))).status_code == 200
    empty = await api.client.patch(path, json={}, headers=api.as_("agent-bu01"))
    assert empty.status_code == 200 and empty.json()["topic"] == "Disputed invoice"
    assert (await api.client.patch(path, json={"topic": "Paid"}, headers=api.as_("agent-bu01"))).status_code == 200
    assert (await api.client.delete(path, headers=api.as_("agent-bu01"))).status_code == 204
    entries = await trail(api, communication_id=communication_id)
    assert [(e["user"], e["action"], e["changed"]) for e in entries] == [
        ("agent-bu01", "delete", []),
        ("agent-bu01", "update", ["topic"]),
        ("agent-bu01", "update", []),
        ("agent", "read", []),
        ("agent-bu01", "create", entries[-1]["changed"]),
    ]
    assert {"topic", "keywords", "references"} <= set(entries[-1]["changed"])
    for entry in entries:
        assert entry["endpoint"] == "communication" and entry["contact_ids"] == [contact["id"]]
        assert entry["communication_ids"] == [communication_id] and entry["contact_unit"] == "BU01"


async def test_a_contexts_communications_are_in_its_entry(api):  # noqa: F811
    contact = await create_contact(api)
    created = await api.client.post("/api/communications", json=call(contact["id"]), headers=api.as_("agent-bu01"))
    path = f"/api/contacts/{contact['id']}/context"
    assert (await api.client.get(path, headers=api.as_("agent"))).status_code == 200
    [entry] = await trail(api, user="agent", endpoint="contact_context")
    assert entry["communication_ids"] == [created.json()["id"]] and entry["contact_unit"] == "BU01"
    assert (await trail(api, communication_id=created.json()["id"], action="read"))[0]["id"] == entry["id"]


@pytest.fixture
async def unit_admin(api):  # noqa: F811
    with api.sessions.begin() as session:
        _, token = add_user(session, "admin-bu02", UserRole.ADMIN, "BU02")
    return bearer(token)


async def test_an_admin_bound_to_a_unit_reads_only_that_units_trail(api, unit_admin):  # noqa: F811
    unique = {"external_id": "CRM-2", "ar_accounts": [], "subscriptions": [], "access_tokens": []}
    ours = await create_contact(api, business_unit="BU02", **unique)
    theirs = await create_contact(api)
    for contact, user in ((ours, "agent"), (theirs, "agent"), (theirs, "agent-bu01"), (ours, "agent-bu02")):
        response = await api.client.get(f"/api/contacts/{contact['id']}", headers=api.as_(user))
        assert response.status_code == 200
    everything = await trail(api)
    seen = await api.client.get("/api/audit", params={"size": 100}, headers=unit_admin)
    assert seen.status_code == 200
    mine = seen.json()["items"]
    assert {(e["user"], tuple(e["contact_ids"])) for e in mine} == {
        ("admin", (ours["id"],)),
        ("agent", (ours["id"],)),
        ("agent-bu02", (ours["id"],)),
    }
    assert all(e["business_unit"] == "BU02" or e["contact_unit"] == "BU02" for e in mine)
    assert len(everything) == 6  # the admin bound to no unit reads every entry, both creates included
