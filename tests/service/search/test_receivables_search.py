"""Accounts receivable on the real engine: a customer found from any transaction number (the highlight naming the
item, never another unit's), and the advanced AR criteria answered for the day of the search, within one account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from indexer.rebuild import rebuild
from service.app import create_app
from service.auth.service import add_user
from service.db.session import build_engine, build_sessionmaker
from service.models import ARAccount, ARItem, Contact
from service.models.enums import UserRole
from tests.conftest import bearer

TODAY = datetime.now(UTC).date()


def item(number: str, *, due_in: int, open_amount: str, kind: str = "invoice", **extra: Any) -> ARItem:
    """An item due `due_in` days from today (negative: past due by that many days)."""
    values: dict[str, Any] = {
        "item_type": kind,
        "number": number,
        "issued_on": TODAY - timedelta(days=60),
        "due_on": TODAY + timedelta(days=due_in),
        "amount": Decimal(open_amount),
        "open_amount": Decimal(open_amount),
        "currency": "EUR",
        "status": "open",
        "disputed_amount": Decimal("0"),
    }
    values.update(extra)
    return ARItem(**values)


def company(name: str, bu: str, *accounts: ARAccount) -> Contact:
    return Contact(
        kind="company", company_name=name, business_unit=bu, life_cycle_state="active", ar_accounts=list(accounts)
    )


def account(number: str, *items: ARItem, **extra: Any) -> ARAccount:
    return ARAccount(number=number, name=number, currency="EUR", status="active", items=list(items), **extra)


@pytest.fixture(scope="module")
async def ar(make_database, database, settings, os_client, run_prefix):
    db = make_database(database.backend, "receivables")
    own = settings.model_copy(update={"database_url": db.url, "index_prefix": f"{run_prefix}-ar-{database.backend}"})
    engine = build_engine(own)
    with build_sessionmaker(engine).begin() as session:
        tokens = {
            name: add_user(session, name, role, bu)[1]
            for name, role, bu in (("agent", UserRole.AGENT, "BU01"), ("agent-bu02", UserRole.AGENT, "BU02"))
        }
        session.add_all(
            [
                company(
                    "Acme Wholesale",
                    "BU01",
                    # Past due 100 (45 days) + 50 (10 days); one not yet due; a payment and a closed invoice.
                    account(
                        "AR-100",
                        item("INV-2026-0001", due_in=-45, open_amount="100.00"),
                        item("INV-2026-0002", due_in=-10, open_amount="50.00"),
                        item("INV-2026-0003", due_in=20, open_amount="900.00"),
                        item("PAY-88/17", due_in=-5, open_amount="0", kind="payment", amount=Decimal("-30")),
                        item("INV-2025-0999", due_in=-200, open_amount="0", status="closed"),
                    ),
                ),
                company(
                    "Borel Frères",
                    "BU01",
                    # Two accounts: one long past due but small, one large but current.
                    account("AR-200", item("INV-2026-0100", due_in=-95, open_amount="20.00")),
                    account(
                        "AR-201",
                        item("CM-2026-7", due_in=-1, open_amount="500.00", kind="chargeback", status="in_dispute"),
                        item("INV-2026-0101", due_in=0, open_amount="5000.00", disputed_amount=Decimal("0")),
                    ),
                ),
                company("Other Unit SA", "BU02", account("AR-900", item("INV-2026-0001", due_in=-45, open_amount="7"))),
            ]
        )
    rebuild(settings=own, engine=engine, client=os_client)
    app = create_app(own)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://contact-lookup.test") as client:
            yield client, tokens
    engine.dispose()
    os_client.indices.delete(index=f"{own.index_prefix}-*", params={"expand_wildcards": "all"})


async def quick(ar, value: str, *, operator: str = "=", token: str = "agent") -> list[dict[str, Any]]:
    client, tokens = ar
    body = {"field": "transaction_number", "operator": operator, "value": value}
    response = await client.post("/api/search/quick", json=body, headers=bearer(tokens[token]))
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def advanced(ar, criteria: dict[str, Any], *, token: str = "agent") -> list[str]:
    client, tokens = ar
    response = await client.post(
        "/api/search/advanced", json={"accounts_receivable": criteria}, headers=bearer(tokens[token])
    )
    assert response.status_code == 200, response.text
    return sorted(i["display_name"] for i in response.json()["items"])


async def test_a_transaction_number_finds_its_customer_and_the_highlight_names_the_item(ar):
    [found] = await quick(ar, "INV-2026-0002")
    assert found["display_name"] == "Acme Wholesale"
    [highlight] = found["highlights"]
    assert highlight["field"] == "transaction_number" and highlight["value"] == "INV-2026-0002"
    assert highlight["item"] == {"number": "INV-2026-0002", "type": "invoice", "account": "AR-100"}


async def test_separators_and_case_are_ignored_as_for_account_numbers(ar):
    assert [i["display_name"] for i in await quick(ar, "inv 2026 0002")] == ["Acme Wholesale"]
    assert [i["display_name"] for i in await quick(ar, "pay8817")] == ["Acme Wholesale"]
    [found] = await quick(ar, "PAY-88/17")
    assert found["highlights"][0]["item"]["type"] == "payment"


async def test_every_kind_of_item_and_closed_ones_find_the_customer(ar):
    assert [i["display_name"] for i in await quick(ar, "CM-2026-7")] == ["Borel Frères"]
    assert [i["display_name"] for i in await quick(ar, "INV-2025-0999")] == ["Acme Wholesale"]


async def test_like_on_transaction_numbers_highlights_each_item_it_names(ar):
    items = await quick(ar, "INV-2026-01%", operator="like")
    assert [i["display_name"] for i in items] == ["Borel Frères"]
    named = sorted((h["value"], h["item"]["account"]) for h in items[0]["highlights"])
    assert named == [("INV-2026-0100", "AR-200"), ("INV-2026-0101", "AR-201")]


async def test_another_business_units_items_are_never_found(ar):
    [found] = await quick(ar, "INV-2026-0001")
    assert found["display_name"] == "Acme Wholesale"
    [theirs] = await quick(ar, "INV-2026-0001", token="agent-bu02")
    assert theirs["display_name"] == "Other Unit SA"
    assert theirs["highlights"][0]["item"]["account"] == "AR-900"
    assert await quick(ar, "INV-2026-0002", token="agent-bu02") == []


async def test_past_due_amount_is_todays_sum_of_what_is_owed_past_its_due_date(ar):
    # Acme: 100 + 50 past due (not the 900 not yet due, the payment or the closed invoice).
    assert await advanced(ar, {"past_due_amount": {"min": 150, "max": 150}}) == ["Acme Wholesale"]
    assert await advanced(ar, {"past_due_amount": {"min": 151}}) == ["Borel Frères"]  # AR-201: 500 past due
    assert await advanced(ar, {"past_due_amount": {"max": 20}}) == ["Borel Frères"]  # AR-200: 20


async def test_an_item_due_today_is_not_yet_past_due(ar):
    # AR-201's 5000 is due today: only its 500 chargeback (one day) is past due.
    assert await advanced(ar, {"past_due_amount": {"min": 5000}}) == []


async def test_days_past_due_is_a_minimum_over_the_oldest_item_owed(ar):
    assert await advanced(ar, {"days_past_due": 45}) == ["Acme Wholesale", "Borel Frères"]
    assert await advanced(ar, {"days_past_due": 46}) == ["Borel Frères"]
    assert await advanced(ar, {"days_past_due": 95}) == ["Borel Frères"]
    assert await advanced(ar, {"days_past_due": 96}) == []
    assert await advanced(ar, {"days_past_due": {"min": 1, "max": 10}}) == ["Borel Frères"]  # AR-201: 1 day


async def test_the_receivables_criteria_hold_within_one_account(ar):
    # Borel: AR-200 is 95 days past due but only 20; AR-201 owes 500 but one day past due.
    assert await advanced(ar, {"days_past_due": 90, "past_due_amount": {"min": 100}}) == []
    assert await advanced(ar, {"days_past_due": 90, "past_due_amount": {"max": 100}}) == ["Borel Frères"]
    assert await advanced(ar, {"in_dispute": True, "days_past_due": 90}) == []
    assert await advanced(ar, {"in_dispute": True, "account_number": "AR-201"}) == ["Borel Frères"]


async def test_in_dispute_answers_yes_and_no(ar):
    assert await advanced(ar, {"in_dispute": True}) == ["Borel Frères"]
    assert await advanced(ar, {"in_dispute": False}) == ["Acme Wholesale", "Borel Frères"]


async def test_days_past_due_refuses_what_is_not_a_whole_number_of_days(ar):
    client, tokens = ar
    for bad in (-1, 1.5, "ten"):
        response = await client.post(
            "/api/search/advanced",
            json={"accounts_receivable": {"days_past_due": bad}},
            headers=bearer(tokens["agent"]),
        )
        assert response.status_code == 422, bad
        assert "days_past_due" in response.text
