"""The communications write API over HTTP: author, visibility, the Partial Dispute amount, versions, deletes."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from service.models import Communication, CommunicationReference
from tests.service.contacts.conftest import create_contact
from tests.service.contacts.test_definition_enforced import activate


def call(contact_id, **overrides):
    payload = {
        "contact_id": contact_id,
        "direction": "incoming",
        "channel": "phone",
        "topic": "Disputed invoice",
        "keywords": ["dispute", "invoice"],
        "references": [{"qualifier": "invoice", "reference_id": "INV-2025-004211"}],
        "contact_person": "Marie Lefèvre",
        "contact_phone": "06 12 34 56 78",
    }
    payload.update(overrides)
    return payload


@pytest.fixture
async def contact(api):
    return await create_contact(api)


async def log(api, payload, user="agent-bu01"):
    response = await api.client.post("/api/communications", json=payload, headers=api.as_(user))
    assert response.status_code == 201, response.text
    return response.json()


def errors_at(response):
    assert response.status_code == 422, response.text
    return {tuple(error["loc"][1:]): error["msg"] for error in response.json()["detail"]}


async def test_log_then_read_back_with_the_caller_as_author(api, contact):
    before = datetime.now(UTC)
    response = await api.client.post(
        "/api/communications",
        json=call(contact["id"], follow_up_on="2026-12-01", internal=True, notes="Asked for a copy."),
        headers=api.as_("agent-bu01"),
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["Location"] == f"/api/communications/{created['id']}"
    assert response.headers["ETag"] == '"1"'
    read = await api.client.get(f"/api/communications/{created['id']}", headers=api.as_("other-bu01"))
    assert read.status_code == 200 and read.json() == created
    assert created["created_by"] == "agent-bu01"
    assert created["status"] == "open" and created["internal"] is True and created["follow_up_on"] == "2026-12-01"
    assert created["keywords"] == ["dispute", "invoice"]
    assert [(r["qualifier"], r["reference_id"]) for r in created["references"]] == [("invoice", "INV-2025-004211")]
    interaction_at = datetime.fromisoformat(created["interaction_at"])
    assert before - timedelta(seconds=1) <= interaction_at <= datetime.now(UTC) + timedelta(seconds=1)
    assert created["action"] is None and created["action_amount"] is None


async def test_interaction_time_is_kept_as_the_same_instant_in_utc(api, contact):
    created = await log(api, call(contact["id"], interaction_at="2026-11-02T10:30:00+01:00"))
    read = await api.client.get(f"/api/communications/{created['id']}", headers=api.as_("admin"))
    assert datetime.fromisoformat(read.json()["interaction_at"]) == datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize("field", ["created_by", "id", "version", "created_at"])
async def test_server_owned_fields_cannot_be_sent(api, contact, field):
    response = await api.client.post(
        "/api/communications", json=call(contact["id"], **{field: "1"}), headers=api.as_("agent-bu01")
    )
    assert errors_at(response) == {(field,): "Extra inputs are not permitted"}


@pytest.mark.parametrize(
    ("action", "amount", "message"),
    [
        ("partial_dispute", None, "action_amount: required when action is partial_dispute"),
        ("partial_dispute", "-5", "action_amount: must be 0 or more (0 ends the dispute)"),
        ("credit_memo", "0", "action_amount: must be greater than 0, or left out"),
        ("call", "40.00", "action_amount: only allowed when action is partial_dispute, credit_memo or promise_to_pay"),
        (None, "40.00", "action_amount: only allowed when action is partial_dispute, credit_memo or promise_to_pay"),
    ],
)
async def test_the_amount_belongs_to_a_partial_dispute_only(api, contact, action, amount, message):
    payload = call(contact["id"], action=action, action_amount=amount)
    response = await api.client.post("/api/communications", json=payload, headers=api.as_("agent-bu01"))
    assert errors_at(response)["action_amount",].startswith(message)
    assert api.count(Communication) == 0


async def test_a_partial_dispute_keeps_its_amount_and_patch_rechecks_the_rule(api, contact):
    await activate(api, actions=["log_communication", "place_in_dispute"])
    created = await log(api, call(contact["id"], action="partial_dispute", action_amount="40.00"))
    assert created["action"] == "partial_dispute" and created["action_amount"] == "40.00"
    path = f"/api/communications/{created['id']}"
    response = await api.client.patch(path, json={"action": "collection_follow_up"}, headers=api.as_("agent-bu01"))
    assert errors_at(response)["action_amount",].startswith("action_amount: only allowed")
    response = await api.client.patch(path, json={"action_amount": None}, headers=api.as_("agent-bu01"))
    assert errors_at(response)["action_amount",].startswith("action_amount: required")
    response = await api.client.patch(
        path,
        json={"action": "collection_follow_up", "action_amount": None, "follow_up_on": "2026-12-20"},
        headers=api.as_("agent-bu01"),
    )
    assert response.status_code == 200, response.text
    assert response.json()["action"] == "collection_follow_up" and response.json()["action_amount"] is None


async def test_an_unknown_action_is_refused(api, contact):
    response = await api.client.post(
        "/api/communications", json=call(contact["id"], action="shout"), headers=api.as_("agent-bu01")
    )
    assert ("action",) in errors_at(response)


async def test_keywords_are_at_most_ten_non_empty_strings(api, contact):
    eleven = call(contact["id"], keywords=[f"k{i}" for i in range(11)])
    assert ("keywords",) in errors_at(
        await api.client.post("/api/communications", json=eleven, headers=api.as_("admin"))
    )
    blank = call(contact["id"], keywords=["ok", "  "])
    assert ("keywords", 1) in errors_at(
        await api.client.post("/api/communications", json=blank, headers=api.as_("admin"))
    )


async def test_unknown_or_foreign_contact_is_404(api, contact):
    response = await api.client.post("/api/communications", json=call(424242), headers=api.as_("admin"))
    assert response.status_code == 404 and response.json() == {"detail": "no contact 424242"}
    response = await api.client.post("/api/communications", json=call(contact["id"]), headers=api.as_("agent-bu02"))
    assert response.status_code == 404
    assert (await api.client.get("/api/communications/424242", headers=api.as_("admin"))).status_code == 404


async def test_another_units_communication_is_404_everywhere(api, contact):
    created = await log(api, call(contact["id"]))
    path = f"/api/communications/{created['id']}"
    stranger = api.as_("agent-bu02")
    assert (await api.client.get(path, headers=stranger)).status_code == 404
    assert (await api.client.patch(path, json={"topic": "x"}, headers=stranger)).status_code == 404
    assert (await api.client.delete(path, headers=stranger)).status_code == 404
    assert (await api.client.get(path, headers=api.as_("agent"))).status_code == 200


async def test_patch_replaces_lists_and_cannot_move_the_communication(api, contact):
    created = await log(api, call(contact["id"]))
    path = f"/api/communications/{created['id']}"
    patch = {
        "keywords": ["promise"],
        "references": [
            {"qualifier": "transaction", "reference_id": "TX-1"},
            {"qualifier": "item", "reference_id": "7"},
        ],
        "status": "closed",
        "notes": "Customer promised to pay on Friday.",
    }
    response = await api.client.patch(
        path, json=patch, headers=api.as_("other-bu01") | {"If-Match": f'"{created["version"]}"'}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["keywords"] == ["promise"] and body["status"] == "closed" and body["version"] == 2
    assert [r["reference_id"] for r in body["references"]] == ["TX-1", "7"]
    assert body["created_by"] == "agent-bu01" and body["topic"] == created["topic"]
    assert api.count(CommunicationReference) == 2
    moved = await api.client.patch(path, json={"contact_id": 1}, headers=api.as_("admin"))
    assert errors_at(moved) == {("contact_id",): "Extra inputs are not permitted"}
    for field in ("topic", "direction", "keywords", "references"):
        assert (field,) in errors_at(await api.client.patch(path, json={field: None}, headers=api.as_("admin")))


async def test_a_stale_if_match_is_409(api, contact):
    created = await log(api, call(contact["id"]))
    path = f"/api/communications/{created['id']}"
    ok = await api.client.patch(path, json={"topic": "A"}, headers=api.as_("admin") | {"If-Match": '"1"'})
    assert ok.status_code == 200 and ok.headers["ETag"] == '"2"'
    stale = await api.client.patch(path, json={"topic": "B"}, headers=api.as_("admin") | {"If-Match": '"1"'})
    assert stale.status_code == 409
    assert stale.json() == {"detail": f"communication {created['id']} is at version 2, not 1; reload it"}


async def test_an_external_id_names_one_communication_only(api, contact):
    first = await log(api, call(contact["id"], external_id="CRM-CALL-1"))
    assert first["external_id"] == "CRM-CALL-1"
    again = await api.client.post(
        "/api/communications", json=call(contact["id"], external_id="CRM-CALL-1"), headers=api.as_("agent-bu01")
    )
    assert again.status_code == 409
    assert again.json() == {"detail": "external_id: 'CRM-CALL-1' is already used by another communication"}
    second = await log(api, call(contact["id"]))
    taken = await api.client.patch(
        f"/api/communications/{second['id']}", json={"external_id": "CRM-CALL-1"}, headers=api.as_("admin")
    )
    assert taken.status_code == 409
    kept = await api.client.patch(
        f"/api/communications/{first['id']}", json={"external_id": "CRM-CALL-1"}, headers=api.as_("admin")
    )
    assert kept.status_code == 200


async def test_only_the_author_or_an_admin_deletes_whatever_the_status(api, contact):
    first = await log(api, call(contact["id"], status="closed"))
    second = await log(api, call(contact["id"], status="in_progress"))
    colleague = await api.client.delete(f"/api/communications/{first['id']}", headers=api.as_("other-bu01"))
    assert colleague.status_code == 403
    assert colleague.json() == {"detail": "only its author or an admin may delete a communication"}
    assert (
        await api.client.delete(f"/api/communications/{first['id']}", headers=api.as_("agent-bu01"))
    ).status_code == 204
    assert (await api.client.delete(f"/api/communications/{second['id']}", headers=api.as_("admin"))).status_code == 204
    assert api.count(Communication) == 0 and api.count(CommunicationReference) == 0
    assert (await api.client.get(f"/api/communications/{first['id']}", headers=api.as_("admin"))).status_code == 404


async def test_writes_queue_the_communication_and_its_contact(api, contact):
    start = len(api.outbox())
    created = await log(api, call(contact["id"]))
    assert api.outbox()[start:] == [("contact", contact["id"]), ("communication", created["id"])]
    await api.client.delete(f"/api/communications/{created['id']}", headers=api.as_("admin"))
    assert api.outbox()[start + 2 :] == [("contact", contact["id"]), ("communication", created["id"])]
    with api.sessions() as session:
        assert session.scalar(select(Communication.id)) is None


async def test_a_nul_character_is_a_422_naming_the_field(api, contact):
    for field, value in (("notes", "Promised\x00"), ("keywords", ["ok", "\x00"]), ("topic", "\x00 call")):
        response = await api.client.post(
            "/api/communications", json=call(contact["id"], **{field: value}), headers=api.as_("agent-bu01")
        )
        assert (field,) in errors_at(response), field
    assert api.count(Communication) == 0


async def done(api, created, patch, user="agent-bu01"):
    path = f"/api/communications/{created['id']}"
    return await api.client.patch(path, json=patch, headers=api.as_(user) | {"If-Match": f'"{created["version"]}"'})


DONE_REFUSED = (
    "status: a follow-up is closed (Done) only once an action or a note was logged on it; log one first, "
    "or move it to a later follow-up date"
)


async def test_a_follow_up_is_done_only_once_an_action_or_a_note_was_logged(api, contact):
    bare = await log(api, call(contact["id"], follow_up_on="2026-01-15"))
    refused = await done(api, bare, {"status": "closed"})
    assert errors_at(refused) == {("status",): DONE_REFUSED}
    unfollowed = await done(api, bare, {"status": "closed", "follow_up_on": None})
    assert errors_at(unfollowed) == {("status",): DONE_REFUSED}
    assert (await done(api, bare, {"status": "in_progress"})).status_code == 200

    noted = await log(api, call(contact["id"], follow_up_on="2026-01-15"))
    with_note = await done(api, noted, {"status": "closed", "notes": "Promised to pay by Friday."})
    assert with_note.status_code == 200 and with_note.json()["status"] == "closed"
    acted = await log(api, call(contact["id"], follow_up_on="2026-01-15", action="call"))
    assert (await done(api, acted, {"status": "closed"})).status_code == 200


async def test_closing_a_communication_that_is_no_follow_up_needs_nothing_logged(api, contact):
    plain_call = await log(api, call(contact["id"]))
    assert (await done(api, plain_call, {"status": "closed"})).status_code == 200


async def test_do_it_later_moves_the_follow_up_date_and_a_stale_version_is_refused(api, contact):
    created = await log(api, call(contact["id"], follow_up_on="2026-01-15"))
    later = await done(api, created, {"follow_up_on": "2026-02-15"})
    assert later.status_code == 200 and later.json()["follow_up_on"] == "2026-02-15"
    stale = await done(api, created, {"follow_up_on": "2026-03-15"})
    assert stale.status_code == 409
    assert stale.json() == {"detail": f"communication {created['id']} is at version 2, not 1; reload it"}
    assert stale.headers["ETag"] == '"2"'
