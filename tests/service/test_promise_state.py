"""PURE: a promise to pay is pending until its date, kept once the payments from its creation day through its date
cover it, broken from the day after its date otherwise; the index stores that day (`broken_from`)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from service import receivables
from service.models.enums import PromiseState

MADE = datetime(2026, 11, 20, 16, 30, tzinfo=UTC)
DUE = date(2026, 11, 30)


@dataclass
class Promised:
    amount: Decimal
    promised_on: date
    created_at: datetime


@dataclass
class Item:
    item_type: str
    issued_on: date | None
    amount: Decimal


def paid(on: date, amount: str, item_type: str = "payment") -> Item:
    return Item(item_type, on, Decimal(amount))


PROMISE = Promised(Decimal("100.00"), DUE, MADE)


def state(items, today, promise=PROMISE):
    return receivables.promise_state(promise, items, today)


@pytest.mark.parametrize(
    ("today", "expected"),
    [(DUE - timedelta(days=1), "pending"), (DUE, "pending"), (DUE + timedelta(days=1), "broken")],
    ids=["before", "on", "after"],
)
def test_an_unpaid_promise_is_pending_through_its_date_and_broken_the_day_after(today, expected):
    assert state([], today) == PromiseState(expected)


@pytest.mark.parametrize("today", [MADE.date(), DUE, DUE + timedelta(days=40)], ids=["early", "on", "long after"])
def test_payments_covering_the_amount_by_the_date_keep_it_whatever_the_day(today):
    items = [paid(MADE.date(), "-60.00"), paid(DUE, "40.00")]
    assert state(items, today) is PromiseState.KEPT
    assert receivables.broken_from(PROMISE, items) is None


def test_a_partial_payment_leaves_it_pending_then_broken():
    items = [paid(DUE - timedelta(days=2), "99.99")]
    assert state(items, DUE) is PromiseState.PENDING
    assert state(items, DUE + timedelta(days=1)) is PromiseState.BROKEN
    assert receivables.paid_towards(PROMISE, items) == Decimal("99.99")


def test_a_payment_after_the_date_is_late_and_keeps_nothing():
    items = [paid(DUE + timedelta(days=1), "100.00")]
    assert state(items, DUE + timedelta(days=5)) is PromiseState.BROKEN
    assert receivables.broken_from(PROMISE, items) == DUE + timedelta(days=1)


def test_only_payments_from_the_promises_creation_day_count():
    before = [paid(MADE.date() - timedelta(days=1), "100.00")]
    assert state(before, DUE + timedelta(days=1)) is PromiseState.BROKEN
    assert state([paid(MADE.date(), "100.00")], DUE + timedelta(days=1)) is PromiseState.KEPT


def test_items_that_are_not_payments_keep_nothing():
    items = [paid(DUE, "100.00", "credit_memo"), paid(DUE, "100.00", "invoice"), Item("payment", None, Decimal(100))]
    assert state(items, DUE + timedelta(days=1)) is PromiseState.BROKEN


def test_a_promise_due_the_day_it_was_made_is_pending_that_day_only():
    promise = Promised(Decimal("5"), MADE.date(), MADE)
    assert state([], MADE.date(), promise) is PromiseState.PENDING
    assert state([], MADE.date() + timedelta(days=1), promise) is PromiseState.BROKEN
