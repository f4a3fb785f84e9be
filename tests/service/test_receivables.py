"""PURE: the receivables rules and the Financials section for fixed days, at every aging boundary."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from service import receivables
from service.context.financials import financials
from service.models import ARAccount, ARItem

TODAY = date(2026, 12, 3)
_ids = itertools.count(1)


def item(number: str, *, days: int | None, open_amount: str = "10.00", **extra: Any) -> ARItem:
    """`days` past due on TODAY (negative: not yet due; None: no due date)."""
    values: dict[str, Any] = {
        "id": next(_ids),
        "item_type": "invoice",
        "number": number,
        "issued_on": TODAY - timedelta(days=120),
        "due_on": None if days is None else TODAY - timedelta(days=days),
        "amount": Decimal(open_amount),
        "open_amount": Decimal(open_amount),
        "currency": "EUR",
        "status": "open",
        "disputed_amount": Decimal("0"),
    }
    values.update(extra)
    return ARItem(**values)


def account(*items: ARItem, **extra: Any) -> ARAccount:
    values: dict[str, Any] = {
        "number": "AR-1",
        "name": "Acme",
        "balance": Decimal("0"),
        "currency": "EUR",
        "status": "active",
        "credit_hold": False,
        "dunning_excluded": False,
        "collector": "jdupont",
        "items": list(items),
    }
    values.update(extra)
    return ARAccount(**values)


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (0, "current"),
        (1, "1-30"),
        (30, "1-30"),
        (31, "31-60"),
        (60, "31-60"),
        (61, "61-90"),
        (90, "61-90"),
        (91, "over_90"),
        (400, "over_90"),
    ],
)
def test_each_bucket_starts_and_ends_where_collectors_count(days, bucket):
    assert receivables.bucket(days) == bucket


def test_an_item_is_past_due_the_day_after_its_due_date():
    assert receivables.days_past_due(item("I", days=0), TODAY) == 0
    assert not receivables.is_past_due(item("I", days=0), TODAY)
    assert receivables.days_past_due(item("I", days=-5), TODAY) == 0, "not yet due"
    assert receivables.is_past_due(item("I", days=1), TODAY)
    assert not receivables.is_past_due(item("I", days=None), TODAY), "no due date, never past due"


def test_only_open_debits_are_owed():
    assert receivables.is_owed(item("I", days=5))
    assert not receivables.is_owed(item("I", days=5, status="closed"))
    assert not receivables.is_owed(item("I", days=5, open_amount="0"))
    assert not receivables.is_owed(item("P", days=5, item_type="payment", open_amount="-10"))
    assert not receivables.is_owed(item("C", days=5, item_type="credit_memo"))
    assert receivables.is_owed(item("D", days=5, item_type="debit_memo"))
    assert receivables.is_owed(item("B", days=5, item_type="chargeback", status="in_dispute"))


def test_the_past_due_steps_give_each_days_amount():
    items = [item("A", days=45, open_amount="100"), item("B", days=10, open_amount="50"), item("C", days=-20)]
    steps = receivables.past_due_steps(items)
    for offset in (-60, -45, -44, -10, -9, 0, 19, 20, 21, 400):
        day = TODAY + timedelta(days=offset)
        [step] = [s for s in steps if (s.start is None or s.start <= day) and (s.end is None or day < s.end)]
        assert step.amount == receivables.past_due_amount(items, day), day


def test_an_account_without_anything_owed_has_one_step_of_nothing():
    assert receivables.past_due_steps([item("A", days=3, status="closed")]) == [
        receivables.Step(None, None, Decimal("0"))
    ]


def test_aging_puts_each_open_amount_in_its_bucket_at_the_boundaries():
    boundaries = [0, 1, 30, 31, 60, 61, 90, 91]
    shown = financials([account(*(item(f"I-{d}", days=d, open_amount=f"{d + 1}") for d in boundaries))], today=TODAY)
    aging = shown.accounts[0].aging.model_dump(by_alias=True)
    assert aging == {
        "current": Decimal("1"),
        "1-30": Decimal("2") + Decimal("31"),
        "31-60": Decimal("32") + Decimal("61"),
        "61-90": Decimal("62") + Decimal("91"),
        "over_90": Decimal("92"),
    }
    assert shown.accounts[0].past_due_amount == sum(Decimal(d + 1) for d in boundaries if d > 0)


def test_open_items_show_their_days_past_due_oldest_first():
    a = account(
        item("NEW", days=-3), item("OLD", days=95), item("MID", days=31), item("PAID", days=40, status="closed")
    )
    [shown] = financials([a], today=TODAY).accounts
    assert [(i.number, i.days_past_due, i.bucket, i.past_due) for i in shown.open_items] == [
        ("OLD", 95, "over_90", True),
        ("MID", 31, "31-60", True),
        ("NEW", 0, "current", False),
    ]
    assert shown.open_items_total == 3


def test_disputes_and_latest_payments_per_account_and_totals_per_currency():
    eur = account(
        item("I-1", days=10, status="in_dispute", disputed_amount=Decimal("4")),
        item("P-1", days=None, item_type="payment", open_amount="0", issued_on=TODAY - timedelta(days=9)),
        item("P-2", days=None, item_type="payment", open_amount="0", issued_on=TODAY - timedelta(days=2)),
    )
    usd = account(item("U-1", days=3, currency="USD", open_amount="7"), number="AR-2", currency="USD", credit_hold=True)
    shown = financials([eur, usd], today=TODAY)
    assert shown.credit_hold is True and shown.dunning_excluded is False and shown.as_of == TODAY
    assert [p.number for p in shown.accounts[0].latest_payments] == ["P-2", "P-1"]
    assert shown.accounts[0].in_dispute and shown.accounts[0].disputed_amount == Decimal("4")
    assert [(t.currency, t.amount) for t in shown.total_past_due] == [("EUR", Decimal("10")), ("USD", Decimal("7"))]
    assert [(t.currency, t.amount) for t in shown.total_in_dispute] == [("EUR", Decimal("4")), ("USD", Decimal("0"))]


def test_dunning_excluded_at_the_top_when_any_account_is():
    assert financials([account(), account(number="AR-2", dunning_excluded=True)], today=TODAY).dunning_excluded


def test_a_long_account_is_paged_and_says_how_many_it_holds():
    a = account(*(item(f"I-{n}", days=n) for n in range(150)))
    [shown] = financials([a], today=TODAY).accounts
    assert len(shown.open_items) == 100 and shown.open_items_total == 150
    assert shown.open_items[0].number == "I-149", "the oldest first"
