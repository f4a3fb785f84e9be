"""The `promise_to_pay` call action: a promise on the account, in the communication's transaction, following its
action through patches and deletes; what it cannot tell or must not touch is refused naming the field, storing
nothing."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from service.models import ARAccount, Communication, OutboxEntry, Promise
from tests.service.communications.test_communications_api import call, errors_at, log
from tests.service.contacts.conftest import create_contact

TODAY = datetime.now(UTC).date()
LATER = (TODAY + timedelta(days=10)).isoformat()
TWO_ACCOUNTS = [
    {"number": "AR-1", "name": "Main", "currency": "EUR"},
    {"number": "AR-2", "name": "Dollars", "currency": "USD"},
]


def promise(amount="150.00", promised_on=LATER, account=None, **extra):
    action = {"action": "promise_to_pay", "amount": amount, "promised_on": promised_on, **extra}
    if account is not None:
        action["reference"] = {"qualifier": "account", "reference_id": account}
    return action


def stored(api):
    with api.sessions() as session:
        return [
            (p.ar_account_id, p.amount, p.currency, p.promised_on, p.created_by, p.communication_id)
            for p in session.scalars(select(Promise).order_by(Promise.id))
        ]


def account_ids(api):
    with api.sessions() as session:
        return {a.number: a.id for a in session.scalars(select(ARAccount))}


async def post(api, payload, user="agent-bu01"):
    return await api.client.post("/api/communications", json=payload, headers=api.as_(user))


async def patch(api, created, body, user="agent-bu01"):
    return await api.client.patch(
        f"/api/communications/{created['id']}",
        json=body,
        headers={**api.as_(user), "If-Match": f'"{created["version"]}"'},
    )


async def test_a_promise_on_the_contacts_only_account_is_created_with_the_communication(api):
    contact = await create_contact(api)
    created = await log(api, call(contact["id"], actions=[promise()]))
    assert created["actions"][0] == {
        "action": "promise_to_pay",
        "amount": "150.00",
        "reference": None,
        "promised_on": LATER,
    }
    [row] = stored(api)
    ids = account_ids(api)
    assert row == (ids["AR-0042"], Decimal("150.00"), "EUR", date.fromisoformat(LATER), "agent-bu01", created["id"])
    with api.sessions() as session:
        contact_rows = session.scalars(select(OutboxEntry).where(OutboxEntry.entity == "contact")).all()
    assert any(r.entity_id == contact["id"] for r in contact_rows), "the contact's document follows the promise"


async def test_the_answer_names_the_promise_among_the_writes_effects(api):
    contact = await create_contact(api)
    created = await log(api, call(contact["id"], actions=[promise()]))
    assert created["effects"] == [
        {
            "action": "promise_to_pay",
            "effect": "promise_recorded",
            "account": "AR-0042",
            "item": None,
            "amount": "150.00",
            "follow_up_on": None,
        }
    ]


async def test_the_account_reference_names_the_account_and_its_currency_is_the_promises(api):
    contact = await create_contact(api, ar_accounts=TWO_ACCOUNTS)
    await log(api, call(contact["id"], actions=[promise(account="AR-2"), promise("20.00", account="AR-1")]))
    ids = account_ids(api)
    assert [(r[0], r[1], r[2]) for r in stored(api)] == [
        (ids["AR-2"], Decimal("150.00"), "USD"),
        (ids["AR-1"], Decimal("20.00"), "EUR"),
    ]


async def test_an_items_reference_puts_the_promise_on_the_items_account(api):
    invoice = {"type": "invoice", "number": "INV-9", "amount": "9", "currency": "USD"}
    accounts = [TWO_ACCOUNTS[0], {**TWO_ACCOUNTS[1], "items": [invoice]}]
    contact = await create_contact(api, ar_accounts=accounts)
    reference = {"qualifier": "invoice", "reference_id": "INV-9"}
    await log(api, call(contact["id"], actions=[promise(reference=reference)]))
    assert [r[0] for r in stored(api)] == [account_ids(api)["AR-2"]]


async def test_amount_and_date_are_required_and_the_amount_above_zero(api):
    contact = await create_contact(api)
    actions = [{"action": "promise_to_pay"}, promise("0"), promise("-5.00"), {"action": "call"}]
    errors = errors_at(await post(api, call(contact["id"], actions=actions)))
    assert errors["actions", 0, "amount"] == "actions[0].amount: required when action is promise_to_pay"
    assert errors["actions", 0, "promised_on"] == "actions[0].promised_on: required when action is promise_to_pay"
    assert errors["actions", 1, "amount"] == "actions[1].amount: must be greater than 0"
    assert errors["actions", 2, "amount"] == "actions[2].amount: must be greater than 0"
    assert api.count(Communication) == 0 and stored(api) == []


async def test_a_date_before_the_interaction_is_refused_and_the_same_day_is_not(api):
    contact = await create_contact(api)
    at = "2026-11-20T15:00:00Z"
    response = await post(api, call(contact["id"], interaction_at=at, actions=[promise(promised_on="2026-11-19")]))
    assert errors_at(response)["actions", 0, "promised_on"] == (
        "actions[0].promised_on: cannot be before the interaction date (2026-11-20)"
    )
    assert api.count(Communication) == 0
    await log(api, call(contact["id"], interaction_at=at, actions=[promise(promised_on="2026-11-20")]))
    assert len(stored(api)) == 1


async def test_several_accounts_and_no_reference_is_refused_naming_the_reference(api):
    contact = await create_contact(api, ar_accounts=TWO_ACCOUNTS)
    errors = errors_at(await post(api, call(contact["id"], actions=[{"action": "call"}, promise()])))
    assert errors["actions", 1, "reference"].startswith("actions[1].reference: required: the contact has several")
    assert "AR-1, AR-2" in errors["actions", 1, "reference"]
    assert api.count(Communication) == 0 and stored(api) == []


async def test_a_contact_without_an_account_cannot_promise(api):
    contact = await create_contact(api, ar_accounts=[])
    errors = errors_at(await post(api, call(contact["id"], actions=[promise()])))
    assert "no AR account" in errors["actions", 0, "reference"]


async def test_an_account_of_another_contact_or_business_unit_is_refused(api):
    contact = await create_contact(api, ar_accounts=TWO_ACCOUNTS)
    bare = {"subscriptions": [], "access_tokens": [], "work_items": []}
    mine = {"number": "AR-3", "name": "B", "currency": "EUR"}
    await create_contact(api, external_id="CRM-2", ar_accounts=[mine], **bare)
    theirs = {"number": "AR-9", "name": "C", "currency": "EUR"}
    await create_contact(api, external_id="CRM-3", business_unit="BU02", ar_accounts=[theirs], **bare)
    for number in ("AR-3", "AR-9", "AR-404"):
        errors = errors_at(await post(api, call(contact["id"], actions=[promise(account=number)])))
        assert errors["actions", 0, "reference", "reference_id"] == (
            f"actions[0].reference.reference_id: '{number}' is not an AR account of this contact"
        )
    assert api.count(Communication) == 0 and stored(api) == []


async def test_the_shorthand_cannot_make_a_promise(api):
    contact = await create_contact(api)
    response = await post(api, call(contact["id"], action="promise_to_pay", action_amount="5.00"))
    assert errors_at(response)["action",].startswith("action: promise_to_pay needs an amount and promised_on")
    assert api.count(Communication) == 0


async def test_a_patch_of_the_amount_or_date_changes_the_promise_and_keeps_its_creation(api):
    contact = await create_contact(api)
    created = await log(api, call(contact["id"], actions=[promise()]))
    with api.sessions() as session:
        [(promise_id, created_at)] = session.execute(select(Promise.id, Promise.created_at)).all()
    later = (TODAY + timedelta(days=20)).isoformat()
    response = await patch(api, created, {"actions": [promise("75.00", promised_on=later)]})
    assert response.status_code == 200, response.text
    assert [(e["effect"], e["amount"]) for e in response.json()["effects"]] == [("promise_recorded", "75.00")]
    again = await patch(api, response.json(), {"actions": [promise("75.00", promised_on=later)], "notes": "Called"})
    assert again.status_code == 200 and again.json()["effects"] == [], "an unchanged promise is not recorded again"
    with api.sessions() as session:
        [row] = session.scalars(select(Promise)).all()
        assert (row.id, row.amount, row.promised_on, row.created_at) == (
            promise_id,
            Decimal("75.00"),
            date.fromisoformat(later),
            created_at,
        )


async def test_a_patch_refused_leaves_the_promise_as_it_was(api):
    contact = await create_contact(api)
    created = await log(api, call(contact["id"], interaction_at="2026-11-20T09:00:00Z", actions=[promise()]))
    response = await patch(api, created, {"actions": [promise("0")]})
    assert "actions[0].amount: must be greater than 0" in response.text
    response = await patch(api, created, {"interaction_at": (TODAY + timedelta(days=11)).isoformat() + "T09:00:00Z"})
    assert errors_at(response)["actions", 0, "promised_on"].startswith("actions[0].promised_on: cannot be before")
    assert [r[1] for r in stored(api)] == [Decimal("150.00")]


async def test_removing_the_action_deletes_the_promise_and_others_stay(api):
    contact = await create_contact(api, ar_accounts=TWO_ACCOUNTS)
    first, second = promise("10.00", account="AR-1"), promise("20.00", account="AR-2")
    created = await log(api, call(contact["id"], actions=[first, second]))
    with api.sessions() as session:
        kept = session.scalar(select(Promise.id).where(Promise.amount == Decimal("20.00")))
    response = await patch(api, created, {"actions": [{"action": "call"}, second]})
    assert response.status_code == 200, response.text
    with api.sessions() as session:
        assert session.scalars(select(Promise.id)).all() == [kept], "the unchanged promise is the same row"
    response = await patch(api, response.json(), {"actions": []})
    assert response.status_code == 200, response.text
    assert stored(api) == []


async def test_deleting_the_communication_deletes_its_promises(api):
    contact = await create_contact(api)
    created = await log(api, call(contact["id"], actions=[promise(), promise("5.00")]))
    other = await log(api, call(contact["id"], actions=[promise("7.00")]))
    response = await api.client.delete(
        f"/api/communications/{created['id']}", headers={**api.as_("agent-bu01"), "If-Match": '"1"'}
    )
    assert response.status_code == 204, response.text
    assert [(r[1], r[5]) for r in stored(api)] == [(Decimal("7.00"), other["id"])]


async def test_the_financials_list_each_accounts_promises_newest_first_with_their_state(api):
    payment = {"type": "payment", "number": "PAY-1", "amount": "-50.00", "currency": "EUR", "issued_on": str(TODAY)}
    accounts = [{**TWO_ACCOUNTS[0], "items": [payment]}, TWO_ACCOUNTS[1]]
    contact = await create_contact(api, ar_accounts=accounts)
    soon = (TODAY + timedelta(days=5)).isoformat()
    await log(api, call(contact["id"], actions=[promise("50.00", promised_on=soon, account="AR-1")]))
    await log(api, call(contact["id"], actions=[promise("80.00", promised_on=soon, account="AR-2")]))
    past = (TODAY - timedelta(days=10)).isoformat() + "T10:00:00Z"
    gone = (TODAY - timedelta(days=2)).isoformat()
    await log(
        api, call(contact["id"], interaction_at=past, actions=[promise("30.00", promised_on=gone, account="AR-1")])
    )
    response = await api.client.get(f"/api/contacts/{contact['id']}/context", headers=api.as_("admin"))
    assert response.status_code == 200, response.text
    first, second = response.json()["financials"]["accounts"]
    assert [(p["amount"], p["currency"], p["promised_on"], p["state"]) for p in first["promises"]] == [
        ("30.00", "EUR", gone, "broken"),
        ("50.00", "EUR", soon, "kept"),
    ]
    assert first["promises_total"] == 2 and first["promises"][0]["created_by"] == "agent-bu01"
    assert [(p["amount"], p["currency"], p["state"]) for p in second["promises"]] == [("80.00", "USD", "pending")]


async def test_an_account_removed_from_its_contact_takes_its_promises_along(api):
    contact = await create_contact(api, ar_accounts=TWO_ACCOUNTS)
    await log(api, call(contact["id"], actions=[promise("10.00", account="AR-1"), promise("20.00", account="AR-2")]))
    path = f"/api/contacts/{contact['id']}"
    version = (await api.client.get(path, headers=api.as_("admin"))).json()["version"]
    response = await api.client.patch(
        path, json={"ar_accounts": [TWO_ACCOUNTS[0]]}, headers={**api.as_("admin"), "If-Match": f'"{version}"'}
    )
    assert response.status_code == 200, response.text
    assert [(r[0], r[1]) for r in stored(api)] == [(account_ids(api)["AR-1"], Decimal("10.00"))]
