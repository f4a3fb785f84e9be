"""The active definition decides what an agent may write and see of a contact through the API, not only in the
console: a write needing an action the definition does not enable is a 403 naming it; a read shows its sections."""

from __future__ import annotations

from itertools import count

from search_definitions.loader import load_shipped
from tests.service.contacts.conftest import create_contact, person_payload

NAMES = count(1)


async def activate(api, **overrides):
    data = load_shipped("default").model_dump(mode="json") | {"name": f"Enforced {next(NAMES)}"} | overrides
    created = await api.client.post("/api/definitions", json=data, headers=api.as_("admin"))
    assert created.status_code == 201, created.text
    activated = await api.client.post(f"/api/definitions/{created.json()['id']}/activate", headers=api.as_("admin"))
    assert activated.status_code == 200, activated.text


COLLECTIONS = ["log_communication", "manage_account", "place_in_dispute", "exclude_from_dunning"]


async def test_an_agent_cannot_exclude_an_account_from_dunning_without_the_action(api):
    contact = await create_contact(api)
    await activate(api, actions=["log_communication", "manage_account", "update_contact_information"])
    accounts = [contact["ar_accounts"][0] | {"dunning_excluded": True}]
    accounts = [{k: v for k, v in a.items() if k != "id"} for a in accounts]
    refused = await api.client.patch(
        f"/api/contacts/{contact['id']}", json={"ar_accounts": accounts}, headers=api.as_("agent")
    )
    assert refused.status_code == 403, refused.text
    assert "exclude_from_dunning" in refused.json()["detail"]
    read = await api.client.get(f"/api/contacts/{contact['id']}", headers=api.as_("admin"))
    assert read.json()["ar_accounts"][0]["dunning_excluded"] is False, "nothing stored"

    collector = await api.client.patch(
        f"/api/contacts/{contact['id']}", json={"ar_accounts": accounts}, headers=api.as_("admin")
    )
    assert collector.status_code == 200, "admins are not bound by the agent's definition"


async def test_an_agent_cannot_reset_a_pin_without_update_contact_information(api):
    contact = await create_contact(api)
    await activate(api, actions=COLLECTIONS)
    reset = await api.client.patch(
        f"/api/contacts/{contact['id']}",
        json={"access_tokens": [{"type": "smart_card", "identifier": "SC-0042", "secret": "0000"}]},
        headers=api.as_("agent"),
    )
    assert reset.status_code == 403, reset.text
    assert "update_contact_information" in reset.json()["detail"]
    renamed = await api.client.patch(
        f"/api/contacts/{contact['id']}", json={"first_name": "Marion"}, headers=api.as_("agent")
    )
    assert renamed.status_code == 403

    subscriptions = await api.client.patch(
        f"/api/contacts/{contact['id']}", json={"subscriptions": []}, headers=api.as_("agent")
    )
    assert subscriptions.status_code == 403 and "manage_subscription" in subscriptions.json()["detail"]
    kept_name = await api.client.patch(
        f"/api/contacts/{contact['id']}", json={"first_name": "Marie", "ar_accounts": []}, headers=api.as_("agent")
    )
    assert kept_name.status_code == 200, "an unchanged name and the accounts (manage_account) are allowed"


async def test_creating_a_contact_needs_new_contact_information_and_the_actions_of_its_lists(api):
    await activate(api, actions=["new_contact_information"])
    bare = person_payload(external_id="CRM-1", ar_accounts=[], subscriptions=[], work_items=[])
    assert (await api.client.post("/api/contacts", json=bare, headers=api.as_("agent"))).status_code == 201
    full = await api.client.post("/api/contacts", json=person_payload(), headers=api.as_("agent"))
    assert full.status_code == 403
    assert "manage_subscription" in full.json()["detail"] and "create_activity" in full.json()["detail"]

    await activate(api, actions=COLLECTIONS)
    refused = await api.client.post(
        "/api/contacts",
        json=person_payload(external_id="CRM-2", ar_accounts=[], subscriptions=[], work_items=[]),
        headers=api.as_("agent"),
    )
    assert refused.status_code == 403 and "new_contact_information" in refused.json()["detail"]


async def test_a_contact_read_shows_an_agent_only_the_sections_of_the_definition(api):
    contact = await create_contact(api)
    await activate(api, context_sections=["phones", "emails", "jobs"])
    agent = (await api.client.get(f"/api/contacts/{contact['id']}", headers=api.as_("agent"))).json()
    assert agent["phones"] and agent["emails"]
    assert agent["addresses"] is None and agent["ar_accounts"] is None and agent["subscriptions"] is None
    assert agent["work_items"] == [], "the activity is hidden: only jobs are shown"
    assert agent["credit_hold"] is True, "the credit-hold indicator is shown whatever the sections"
    admin = (await api.client.get(f"/api/contacts/{contact['id']}", headers=api.as_("admin"))).json()
    assert admin["addresses"] and admin["ar_accounts"] and admin["subscriptions"] and admin["work_items"]

    patched = await api.client.patch(
        f"/api/contacts/{contact['id']}", json={"first_name": "Marion"}, headers=api.as_("agent")
    )
    assert patched.status_code == 200 and patched.json()["ar_accounts"] is None, "every answer is filtered"


def call(contact_id: int, **overrides) -> dict:
    return {
        "contact_id": contact_id,
        "direction": "incoming",
        "channel": "phone",
        "topic": "Disputed invoice",
    } | overrides


async def test_logging_a_communication_and_a_dispute_need_their_actions(api):
    contact = await create_contact(api)
    await activate(api, actions=["update_contact_information"])
    refused = await api.client.post("/api/communications", json=call(contact["id"]), headers=api.as_("agent"))
    assert refused.status_code == 403 and "log_communication" in refused.json()["detail"]

    await activate(api, actions=["log_communication"])
    logged = await api.client.post("/api/communications", json=call(contact["id"]), headers=api.as_("agent"))
    assert logged.status_code == 201, logged.text
    dispute = {"action": "partial_dispute", "action_amount": "12.00"}
    refused = await api.client.post(
        "/api/communications", json=call(contact["id"], **dispute), headers=api.as_("agent")
    )
    assert refused.status_code == 403 and "place_in_dispute" in refused.json()["detail"]
    patched = await api.client.patch(
        f"/api/communications/{logged.json()['id']}", json=dispute, headers=api.as_("agent")
    )
    assert patched.status_code == 403 and "place_in_dispute" in patched.json()["detail"]
    by_admin = await api.client.patch(
        f"/api/communications/{logged.json()['id']}", json=dispute, headers=api.as_("admin")
    )
    assert by_admin.status_code == 200, by_admin.text
