"""Communication rules: the caller is the author, the contact must be visible, the Partial Dispute amount, a
follow-up is Done only once something was logged (Odoo), optimistic versions, and who may delete (the author or an
admin, whatever the status: French ERP seed).

Flushes, never commits; the ORM change capture queues the communication's and its contact's documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from search_definitions.schema import Definition
from service.auth.service import Principal
from service.communications import promises, repository
from service.communications.schemas import ActionIn, CommunicationCreate, CommunicationUpdate, ReferenceIn
from service.contacts.permissions import communication_paths, require_actions
from service.db.base import utcnow
from service.errors import Conflict, Forbidden, NotFound
from service.models import Communication, CommunicationReference
from service.models.enums import CallAction, CommunicationStatus
from service.writes import FieldError, check_version, flush, invalid, plain

AMOUNT = ("action_amount",)
STATUS = ("status",)
ACTIONS = ("actions",)


def action_errors(action: str | None, amount: Decimal | None) -> list[FieldError]:
    """Oracle's Partial Dispute places an amount in dispute; beside it only a promise to pay carries one (its own
    rules: `promises.errors`)."""
    if action == CallAction.PARTIAL_DISPUTE:
        if amount is None:
            return [(AMOUNT, "required when action is partial_dispute")]
        if amount <= 0:
            return [(AMOUNT, "must be greater than 0 (to end a dispute, change the action or delete it)")]
    elif amount is not None and action != CallAction.PROMISE_TO_PAY:
        return [(AMOUNT, "only allowed when action is partial_dispute or promise_to_pay; leave it out or send null")]
    return []


def actions_errors(actions: Sequence[ActionIn]) -> list[FieldError]:
    """The amount rule of `action_errors`, for each action of the list at its own position."""
    errors: list[FieldError] = []
    for position, item in enumerate(actions):
        for _, message in action_errors(plain(item.action), item.amount):
            errors.append((("actions", position, "amount"), message.replace("action_amount", "amount")))
    return errors


def stored_actions(actions: Sequence[ActionIn]) -> list[dict[str, Any]]:
    return [item.model_dump(mode="json") for item in actions]


def shorthand(action: str | None, amount: Decimal | None) -> list[dict[str, Any]]:
    """`action` (+ `action_amount`) as the one-action list."""
    return [] if action is None else stored_actions([ActionIn(action=action, amount=amount)])


def _mirror(communication: Communication, actions: list[dict[str, Any]]) -> None:
    """`action` and `action_amount` stay the first action's, so answers and filters read as before the list."""
    first = actions[0] if actions else None
    communication.stored_actions = actions
    communication.action = None if first is None else first["action"]
    amount = None if first is None else first.get("amount")
    communication.action_amount = None if amount is None else Decimal(amount)


def _paths(actions: Sequence[dict[str, Any]], *, changed: bool = True) -> set[str]:
    paths = communication_paths(None, changed=changed)
    for item in actions:
        paths |= communication_paths(item["action"])
    return paths


def done_errors(*, closing: bool, follow_up_on: date | None, action: str | None, notes: str | None) -> list[FieldError]:
    """Odoo's follow-ups: "after you've recorded at least 1 action, you have the option to mark as Done"; before
    that, the agent can only move it ("Do It Later", a new follow-up date)."""
    if closing and follow_up_on is not None and action is None and not notes:
        return [
            (
                STATUS,
                "a follow-up is closed (Done) only once an action or a note was logged on it; log one first, "
                "or move it to a later follow-up date",
            )
        ]
    return []


def _references(items: Sequence[ReferenceIn]) -> list[CommunicationReference]:
    return [CommunicationReference(qualifier=r.qualifier, reference_id=r.reference_id) for r in items]


