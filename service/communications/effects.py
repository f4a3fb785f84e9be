"""What a call action does (Oracle Receivables' Customer Calls), applied in the transaction of the communication.

One rule per action, chosen by `RULES[action]`; an action without a rule (`call`, `collection_action`) is logged
and does nothing else. A rule reads the contact's accounts (their items loaded), checks what the action names and
returns a `Planned` effect: the words the answer and the audit give it, and how to apply it. `plan` runs every
rule of a write first and refuses the whole write (422, each error at its `actions[i]` field) before anything
changes, so a refused call leaves nothing; `Planned.apply` then changes the rows and the change capture puts the
touched accounts and items in the outbox with the contact.

- `exclude_from_dunning` / `include_in_dunning` set / clear the account's `dunning_excluded`. The account is the
  action's reference (`account`: its number; `transaction`: the item's account), else the contact's only one.
- `partial_dispute` with a `transaction` reference puts that item's `disputed_amount` in dispute (status
  `in_dispute`); an amount of 0 ends the dispute (status `open`, or `closed` when nothing is left open). Without a
  transaction reference (the `action`/`action_amount` shorthand) the amount is logged and no item changes.
- `credit_memo` with a `transaction` reference records a credit memo request against that item.
- `collection_follow_up` needs the communication's `follow_up_on`.
- `alert` puts the communication in the admins' alert list (`GET /api/communications/alerts`).

Only the actions a write adds or changes are applied (a PATCH that keeps an action does not apply it again).
Removing an action or deleting the communication undoes nothing (the account stays excluded until a call
includes it again: Oracle's "remains off the dunning list until you re-include the customer"; a credit memo
request stays asked for), except for a dispute: Oracle marks an amount as no longer in dispute by "update the
Amount to zero, or delete the record", so removing a `partial_dispute` (or deleting its communication) ends the
item's dispute (`withdraw`), unless another call has since set the item's disputed amount to something else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from service.db.base import utcnow
from service.models import ARAccount, ARItem, Communication, CreditMemoRequest
from service.models.enums import ARItemStatus, CallAction
from service.text import fold_identifier
from service.writes import FieldError, Loc

ACCOUNT = "account"
TRANSACTION = "transaction"
ZERO = Decimal("0")

Effect = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Call:
    """What the rules see of a write: the contact's accounts with their items, and the communication's fields."""

    accounts: Sequence[ARAccount]
    follow_up_on: date | None
    author: str


@dataclass(slots=True)
class Planned:
    """One effect, checked and not yet applied: `apply(session, communication)` makes it so."""

    effect: Effect
    apply: Callable[[Session, Communication], Any] = field(default=lambda _session, _communication: None)


class Refused(Exception):
    """A rule that cannot be applied, at the field of the action that names it."""

    def __init__(self, loc: Loc, message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


Rule = Callable[[Call, int, Mapping[str, Any]], Planned | None]


def _at(position: int, *names: str) -> Loc:
    return ("actions", position, *names)


def _reference(action: Mapping[str, Any], qualifier: str) -> str | None:
    reference = action.get("reference") or {}
    if fold_identifier(reference.get("qualifier") or "") != qualifier:
        return None
    value: str = reference.get("reference_id") or ""
    return value


def _amount(action: Mapping[str, Any]) -> Decimal | None:
    amount = action.get("amount")
    return None if amount is None else Decimal(str(amount))


def find_item(call: Call, number: str, position: int) -> tuple[ARAccount, ARItem]:
    """The contact's item of that number, separators and case ignored as for account numbers; an item of another
    contact (or unit) is no item of this one."""
    wanted = fold_identifier(number)
    for account in call.accounts:
        for item in account.items:
            if fold_identifier(item.number) == wanted:
                return account, item
    raise Refused(_at(position, "reference", "reference_id"), f"no transaction '{number}' on this contact's accounts")


def find_account(call: Call, action: Mapping[str, Any], position: int) -> ARAccount:
    """The account the action names (`account` or `transaction` reference), else the contact's only account."""
    number = _reference(action, ACCOUNT)
    if number is not None:
        wanted = fold_identifier(number)
        for account in call.accounts:
            if fold_identifier(account.number) == wanted:
                return account
        raise Refused(_at(position, "reference", "reference_id"), f"no account '{number}' on this contact")
    transaction = _reference(action, TRANSACTION)
    if transaction is not None:
        return find_item(call, transaction, position)[0]
    if len(call.accounts) == 1:
        return call.accounts[0]
    if not call.accounts:
        raise Refused(_at(position, "reference"), "this contact has no accounts receivable account")
    numbers = ", ".join(a.number for a in call.accounts)
    raise Refused(
        _at(position, "reference"),
        f"this contact has {len(call.accounts)} accounts ({numbers}): name one with "
        '{"qualifier": "account", "reference_id": "<account number>"}',
    )


def _end_dispute(item: ARItem) -> None:
    item.disputed_amount = ZERO
    item.status = (ARItemStatus.OPEN if item.open_amount > ZERO else ARItemStatus.CLOSED).value


