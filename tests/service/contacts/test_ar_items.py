"""AR items (invoices, memos, chargebacks, payments) on contact writes and reads: stored as written, their numbers
unique within the business unit, kept by a PATCH that leaves them out, replaced by one that sends them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from service.models import ARItem, OutboxEntry
from tests.service.contacts.conftest import create_contact, person_payload


def invoice(number: str = "INV-1001", **overrides: Any) -> dict[str, Any]:
    item = {
        "type": "invoice",
        "number": number,
        "issued_on": "2026-10-01",
        "due_on": "2026-10-31",
        "amount": "120.00",
        "open_amount": "80.00",
        "currency": "eur",
        "status": "open",
        "disputed_amount": "0",
    }
    return {**item, **overrides}


def account(number: str = "AR-0042", items: list[dict[str, Any]] | None = None, **overrides: Any) -> dict[str, Any]:
    value: dict[str, Any] = {"number": number, "name": "Marie Lefèvre", "currency": "EUR", **overrides}
    if items is not None:
        value["items"] = items
    return value


async def test_items_are_returned_as_written(api):
    created = await create_contact(
        api,
        ar_accounts=[account(items=[invoice(), invoice("PAY-77", type="payment", amount="-40.00", open_amount="0")])],
    )
    items = created["ar_accounts"][0]["items"]
    assert [(i["type"], i["number"], i["amount"], i["open_amount"], i["currency"]) for i in items] == [
        ("invoice", "INV-1001", "120.00", "80.00", "EUR"),
        ("payment", "PAY-77", "-40.00", "0.00", "EUR"),
    ]
    assert items[0]["issued_on"] == "2026-10-01" and items[0]["due_on"] == "2026-10-31"
    assert items[0]["status"] == "open" and items[0]["disputed_amount"] == "0.00"
    read = await api.client.get(f"/api/contacts/{created['id']}", headers=api.as_("admin"))
    assert read.json()["ar_accounts"][0]["items"] == items


async def test_an_open_amount_left_out_is_the_whole_amount(api):
    created = await create_contact(api, ar_accounts=[account(items=[invoice(open_amount=None)])])
    assert created["ar_accounts"][0]["items"][0]["open_amount"] == "120.00"


async def test_an_item_number_repeated_in_the_request_is_a_422_naming_it(api):
    payload = person_payload(ar_accounts=[account(items=[invoice("INV-1")]), account("AR-2", items=[invoice("INV-1")])])
    response = await api.client.post("/api/contacts", json=payload, headers=api.as_("admin"))
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"][-5:] == ["ar_accounts", 1, "items", 0, "number"]
    assert "'INV-1' appears twice" in error["msg"]


async def test_an_item_number_another_contact_of_the_unit_holds_is_a_409_naming_both(api):
    await create_contact(api, ar_accounts=[account(items=[invoice("INV-1")])])
    payload = person_payload(
        external_id="CRM-2",
        access_tokens=[],
        subscriptions=[],
        ar_accounts=[account("AR-2", items=[invoice("INV-1")])],
    )
    response = await api.client.post("/api/contacts", json=payload, headers=api.as_("admin"))
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "ar_accounts[0].items[0].number" in detail and "'INV-1'" in detail and "AR-0042" in detail


async def test_another_unit_may_hold_the_same_item_number(api):
    await create_contact(api, ar_accounts=[account(items=[invoice("INV-1")])])
    payload = person_payload(business_unit="BU02", ar_accounts=[account(items=[invoice("INV-1")])])
    response = await api.client.post("/api/contacts", json=payload, headers=api.as_("agent-bu02"))
    assert response.status_code == 201, response.text
    with api.sessions() as session:
        assert sorted(session.scalars(select(ARItem.business_unit))) == ["BU01", "BU02"]


async def test_a_patch_leaving_items_out_keeps_them(api):
    created = await create_contact(api, ar_accounts=[account(items=[invoice()])])
    response = await api.client.patch(
        f"/api/contacts/{created['id']}",
        json={"ar_accounts": [account(balance="99.00")]},
        headers={**api.as_("admin"), "If-Match": f'"{created["version"]}"'},
    )
    assert response.status_code == 200, response.text
    accounts = response.json()["ar_accounts"]
    assert accounts[0]["balance"] == "99.00"
    assert [i["number"] for i in accounts[0]["items"]] == ["INV-1001"]


async def test_a_patch_of_an_item_keeps_its_row_and_queues_the_contact(api):
    created = await create_contact(api, ar_accounts=[account(items=[invoice()])])
    item_id = created["ar_accounts"][0]["items"][0]["id"]
    with api.sessions.begin() as session:
        session.execute(OutboxEntry.__table__.delete())
    response = await api.client.patch(
        f"/api/contacts/{created['id']}",
        json={"ar_accounts": [account(items=[invoice(open_amount="0", status="closed")])]},
        headers={**api.as_("admin"), "If-Match": f'"{created["version"]}"'},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    [item] = body["ar_accounts"][0]["items"]
    assert (item["id"], item["open_amount"], item["status"]) == (item_id, "0.00", "closed")
    assert body["version"] == created["version"] + 1
    assert api.outbox() == [("contact", created["id"])]


async def test_an_item_moves_to_another_account_of_the_contact(api):
    created = await create_contact(api, ar_accounts=[account(items=[invoice()]), account("AR-2", items=[])])
    item_id = created["ar_accounts"][0]["items"][0]["id"]
    response = await api.client.patch(
        f"/api/contacts/{created['id']}",
        json={"ar_accounts": [account(items=[]), account("AR-2", items=[invoice()])]},
        headers={**api.as_("admin"), "If-Match": f'"{created["version"]}"'},
    )
    assert response.status_code == 200, response.text
    accounts = response.json()["ar_accounts"]
    assert accounts[0]["items"] == [] and accounts[1]["items"][0]["id"] == item_id


async def test_a_contact_moving_unit_takes_its_items_along(api):
    created = await create_contact(api, ar_accounts=[account(items=[invoice()])])
    response = await api.client.patch(
        f"/api/contacts/{created['id']}",
        json={"business_unit": "BU02"},
        headers={**api.as_("admin"), "If-Match": f'"{created["version"]}"'},
    )
    assert response.status_code == 200, response.text
    with api.sessions() as session:
        assert list(session.scalars(select(ARItem.business_unit))) == ["BU02"]


async def test_an_unknown_item_type_or_status_is_a_422(api):
    for bad in ({"type": "receipt"}, {"status": "paid"}, {"disputed_amount": "-1"}):
        payload = person_payload(ar_accounts=[account(items=[invoice(**bad)])])
        response = await api.client.post("/api/contacts", json=payload, headers=api.as_("admin"))
        assert response.status_code == 422, bad
