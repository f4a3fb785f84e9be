"""The Financials section of the context over HTTP: computed for the day of the request from the stored items,
shown only when the active definition lists it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.service.contacts.conftest import create_contact

TODAY = datetime.now(UTC).date()


def invoice(number: str, days_past_due: int, open_amount: str, **extra: str) -> dict[str, str]:
    due = (TODAY - timedelta(days=days_past_due)).isoformat()
    values = {"type": "invoice", "number": number, "due_on": due, "amount": open_amount, "currency": "EUR"}
    return {**values, **extra}


async def test_the_context_shows_each_accounts_money_by_age_with_credit_hold_and_dunning_at_the_top(api):
    items = [
        invoice("INV-1", 0, "10.00"),
        invoice("INV-2", 30, "20.00"),
        invoice("INV-3", 31, "30.00", status="in_dispute", disputed_amount="30.00"),
        invoice("INV-4", 91, "40.00"),
        {"type": "payment", "number": "PAY-1", "amount": "-5.00", "currency": "EUR", "issued_on": TODAY.isoformat()},
    ]
    accounts = [
        {"number": "AR-1", "name": "Acme", "currency": "EUR", "credit_hold": True, "items": items},
        {"number": "AR-2", "name": "Acme bis", "currency": "EUR", "dunning_excluded": True},
    ]
    created = await create_contact(api, ar_accounts=accounts)
    response = await api.client.get(f"/api/contacts/{created['id']}/context", headers=api.as_("admin"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert "financials" in body["sections"]
    money = body["financials"]
    assert (money["as_of"], money["credit_hold"], money["dunning_excluded"]) == (TODAY.isoformat(), True, True)
    assert money["total_past_due"] == [{"currency": "EUR", "amount": "90.00"}]
    assert money["total_in_dispute"] == [{"currency": "EUR", "amount": "30.00"}]
    first = money["accounts"][0]
    assert first["aging"] == {
        "current": "10.00",
        "1-30": "20.00",
        "31-60": "30.00",
        "61-90": "0.00",
        "over_90": "40.00",
    }
    assert [(i["number"], i["days_past_due"], i["bucket"]) for i in first["open_items"]] == [
        ("INV-4", 91, "over_90"),
        ("INV-3", 31, "31-60"),
        ("INV-2", 30, "1-30"),
        ("INV-1", 0, "current"),
    ]
    assert [p["number"] for p in first["latest_payments"]] == ["PAY-1"]
    assert money["accounts"][1]["open_items"] == [] and money["accounts"][1]["dunning_excluded"] is True
    assert body["accounts_receivable"][0]["items"][0]["number"] == "INV-1", "each account's items as written"
