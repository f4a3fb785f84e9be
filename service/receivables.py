"""PURE: what a collector reads off an account's items on a given day: past due, days past due, aging, disputes,
and whether its promises to pay are pending, kept or broken.

One home for these rules, used by the index documents (which store what a query needs to answer them for any
day: see `past_due_steps`) and by the context's financials section (which computes them for today). `today` is
always passed in: nothing here reads the clock. An item is anything with the attributes of `service.models.ARItem`
(`item_type`, `due_on`, `open_amount`, `status`, `disputed_amount`): an ORM row or an indexer record.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from service.models.enums import AR_DEBIT_TYPES, ARItemStatus, ARItemType, PromiseState

# Aging buckets by days past due: (name, first day, last day or None for no end). "current" is not yet due.
BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("current", 0, 0),
    ("1-30", 1, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("over_90", 91, None),
)
ZERO = Decimal("0.00")


class Item(Protocol):
    item_type: str
    due_on: date | None
    open_amount: Decimal
    status: str
    disputed_amount: Decimal


def is_owed(item: Item) -> bool:
    """A debit item with something still open: what ages and can fall past due."""
    return item.item_type in AR_DEBIT_TYPES and item.status != ARItemStatus.CLOSED and item.open_amount > 0


def days_past_due(item: Item, today: date) -> int:
    """Days since the due date (0 on it, and before it, and for an item without one)."""
    if item.due_on is None:
        return 0
    return max(0, (today - item.due_on).days)


def is_past_due(item: Item, today: date) -> bool:
    return is_owed(item) and days_past_due(item, today) > 0


def bucket(days: int) -> str:
    for name, first, last in BUCKETS:
        if days >= first and (last is None or days <= last):
            return name
    raise ValueError(f"days past due cannot be negative: {days}")


def in_dispute(items: Iterable[Item]) -> bool:
    """An account is in dispute while one of its items is: by status, or by an amount disputed."""
    return any(i.status == ARItemStatus.IN_DISPUTE or i.disputed_amount > 0 for i in items)


def oldest_due_on(items: Iterable[Item]) -> date | None:
    """The earliest due date still owed: the account is `today - it` days past due (`days_past_due` search)."""
    return min((i.due_on for i in items if is_owed(i) and i.due_on is not None), default=None)


@dataclass(frozen=True, slots=True)
class Step:
    """From `start` (inclusive, None: always) until `end` (exclusive, None: ever after) the account's past-due
    amount is `amount`, as long as its items stay as they are."""

    start: date | None
    end: date | None
    amount: Decimal


def past_due_steps(items: Sequence[Item]) -> list[Step]:
    """The account's past-due amount as a function of the day: it only grows as due dates pass, one step the day
    after each due date. Stored in the index, the steps let a search ask "past due amount on `today` within a
    range" without a script or a nightly re-index: the query picks the step that holds `today`."""
    owed: dict[date, Decimal] = {}
    for item in items:
        if is_owed(item) and item.due_on is not None:
            owed[item.due_on] = owed.get(item.due_on, ZERO) + item.open_amount
    steps: list[Step] = []
    start: date | None = None
    total = ZERO
    for due in sorted(owed):
        past_from = due + timedelta(days=1)
        steps.append(Step(start, past_from, total))
        start, total = past_from, total + owed[due]
    steps.append(Step(start, None, total))
    return steps


def past_due_amount(items: Iterable[Item], today: date) -> Decimal:
    return sum((i.open_amount for i in items if is_past_due(i, today)), ZERO)


def disputed_amount(items: Iterable[Item]) -> Decimal:
    return sum((i.disputed_amount for i in items if i.status != ARItemStatus.CLOSED), ZERO)


class Payment(Protocol):
    item_type: str
    issued_on: date | None
    amount: Decimal


class PromiseTerms(Protocol):
    """What a promise's state is read from: an ORM `Promise` or an indexer record."""

    amount: Decimal
    promised_on: date
    created_at: datetime


def paid_towards(promise: PromiseTerms, items: Iterable[Payment]) -> Decimal:
    """The payments dated from the promise's creation day through its date, summed (a payment is stored with
    either sign; what it pays is its size). A payment after the date keeps nothing: the promise was broken."""
    start = promise.created_at.date()
    return sum(
        (
            abs(i.amount)
            for i in items
            if i.item_type == ARItemType.PAYMENT
            and i.issued_on is not None
            and start <= i.issued_on <= promise.promised_on
        ),
        ZERO,
    )


def broken_from(promise: PromiseTerms, items: Iterable[Payment]) -> date | None:
    """The first day the promise is broken (the day after its date), None when the payments by then keep it: what
    the index stores, since it does not depend on the day of the search."""
    if paid_towards(promise, items) >= promise.amount:
        return None
    return promise.promised_on + timedelta(days=1)


def promise_state(promise: PromiseTerms, items: Iterable[Payment], today: date) -> PromiseState:
    """Kept once the payments from its creation through its date cover it (even before the date); broken from the
    day after its date otherwise; pending until then."""
    broken = broken_from(promise, items)
    if broken is None:
        return PromiseState.KEPT
    return PromiseState.BROKEN if today >= broken else PromiseState.PENDING