class CommunicationsService:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, communication_id: int, principal: Principal) -> Communication:
        return self._visible(communication_id, principal)

    def create(
        self, data: CommunicationCreate, principal: Principal, *, definition: Definition | None = None
    ) -> Communication:
        """`definition`, the caller's active one, must enable logging (and a call action's own action)."""
        if data.actions is not None:
            if data.action is not None or data.action_amount is not None:
                raise invalid([(ACTIONS, "send either actions or the shorthand action/action_amount, not both")])
            errors = actions_errors(data.actions)
            actions = stored_actions(data.actions)
        else:
            errors = action_errors(plain(data.action), data.action_amount) + promises.shorthand_errors(data.action)
            actions = shorthand(plain(data.action), data.action_amount)
        interaction_at = data.interaction_at or utcnow()
        errors += promises.errors(actions, interaction_on=interaction_at.date())
        if errors:
            raise invalid(errors)
        if not repository.contact_visible(self._session, data.contact_id, business_unit=principal.business_unit):
            raise NotFound(f"no contact {data.contact_id}")
        require_actions(_paths(actions), principal, definition)
        planned = promises.plan(self._session, data.contact_id, actions)
        self._check_external_id(data.external_id, communication_id=None)
        fields = data.model_dump(exclude={"references", "interaction_at", "actions", "action", "action_amount"})
        communication = Communication(
            **{name: plain(value) for name, value in fields.items()},
            created_by=principal.name,
            interaction_at=interaction_at,
            references=_references(data.references),
        )
        _mirror(communication, actions)
        repository.add(self._session, communication)
        promises.apply(self._session, communication, planned, created_by=principal.name)
        self._flush("the new communication")
        return communication

    def update(
        self,
        communication_id: int,
        data: CommunicationUpdate,
        principal: Principal,
        *,
        expected_version: int | None,
        definition: Definition | None = None,
    ) -> Communication:
        """Anyone who sees the contact may add to a conversation (PeopleSoft, Oracle); lists given replace."""
        communication = self._visible(communication_id, principal)
        check_version(communication, expected_version, entity="communication")
        changes = {
            name: plain(value)
            for name, value in data.model_dump(exclude_unset=True, exclude={"references", "actions"}).items()
        }
        actions: list[dict[str, Any]] | None = None
        if data.actions is not None:
            if "action" in changes or "action_amount" in changes:
                raise invalid([(ACTIONS, "send either actions or the shorthand action/action_amount, not both")])
            errors = actions_errors(data.actions)
            actions = stored_actions(data.actions)
        else:
            action = changes.pop("action", communication.action)
            amount = changes.pop("action_amount", communication.action_amount)
            errors = action_errors(action, amount)
            if (action, amount) != (communication.action, communication.action_amount):
                errors += promises.shorthand_errors(action)
                actions = shorthand(action, amount)
        first = (actions if actions is not None else communication.actions)[:1]
        errors += done_errors(
            closing=changes.get("status", communication.status) == CommunicationStatus.CLOSED
            and communication.status != CommunicationStatus.CLOSED,
            follow_up_on=communication.follow_up_on or changes.get("follow_up_on"),
            action=first[0]["action"] if first else None,
            notes=changes.get("notes", communication.notes),
        )
        interaction_at = changes.get("interaction_at") or communication.interaction_at
        errors += promises.errors(
            actions if actions is not None else communication.actions, interaction_on=interaction_at.date()
        )
        if errors:
            raise invalid(errors)
        added = [] if actions is None else [a for a in actions if a not in communication.actions]
        changed = (
            data.references is not None
            or actions is not None
            or any(getattr(communication, n) != v for n, v in changes.items())
        )
        require_actions(_paths(added, changed=changed), principal, definition)
        self._check_external_id(changes.get("external_id"), communication_id=communication.id)
        planned = None if actions is None else promises.plan(self._session, communication.contact_id, actions)
        for name, value in changes.items():
            setattr(communication, name, value)
        if actions is not None:
            _mirror(communication, actions)
        if planned is not None:
            promises.apply(self._session, communication, planned, created_by=principal.name)
        if data.references is not None:
            communication.references = _references(data.references)
        self._flush(f"communication {communication.id}")
        return communication

    def delete(self, communication_id: int, principal: Principal, *, expected_version: int | None) -> None:
        """Allowed whatever the status; visibility first (404), then authorship (403), then the version (409)."""
        communication = self._visible(communication_id, principal)
        if not (principal.is_admin or communication.created_by == principal.name):
            raise Forbidden("only its author or an admin may delete a communication")
        check_version(communication, expected_version, entity="communication")
        promises.remove(self._session, communication)
        repository.delete(self._session, communication)
        self._flush(f"communication {communication.id}")

    def _visible(self, communication_id: int, principal: Principal) -> Communication:
        found = repository.get(self._session, communication_id, business_unit=principal.business_unit)
        if found is None:
            raise NotFound(f"no communication {communication_id}")
        return found

    def _check_external_id(self, external_id: str | None, *, communication_id: int | None) -> None:
        """Answers 409 before the flush; a concurrent insert still ends in the IntegrityError mapping of `_flush`."""
        if external_id is not None and repository.external_id_in_use(
            self._session, external_id, other_than=communication_id
        ):
            raise Conflict(f"external_id: '{external_id}' is already used by another communication")

    def _flush(self, what: str) -> None:
        flush(self._session, what, integrity=lambda exc: _integrity_violation(exc, what))


def _integrity_violation(exc: IntegrityError, what: str) -> str:
    """A concurrent insert took the external id, or the contact went away (its foreign key) before the flush."""
    if "uq_communications_external_id" in str(exc.orig) or "communications.external_id" in str(exc.orig):
        return "external_id: already used by another communication"
    return f"{what} conflicts with data saved meanwhile (was its contact deleted?)"
