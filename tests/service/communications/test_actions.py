"""Several call actions per communication (Oracle Customer Calls), with `action`/`action_amount` as the shorthand."""

import pytest
from sqlalchemy import func, select

from service.models import Communication
from tests.service.communications.test_communications_api import call as logged_call
from tests.service.communications.test_communications_api import errors_at, log
from tests.service.contacts.conftest import create_contact
from tests.service.contacts.test_definition_enforced import activate

DISPUTE = {"action": "partial_dispute", "amount": "40.00", "reference": {"qualifier": "invoice", "reference_id": "A1"}}
FOLLOW_UP = {"action": "collection_follow_up", "promised_on": "2026-12-20"}


def call(contact_id, **overrides):
    """A call with a follow-up date, which `collection_follow_up` needs."""
    return logged_call(contact_id, **({"follow_up_on": "2026-12-20"} | overrides))


@pytest.fixture(autouse=True)
async def disputes_enabled(api):
    await activate(api, actions=["log_communication", "place_in_dispute"])


def stored_count(api):
    with api.sessions() as session:
        return session.scalar(select(func.count()).select_from(Communication))


async def test_several_actions_are_kept_in_order_and_the_first_is_mirrored_by_the_shorthand_fields(api):
    contact = await create_contact(api)
    created = await log(api, call(contact["id"], actions=[DISPUTE, FOLLOW_UP]))
    assert [a["action"] for a in created["actions"]] == ["partial_dispute", "collection_follow_up"]
    assert created["actions"][0]["reference"] == {"qualifier": "invoice", "reference_id": "A1"}
    assert created["actions"][1]["promised_on"] == "2026-12-20" and created["actions"][1]["amount"] is None
    assert created["action"] == "partial_dispute" and created["action_amount"] == "40.00"
    read = await api.client.get(f"/api/communications/{created['id']}", headers=api.as_("agent-bu01"))
    assert read.json()["actions"] == created["actions"]


async def test_the_shorthand_is_answered_as_before_and_as_a_one_action_list(api):
    contact = await create_contact(api)
    created = await log(api, call(contact["id"], action="partial_dispute", action_amount="12.50"))
    assert created["action"] == "partial_dispute" and created["action_amount"] == "12.50"
    assert created["actions"] == [
        {"action": "partial_dispute", "amount": "12.50", "reference": None, "promised_on": None}
    ]
    plain = await log(api, call(contact["id"]))
    assert plain["actions"] == [] and plain["action"] is None


async def test_actions_and_the_shorthand_together_are_refused(api):
    contact = await create_contact(api)
    response = await api.client.post(
        "/api/communications",
        json=call(contact["id"], action="call", actions=[FOLLOW_UP]),
        headers=api.as_("agent-bu01"),
    )
    assert errors_at(response)["actions",].startswith("actions: send either actions or the shorthand")
    assert stored_count(api) == 0


async def test_the_amount_rule_applies_to_each_action_at_its_position(api):
    contact = await create_contact(api)
    actions = [FOLLOW_UP, {"action": "partial_dispute"}, {"action": "call", "amount": "3.00"}]
    response = await api.client.post(
        "/api/communications", json=call(contact["id"], actions=actions), headers=api.as_("agent-bu01")
    )
    errors = errors_at(response)
    assert errors["actions", 1, "amount"].endswith("required when action is partial_dispute")
    assert errors["actions", 2, "amount"].endswith(
        "only allowed when action is partial_dispute, credit_memo or promise_to_pay; leave it out or send null"
    )
    assert stored_count(api) == 0


async def test_patch_replaces_the_list_and_the_shorthand_makes_it_one_action(api):
    contact = await create_contact(api)
    created = await log(api, call(contact["id"], actions=[DISPUTE, FOLLOW_UP]))
    path = f"/api/communications/{created['id']}"
    response = await api.client.patch(path, json={"actions": [FOLLOW_UP]}, headers=api.as_("agent-bu01"))
    assert response.status_code == 200, response.text
    assert [a["action"] for a in response.json()["actions"]] == ["collection_follow_up"]
    assert response.json()["action"] == "collection_follow_up" and response.json()["action_amount"] is None
    response = await api.client.patch(path, json={"action": "call"}, headers=api.as_("agent-bu01"))
    assert response.status_code == 200, response.text
    assert [a["action"] for a in response.json()["actions"]] == ["call"]
    response = await api.client.patch(path, json={"actions": []}, headers=api.as_("agent-bu01"))
    assert response.json()["actions"] == [] and response.json()["action"] is None


async def test_an_action_the_definition_does_not_enable_is_refused_wherever_it_stands_in_the_list(api):
    contact = await create_contact(api)
    await activate(api, actions=["log_communication"])
    response = await api.client.post(
        "/api/communications", json=call(contact["id"], actions=[FOLLOW_UP, DISPUTE]), headers=api.as_("agent-bu01")
    )
    assert response.status_code == 403, response.text
    assert "place_in_dispute" in response.json()["detail"]
    assert stored_count(api) == 0