def _dunning(excluded: bool) -> Rule:
    def rule(call: Call, position: int, action: Mapping[str, Any]) -> Planned:
        account = find_account(call, action, position)

        def apply(_session: Session, _communication: Communication) -> None:
            account.dunning_excluded = excluded

        effect = "dunning_excluded" if excluded else "dunning_included"
        return Planned({"action": action["action"], "effect": effect, "account": account.number}, apply)

    return rule


def partial_dispute(call: Call, position: int, action: Mapping[str, Any]) -> Planned | None:
    number = _reference(action, TRANSACTION)
    amount = _amount(action)
    if number is None or amount is None:
        return None
    account, item = find_item(call, number, position)
    if amount > item.open_amount:
        raise Refused(
            _at(position, "amount"),
            f"{amount} is more than the {item.open_amount} still open on transaction '{item.number}'",
        )

    def apply(_session: Session, _communication: Communication) -> None:
        if amount > ZERO:
            item.disputed_amount = amount
            item.status = ARItemStatus.IN_DISPUTE.value
        else:
            _end_dispute(item)

    effect = "dispute_placed" if amount > ZERO else "dispute_ended"
    return Planned(
        {
            "action": action["action"],
            "effect": effect,
            "account": account.number,
            "item": item.number,
            "amount": str(amount),
        },
        apply,
    )


def credit_memo(call: Call, position: int, action: Mapping[str, Any]) -> Planned | None:
    number = _reference(action, TRANSACTION)
    if number is None:
        return None
    account, item = find_item(call, number, position)
    amount = _amount(action)

    def apply(session: Session, communication: Communication) -> None:
        request = CreditMemoRequest(
            ar_item_id=item.id,
            communication_id=communication.id,
            amount=amount,
            requested_by=call.author,
            requested_at=utcnow(),
        )
        session.add(request)

    effect: Effect = {
        "action": action["action"],
        "effect": "credit_memo_requested",
        "account": account.number,
        "item": item.number,
    }
    if amount is not None:
        effect["amount"] = str(amount)
    return Planned(effect, apply)


def collection_follow_up(call: Call, position: int, action: Mapping[str, Any]) -> Planned:
    if call.follow_up_on is None:
        raise Refused(("follow_up_on",), f"required: actions[{position}] is collection_follow_up")
    return Planned(
        {"action": action["action"], "effect": "follow_up_scheduled", "follow_up_on": call.follow_up_on.isoformat()}
    )


def alert(call: Call, position: int, action: Mapping[str, Any]) -> Planned:
    return Planned({"action": action["action"], "effect": "alert_listed"})


RULES: dict[str, Rule] = {
    CallAction.EXCLUDE_FROM_DUNNING: _dunning(True),
    CallAction.INCLUDE_IN_DUNNING: _dunning(False),
    CallAction.PARTIAL_DISPUTE: partial_dispute,
    CallAction.CREDIT_MEMO: credit_memo,
    CallAction.COLLECTION_FOLLOW_UP: collection_follow_up,
    CallAction.ALERT: alert,
}


def plan(call: Call, actions: Sequence[tuple[int, Mapping[str, Any]]]) -> tuple[list[Planned], list[FieldError]]:
    """Every rule of `actions` (position in the list, action), checked before any applies: the effects, or the
    errors that refuse the write."""
    planned: list[Planned] = []
    errors: list[FieldError] = []
    for position, action in actions:
        rule = RULES.get(action["action"])
        if rule is None:
            continue
        try:
            outcome = rule(call, position, action)
        except Refused as refused:
            errors.append((refused.loc, refused.message))
            continue
        if outcome is not None:
            planned.append(outcome)
    return planned, errors


def withdraw(
    call: Call, removed: Sequence[Mapping[str, Any]], *, kept: Sequence[Mapping[str, Any]] = ()
) -> list[Planned]:
    """The disputes that end because their `partial_dispute` action is removed (or its communication deleted):
    those whose item still carries the amount the action placed and that no action `kept` (or added) names. An
    item gone meanwhile is nothing to end; removing never refuses."""
    named = {
        fold_identifier(n)
        for a in kept
        if a["action"] == CallAction.PARTIAL_DISPUTE and (n := _reference(a, TRANSACTION))
    }
    planned: list[Planned] = []
    for action in removed:
        number = _reference(action, TRANSACTION)
        amount = _amount(action)
        if (
            action["action"] != CallAction.PARTIAL_DISPUTE
            or not number
            or not amount
            or fold_identifier(number) in named
        ):
            continue
        try:
            account, item = find_item(call, number, 0)
        except Refused:
            continue
        if item.disputed_amount != amount:
            continue

        def end(_session: Session, _communication: Communication, item: ARItem = item) -> None:
            _end_dispute(item)

        effect = {
            "action": action["action"],
            "effect": "dispute_ended",
            "account": account.number,
            "item": item.number,
            "amount": "0",
        }
        planned.append(Planned(effect, end))
    return planned


def apply(planned: Sequence[Planned], session: Session, communication: Communication) -> list[Effect]:
    """Applies the checked effects to the rows (the caller flushes; `communication` has its id) and names them, in
    the order of the actions."""
    for effect in planned:
        effect.apply(session, communication)
    return [effect.effect for effect in planned]
