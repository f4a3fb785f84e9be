"""The `promise_to_pay` call action's effect: one promise row per such action of a communication, written in the
same flush as the communication (so in its transaction and in the outbox with it).

The account a promise is on: the action's reference with qualifier `account` (its id the account number), or the
item the reference names (an invoice, a transaction), else the contact's only AR account. A contact with several
accounts needs the reference; an account that is not this contact's is refused like an unknown one (its number says
nothing about another contact or unit).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import ARAccount, ARItem, Communication, Promise
from service.models.enums import CallAction
from service.writes import FieldError, invalid

PROMISE = CallAction.PROMISE_TO_PAY
ACCOUNT_QUALIFIER = "account"


@dataclass(frozen=True, slots=True)
class Planned:
    """What one action asks of its promise."""

    account: ARAccount
    amount: Decimal
    promised_on: date

    def matches(self, promise: Promise) -> bool:
        return (promise.ar_account_id, promise.amount, promise.promised_on) == (
            self.account.id,
            self.amount,
            self.promised_on,
        )


def _promises(actions: Sequence[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    return [(position, a) for position, a in enumerate(actions) if a["action"] == PROMISE]


def errors(actions: Sequence[dict[str, Any]], *, interaction_on: date) -> list[FieldError]:
    """Oracle's Promise to Pay: an amount above 0 and the date it is promised for, not before the call."""
    found: list[FieldError] = []
    for position, action in _promises(actions):
        if action.get("amount") is None:
            found.append((("actions", position, "amount"), "required when action is promise_to_pay"))
        elif Decimal(action["amount"]) <= 0:
            found.append((("actions", position, "amount"), "must be greater than 0"))
        promised_on = action.get("promised_on")
        if promised_on is None:
            found.append((("actions", position, "promised_on"), "required when action is promise_to_pay"))
        elif date.fromisoformat(promised_on) < interaction_on:
            found.append(
                (
                    ("actions", position, "promised_on"),
                    f"cannot be before the interaction date ({interaction_on.isoformat()})",
                )
            )
    return found


def shorthand_errors(action: str | None) -> list[FieldError]:
    """The one-action shorthand carries no date, so it cannot make a promise."""
    if action == PROMISE:
        return [(("action",), "promise_to_pay needs an amount and promised_on: send it in actions")]
    return []


def plan(session: Session, contact_id: int, actions: Sequence[dict[str, Any]]) -> list[Planned]:
    """The promise each `promise_to_pay` action asks for, on the account it resolves to; a 422 naming the reference
    of each action whose account cannot be told."""
    wanted = _promises(actions)
    if not wanted:
        return []
    accounts = list(session.scalars(select(ARAccount).where(ARAccount.contact_id == contact_id).order_by(ARAccount.id)))
    planned: list[Planned] = []
    refused: list[FieldError] = []
    for position, action in wanted:
        account, error = _account(session, accounts, action.get("reference"), position)
        if error is not None:
            refused.append(error)
        elif account is not None:
            planned.append(Planned(account, Decimal(action["amount"]), date.fromisoformat(action["promised_on"])))
    if refused:
        raise invalid(refused)
    return planned


def _account(
    session: Session, accounts: list[ARAccount], reference: dict[str, str] | None, position: int
) -> tuple[ARAccount | None, FieldError | None]:
    where = ("actions", position, "reference")
    if reference is None:
        if len(accounts) == 1:
            return accounts[0], None
        if not accounts:
            return None, (where, "the contact has no AR account to promise a payment on")
        numbers = ", ".join(a.number for a in accounts)
        return None, (where, f"required: the contact has several AR accounts ({numbers}); name one (qualifier account)")
    number = reference["reference_id"]
    if reference["qualifier"] == ACCOUNT_QUALIFIER:
        found = next((a for a in accounts if a.number == number), None)
        if found is None:
            return None, ((*where, "reference_id"), f"'{number}' is not an AR account of this contact")
        return found, None
    owner = session.scalar(
        select(ARItem.ar_account_id).where(ARItem.number == number, ARItem.ar_account_id.in_([a.id for a in accounts]))
    )
    if owner is None:
        return None, (
            (*where, "reference_id"),
            f"'{number}' is no item of this contact's AR accounts; name the account (qualifier account)",
        )
    return next(a for a in accounts if a.id == owner), None


def apply(
    session: Session, communication: Communication, planned: Sequence[Planned], *, created_by: str
) -> list[Planned]:
    """Make the communication's promises those planned: an unchanged one stays as it is (its creation day too), a
    changed one is updated in place, one no action asks for any more goes. Nothing is flushed here. Returns the
    promises written (new or changed), which the write names among its effects."""
    with session.no_autoflush:  # one flush writes the communication and its promises (one outbox row each)
        existing = [] if communication.id is None else of_communication(session, communication.id)
    left: list[Promise] = []
    changed: list[Planned] = list(planned)
    for promise in existing:
        same = next((p for p in changed if p.matches(promise)), None)
        if same is None:
            left.append(promise)
        else:
            changed.remove(same)
    for promise, wanted in zip(left, changed, strict=False):
        promise.ar_account_id = wanted.account.id
        promise.currency = wanted.account.currency
        promise.amount = wanted.amount
        promise.promised_on = wanted.promised_on
    for promise in left[len(changed) :]:
        session.delete(promise)
    for wanted in changed[len(left) :]:
        session.add(
            Promise(
                communication=communication,
                ar_account_id=wanted.account.id,
                currency=wanted.account.currency,
                amount=wanted.amount,
                promised_on=wanted.promised_on,
                created_by=created_by,
            )
        )
    return changed


def effects(planned: Sequence[Planned]) -> list[dict[str, Any]]:
    """How a write names its promises beside the other call actions' effects (`communications.effects`)."""
    return [
        {
            "action": PROMISE.value,
            "effect": "promise_recorded",
            "account": p.account.number,
            "amount": str(p.amount),
        }
        for p in planned
    ]


def remove(session: Session, communication: Communication) -> None:
    for promise in of_communication(session, communication.id):
        session.delete(promise)


def of_communication(session: Session, communication_id: int) -> list[Promise]:
    statement = select(Promise).where(Promise.communication_id == communication_id).order_by(Promise.id)
    return list(session.scalars(statement))
