"""Admin-defined vocabularies (Oracle's QuickCodes): the contact's active definition lists the topics, customer
responses and additional call actions its communications take; without lists, topics and responses stay free."""

import pytest
from sqlalchemy import func, select

from service.models import Communication
from service.models.enums import CallAction
from tests.service.communications.test_communications_api import call, errors_at, log
from tests.service.contacts.conftest import create_contact
from tests.service.contacts.test_definition_enforced import activate

TOPICS = [{"code": "billing", "label": "Billing question"}, {"code": "disputed_invoice"}]
RESPONSES = ["promised_payment", {"code": "refused", "label": "Refused to pay"}]
BUILT_IN = [action.value for action in CallAction]
ADDITIONAL = [{"code": "left_message", "label": "Left a message"}, {"code": "sent_statement"}]


@pytest.fixture
async def bu01_lists(api):
    """BU01's active definition carries the lists; everyone else's (BU02's) has none."""
    await activate(
        api,
        business_units=["BU01"],
        topics=TOPICS,
        customer_responses=RESPONSES,
        additional_actions=ADDITIONAL,
    )


def stored(api):
    with api.sessions() as session:
        return session.scalars(select(Communication).order_by(Communication.id)).all()


def stored_count(api):
    with api.sessions() as session:
        return session.scalar(select(func.count()).select_from(Communication))


async def test_a_topic_outside_the_definitions_topics_is_refused_naming_the_allowed_codes(api, bu01_lists):
    contact = await create_contact(api)
    response = await api.client.post(
        "/api/communications", json=call(contact["id"], topic="Weather"), headers=api.as_("agent-bu01")
    )
    message = errors_at(response)["topic",]
    assert message.startswith("topic: 'Weather' is not in the topics of the active definition")
    assert message.endswith("allowed: billing, disputed_invoice")
    assert stored_count(api) == 0


async def test_a_customer_response_outside_the_list_is_refused_and_one_in_it_is_kept(api, bu01_lists):
    contact = await create_contact(api)
    response = await api.client.post(
        "/api/communications",
        json=call(contact["id"], topic="billing", customer_response="Maybe next week"),
        headers=api.as_("agent-bu01"),
    )
    assert errors_at(response)["customer_response",].endswith("allowed: promised_payment, refused")
    assert stored_count(api) == 0
    created = await log(api, call(contact["id"], topic="billing", customer_response="refused"))
    assert (created["topic"], created["customer_response"]) == ("billing", "refused")


async def test_an_additional_action_is_a_call_action_beside_the_built_in_ones(api, bu01_lists):
    contact = await create_contact(api)
    shorthand = await log(api, call(contact["id"], topic="billing", action="left_message"))
    assert shorthand["action"] == "left_message"
    assert shorthand["actions"] == [{"action": "left_message", "amount": None, "reference": None, "promised_on": None}]
    several = await log(
        api, call(contact["id"], topic="billing", actions=[{"action": "call"}, {"action": "sent_statement"}])
    )
    assert [a["action"] for a in several["actions"]] == ["call", "sent_statement"]


async def test_an_action_neither_built_in_nor_additional_is_refused_listing_both(api, bu01_lists):
    contact = await create_contact(api)
    response = await api.client.post(
        "/api/communications",
        json=call(contact["id"], topic="billing", actions=[{"action": "call"}, {"action": "sang_a_song"}]),
        headers=api.as_("agent-bu01"),
    )
    message = errors_at(response)["actions", 1, "action"]
    assert "'sang_a_song' is not a call action of the active definition" in message
    assert message.endswith("allowed: " + ", ".join([*BUILT_IN, "left_message", "sent_statement"]))
    assert stored_count(api) == 0


async def test_admins_are_held_to_the_lists_of_the_contacts_definition(api, bu01_lists):
    contact = await create_contact(api)
    response = await api.client.post(
        "/api/communications", json=call(contact["id"], topic="Weather"), headers=api.as_("admin")
    )
    assert errors_at(response)["topic",].endswith("allowed: billing, disputed_invoice")
    other = await create_contact(api, business_unit="BU02", external_id="C-BU02")
    free = await log(api, call(other["id"], topic="Weather", customer_response="Maybe"), user="admin")
    assert free["topic"] == "Weather", "BU02's definition lists no topics"


async def test_a_patch_is_held_only_to_what_it_changes_and_a_refusal_changes_nothing(api):
    contact = await create_contact(api)
    before = await log(api, call(contact["id"], topic="Logged before the lists", customer_response="Free text"))
    await activate(api, business_units=["BU01"], topics=TOPICS, customer_responses=RESPONSES)
    path = f"/api/communications/{before['id']}"
    kept = await api.client.patch(
        path, json={"topic": before["topic"], "notes": "Called back."}, headers=api.as_("agent-bu01")
    )
    assert kept.status_code == 200, kept.text
    assert kept.json()["topic"] == "Logged before the lists"
    refused = await api.client.patch(
        path, json={"topic": "Weather", "customer_response": "Nope", "notes": "Lost?"}, headers=api.as_("agent-bu01")
    )
    errors = errors_at(refused)
    assert set(errors) == {("topic",), ("customer_response",)}
    [row] = stored(api)
    assert (row.topic, row.customer_response, row.notes, row.version) == (
        "Logged before the lists",
        "Free text",
        "Called back.",
        kept.json()["version"],
    )
    changed = await api.client.patch(path, json={"topic": "disputed_invoice"}, headers=api.as_("agent-bu01"))
    assert changed.status_code == 200, changed.text


async def test_without_lists_topics_and_responses_are_free_and_only_built_in_actions_are_taken(api):
    contact = await create_contact(api)
    created = await log(api, call(contact["id"], topic="Anything at all", customer_response="Whatever they said"))
    assert created["topic"] == "Anything at all"
    response = await api.client.post(
        "/api/communications", json=call(contact["id"], action="left_message"), headers=api.as_("agent-bu01")
    )
    assert errors_at(response)["action",].endswith("allowed: " + ", ".join(BUILT_IN))
    assert stored_count(api) == 1
