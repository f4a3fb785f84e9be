"""Call actions with effects (Oracle Receivables' Customer Calls): applied with the communication, in its answer
and its audit entry, undone by the opposite call, refused (nothing stored) when they name what is not the
contact's, or when the active definition does not enable them."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from indexer.rebuild import rebuild
from indexer.sync import OutboxSync
from service.app import create_app
from service.auth.service import add_user
from service.db.session import build_engine, build_sessionmaker
from service.models import ARAccount, ARItem, AuditEntry, Communication, CreditMemoRequest
from tests.service.communications.test_communications_api import call, errors_at
from tests.service.contacts.conftest import USERS, Api, create_contact
from tests.service.contacts.test_definition_enforced import activate

COLLECTIONS = ["log_communication", "manage_account", "place_in_dispute", "exclude_from_dunning"]
INDICES = itertools.count()


def invoice(number: str, amount: str = "300.00", **extra: Any) -> dict[str, Any]:
    return {"type": "invoice", "number": number, "due_on": "2026-10-01", "amount": amount, "currency": "EUR"} | extra


def account(number: str, *items: dict[str, Any]) -> dict[str, Any]:
    return {"number": number, "name": number, "currency": "eur", "items": list(items)}


async def debtor(
    api, *accounts: dict[str, Any], bu: str = "BU01", external_id: str = "CRM-0042", **extra: Any
) -> dict[str, Any]:
    """A BU01 contact with these accounts (default: one account with two invoices)."""
    chosen = list(accounts) or [account("AR-0042", invoice("INV-2026-0001"), invoice("INV-2026-0002", "80.00"))]
    return await create_contact(
        api,
        ar_accounts=chosen,
        business_unit=bu,
        external_id=external_id,
        id_number=f"ID-{external_id}",
        access_tokens=[],
        subscriptions=[],
        **extra,
    )


def transaction(number: str) -> dict[str, str]:
    return {"qualifier": "transaction", "reference_id": number}


async def post(api, contact_id: int, actions: list[dict[str, Any]], user: str = "agent-bu01", **fields: Any):
    return await api.client.post(
        "/api/communications", json=call(contact_id, actions=actions, **fields), headers=api.as_(user)
    )


async def logged(api, contact_id: int, actions: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    response = await post(api, contact_id, actions, **fields)
    assert response.status_code == 201, response.text
    return response.json()


def account_row(api, number: str) -> ARAccount:
    with api.sessions() as session:
        return session.scalars(select(ARAccount).where(ARAccount.number == number)).one()


def item_row(api, number: str) -> ARItem:
    with api.sessions() as session:
        return session.scalars(select(ARItem).where(ARItem.number == number)).one()


def last_audit_changes(api) -> list[str]:
    with api.sessions() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.endpoint == "communication").order_by(AuditEntry.id.desc())
        ).first()
        assert entry is not None
        return entry.changed


async def wait_for_audit(api, predicate) -> list[str]:
    """The audit entry is written after the answer, by a background thread."""
    for _ in range(100):
        try:
            changes = last_audit_changes(api)
        except AssertionError:
            changes = []
        if predicate(changes):
            return changes
        await asyncio.sleep(0.05)
    raise AssertionError(f"no audit entry as expected; last: {changes}")


@pytest.fixture(autouse=True)
async def collections_definition(api):
    await activate(api, actions=COLLECTIONS)


async def test_exclude_from_dunning_sets_the_only_account_and_include_in_dunning_clears_it(api):
    contact = await debtor(api)
    excluded = await logged(api, contact["id"], [{"action": "exclude_from_dunning"}])
    assert excluded["effects"] == [
        {
            "action": "exclude_from_dunning",
            "effect": "dunning_excluded",
            "account": "AR-0042",
            "item": None,
            "amount": None,
            "follow_up_on": None,
        }
    ]
    assert account_row(api, "AR-0042").dunning_excluded is True
    changes = await wait_for_audit(api, lambda c: "effects.dunning_excluded:AR-0042" in c)
    assert "actions" in changes

    included = await logged(api, contact["id"], [{"action": "include_in_dunning"}])
    assert [(e["effect"], e["account"]) for e in included["effects"]] == [("dunning_included", "AR-0042")]
    assert account_row(api, "AR-0042").dunning_excluded is False
    read = await api.client.get(f"/api/communications/{included['id']}", headers=api.as_("agent-bu01"))
    assert read.json()["effects"] == [], "a read names no effect: only the write that applied them"


async def test_the_shorthand_action_has_its_effect_too(api):
    contact = await debtor(api)
    created = await post(api, contact["id"], [], action="exclude_from_dunning")
    # `actions` and the shorthand together are refused; the shorthand alone is one action
    assert created.status_code == 422
    response = await api.client.post(
        "/api/communications",
        json=call(contact["id"], action="exclude_from_dunning"),
        headers=api.as_("agent-bu01"),
    )
    assert response.status_code == 201, response.text
    assert [e["effect"] for e in response.json()["effects"]] == ["dunning_excluded"]
    assert account_row(api, "AR-0042").dunning_excluded is True


async def test_with_several_accounts_the_dunning_action_names_its_account_by_number_in_any_format(api):
    contact = await debtor(api, account("AR-0042", invoice("INV-1")), account("AR-0043", invoice("INV-2")))
    refused = await post(api, contact["id"], [{"action": "call"}, {"action": "exclude_from_dunning"}])
    assert "2 accounts (AR-0042, AR-0043)" in errors_at(refused)["actions", 1, "reference"]
    assert api.count(Communication) == 0

    named = [{"action": "exclude_from_dunning", "reference": {"qualifier": "account", "reference_id": "ar 0043"}}]
    created = await logged(api, contact["id"], named)
    assert [e["account"] for e in created["effects"]] == ["AR-0043"]
    assert (account_row(api, "AR-0042").dunning_excluded, account_row(api, "AR-0043").dunning_excluded) == (
        False,
        True,
    )
    by_item = [{"action": "include_in_dunning", "reference": transaction("inv-2")}]
    assert [e["account"] for e in (await logged(api, contact["id"], by_item))["effects"]] == ["AR-0043"]
    assert account_row(api, "AR-0043").dunning_excluded is False


async def test_a_dispute_names_its_item_and_an_amount_of_zero_ends_it(api):
    contact = await debtor(api)
    dispute = {"action": "partial_dispute", "amount": "40.00", "reference": transaction("inv-2026/0001")}
    created = await logged(api, contact["id"], [dispute])
    assert created["effects"][0] | {"follow_up_on": None} == {
        "action": "partial_dispute",
        "effect": "dispute_placed",
        "account": "AR-0042",
        "item": "INV-2026-0001",
        "amount": "40.00",
        "follow_up_on": None,
    }
    item = item_row(api, "INV-2026-0001")
    assert (item.status, item.disputed_amount) == ("in_dispute", Decimal("40.00"))
    assert item_row(api, "INV-2026-0002").status == "open", "only the item named"
    await wait_for_audit(api, lambda c: "effects.dispute_placed:INV-2026-0001" in c)

    ended = await logged(api, contact["id"], [dispute | {"amount": "0"}])
    assert [e["effect"] for e in ended["effects"]] == ["dispute_ended"]
    item = item_row(api, "INV-2026-0001")
    assert (item.status, item.disputed_amount) == ("open", Decimal("0.00"))


async def test_a_dispute_ended_on_an_item_with_nothing_open_closes_it(api):
    contact = await debtor(api, account("AR-0042", invoice("INV-9", open_amount="0", status="in_dispute")))
    await logged(api, contact["id"], [{"action": "partial_dispute", "amount": "0", "reference": transaction("INV-9")}])
    assert item_row(api, "INV-9").status == "closed"


async def test_patching_the_dispute_amount_changes_the_item_and_removing_the_dispute_ends_it(api):
    contact = await debtor(api)
    dispute = {"action": "partial_dispute", "amount": "40.00", "reference": transaction("INV-2026-0001")}
    created = await logged(api, contact["id"], [dispute])
    path = f"/api/communications/{created['id']}"
    patched = await api.client.patch(
        path, json={"actions": [dispute | {"amount": "25.50"}]}, headers=api.as_("agent-bu01")
    )
    assert patched.status_code == 200, patched.text
    assert [(e["effect"], e["amount"]) for e in patched.json()["effects"]] == [("dispute_placed", "25.50")]
    assert item_row(api, "INV-2026-0001").disputed_amount == Decimal("25.50")

    unchanged = await api.client.patch(path, json={"notes": "Customer sends proof."}, headers=api.as_("agent-bu01"))
    assert unchanged.json()["effects"] == [], "an action kept is not applied again"
    # Oracle: "to mark an amount as no longer in dispute ... either update the Amount to zero, or delete the record"
    removed = await api.client.patch(path, json={"actions": [{"action": "call"}]}, headers=api.as_("agent-bu01"))
    assert removed.status_code == 200, removed.text
    assert [(e["effect"], e["item"]) for e in removed.json()["effects"]] == [("dispute_ended", "INV-2026-0001")]
    item = item_row(api, "INV-2026-0001")
    assert (item.status, item.disputed_amount) == ("open", Decimal("0.00"))


async def test_deleting_a_call_ends_its_dispute_but_leaves_the_dunning_exclusion(api):
    contact = await debtor(api)
    dispute = {"action": "partial_dispute", "amount": "40.00", "reference": transaction("INV-2026-0001")}
    created = await logged(api, contact["id"], [dispute, {"action": "exclude_from_dunning"}])
    deleted = await api.client.delete(f"/api/communications/{created['id']}", headers=api.as_("agent-bu01"))
    assert deleted.status_code == 204
    assert item_row(api, "INV-2026-0001").status == "open"
    assert account_row(api, "AR-0042").dunning_excluded is True, "off dunning until a call includes it again"
    await wait_for_audit(api, lambda c: c == ["effects.dispute_ended:INV-2026-0001"])


async def test_deleting_a_call_leaves_a_dispute_another_call_has_changed_since(api):
    contact = await debtor(api)
    dispute = {"action": "partial_dispute", "amount": "40.00", "reference": transaction("INV-2026-0001")}
    first = await logged(api, contact["id"], [dispute])
    await logged(api, contact["id"], [dispute | {"amount": "60.00"}])
    await api.client.delete(f"/api/communications/{first['id']}", headers=api.as_("agent-bu01"))
    item = item_row(api, "INV-2026-0001")
    assert (item.status, item.disputed_amount) == ("in_dispute", Decimal("60.00"))


async def test_a_dispute_above_the_open_amount_is_refused_and_nothing_is_stored(api):
    contact = await debtor(api)
    dispute = {"action": "partial_dispute", "amount": "80.01", "reference": transaction("INV-2026-0002")}
    refused = await post(api, contact["id"], [{"action": "exclude_from_dunning"}, dispute])
    assert errors_at(refused)["actions", 1, "amount"] == (
        "actions[1].amount: 80.01 is more than the 80.00 still open on transaction 'INV-2026-0002'"
    )
    assert api.count(Communication) == 0
    assert account_row(api, "AR-0042").dunning_excluded is False, "the other action's effect is not applied either"
    assert item_row(api, "INV-2026-0002").status == "open"


async def test_a_credit_memo_request_is_recorded_against_its_item_and_shown_in_the_financials(api):
    contact = await debtor(api)
    memo = {"action": "credit_memo", "amount": "30.00", "reference": transaction("INV-2026-0002")}
    created = await logged(api, contact["id"], [memo])
    assert [(e["effect"], e["item"], e["amount"]) for e in created["effects"]] == [
        ("credit_memo_requested", "INV-2026-0002", "30.00")
    ]
    with api.sessions() as session:
        [request] = session.scalars(select(CreditMemoRequest)).all()
        assert (request.communication_id, request.amount, request.requested_by) == (
            created["id"],
            Decimal("30.00"),
            "agent-bu01",
        )
    context = await api.client.get(f"/api/contacts/{contact['id']}/context", headers=api.as_("agent-bu01"))
    assert context.status_code == 200, context.text
    [shown] = context.json()["financials"]["accounts"]
    [item] = [i for i in shown["open_items"] if i["number"] == "INV-2026-0002"]
    assert [(r["amount"], r["requested_by"], r["communication_id"]) for r in item["credit_memo_requests"]] == [
        ("30.00", "agent-bu01", created["id"])
    ]
    assert [r["item"] for r in shown["credit_memo_requests"]] == ["INV-2026-0002"]

    await api.client.delete(f"/api/communications/{created['id']}", headers=api.as_("agent-bu01"))
    with api.sessions() as session:
        [kept] = session.scalars(select(CreditMemoRequest)).all()
        assert kept.communication_id is None, "the request stays when its call is deleted"


async def test_a_collection_follow_up_needs_the_follow_up_date(api):
    contact = await debtor(api)
    refused = await post(api, contact["id"], [{"action": "collection_follow_up"}], follow_up_on=None)
    assert errors_at(refused)["follow_up_on",] == "follow_up_on: required: actions[0] is collection_follow_up"
    assert api.count(Communication) == 0
    created = await logged(api, contact["id"], [{"action": "collection_follow_up"}], follow_up_on="2026-12-20")
    assert [(e["effect"], e["follow_up_on"]) for e in created["effects"]] == [("follow_up_scheduled", "2026-12-20")]
    cleared = await api.client.patch(
        f"/api/communications/{created['id']}", json={"follow_up_on": None}, headers=api.as_("agent-bu01")
    )
    assert ("follow_up_on",) in errors_at(cleared)


@pytest.mark.parametrize(
    ("action", "field"),
    [
        ({"action": "partial_dispute", "amount": "5.00", "reference": transaction("INV-OTHER-1")}, "reference_id"),
        ({"action": "credit_memo", "reference": transaction("INV-OTHER-1")}, "reference_id"),
        (
            {"action": "exclude_from_dunning", "reference": {"qualifier": "account", "reference_id": "AR-9"}},
            "reference_id",
        ),
    ],
)
async def test_an_item_or_account_of_another_contact_or_unit_is_refused(api, action, field):
    # The same numbers in another unit and on another contact of this one: neither is this contact's.
    await debtor(api, account("AR-9", invoice("INV-OTHER-1")), bu="BU02", external_id="CRM-BU02")
    contact = await debtor(api)
    response = await post(api, contact["id"], [action])
    assert ("actions", 0, "reference", field) in errors_at(response)
    assert api.count(Communication) == 0
    assert api.count(CreditMemoRequest) == 0
    assert account_row(api, "AR-9").dunning_excluded is False
    assert item_row(api, "INV-OTHER-1").status == "open"


async def test_a_contact_without_accounts_cannot_be_excluded_from_dunning(api):
    contact = await debtor(api, account("AR-0042"))
    await api.client.patch(f"/api/contacts/{contact['id']}", json={"ar_accounts": []}, headers=api.as_("admin"))
    response = await post(api, contact["id"], [{"action": "exclude_from_dunning"}])
    assert errors_at(response)["actions", 0, "reference"].endswith("this contact has no accounts receivable account")


@pytest.mark.parametrize("action", ["exclude_from_dunning", "include_in_dunning"])
async def test_a_dunning_action_the_definition_does_not_enable_is_refused(api, action):
    contact = await debtor(api)
    await activate(api, actions=["log_communication", "place_in_dispute"])
    response = await post(api, contact["id"], [{"action": action}])
    assert response.status_code == 403, response.text
    assert "exclude_from_dunning" in response.json()["detail"]
    assert api.count(Communication) == 0
    assert account_row(api, "AR-0042").dunning_excluded is False


async def test_a_dispute_the_definition_does_not_enable_is_refused(api):
    contact = await debtor(api)
    await activate(api, actions=["log_communication"])
    dispute = {"action": "partial_dispute", "amount": "5.00", "reference": transaction("INV-2026-0001")}
    response = await post(api, contact["id"], [dispute])
    assert response.status_code == 403 and "place_in_dispute" in response.json()["detail"]
    assert item_row(api, "INV-2026-0001").status == "open"


@dataclass
class IndexedApi(Api):
    sync: OutboxSync


class TestTheAdvancedSearchAgreesWithTheCallHistoryAfterTheSync:
    """The dunning and dispute filters, once the outbox is drained into the real engine."""

    @pytest.fixture
    async def api(self, make_database, database, settings, os_client, run_prefix):
        own_db = make_database(database.backend, "effects")
        prefix = f"{run_prefix}-fx-{database.backend}-{next(INDICES)}"
        own = settings.model_copy(update={"database_url": own_db.url, "index_prefix": prefix})
        engine = build_engine(own)
        sessions = build_sessionmaker(engine)
        with sessions.begin() as session:
            tokens = {name: add_user(session, name, role, bu)[1] for name, role, bu in USERS}
        rebuild(settings=own, engine=engine, client=os_client)
        app = create_app(own)
        try:
            async with app.router.lifespan_context(app):
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://contact-lookup.test") as client:
                    sync = OutboxSync(settings=own, engine=engine, client=os_client)
                    yield IndexedApi(client=client, sessions=sessions, tokens=tokens, sync=sync)
        finally:
            engine.dispose()
            os_client.indices.delete(index=f"{prefix}-*", params={"expand_wildcards": "all"})

    async def found(self, api: IndexedApi, criteria: dict[str, Any]) -> list[str]:
        api.sync.drain()
        response = await api.client.post(
            "/api/search/advanced", json={"accounts_receivable": criteria}, headers=api.as_("agent-bu01")
        )
        assert response.status_code == 200, response.text
        return sorted(i["display_name"] for i in response.json()["items"])

    async def test_exclude_then_include_moves_the_customer_in_and_out_of_the_dunning_filter(self, api):
        contact = await debtor(api)
        await debtor(api, account("AR-0050", invoice("INV-50")), external_id="CRM-0050", first_name="Paul")
        assert await self.found(api, {"dunning_excluded": True}) == []
        await logged(api, contact["id"], [{"action": "exclude_from_dunning"}])
        assert await self.found(api, {"dunning_excluded": True}) == ["Marie Lefèvre"]
        assert await self.found(api, {"dunning_excluded": False}) == ["Paul Lefèvre"]
        await logged(api, contact["id"], [{"action": "include_in_dunning"}])
        assert await self.found(api, {"dunning_excluded": True}) == []

    async def test_a_dispute_and_its_end_move_the_customer_in_and_out_of_the_dispute_filter(self, api):
        contact = await debtor(api)
        await debtor(api, account("AR-0050", invoice("INV-50")), external_id="CRM-0050", first_name="Paul")
        dispute = {"action": "partial_dispute", "amount": "40.00", "reference": transaction("INV-2026-0001")}
        created = await logged(api, contact["id"], [dispute])
        assert await self.found(api, {"in_dispute": True}) == ["Marie Lefèvre"]
        patched = await api.client.patch(
            f"/api/communications/{created['id']}",
            json={"actions": [dispute | {"amount": "0"}]},
            headers=api.as_("agent-bu01"),
        )
        assert patched.status_code == 200, patched.text
        assert await self.found(api, {"in_dispute": True}) == []
        assert await self.found(api, {"in_dispute": False}) == ["Marie Lefèvre", "Paul Lefèvre"]
