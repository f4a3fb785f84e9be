"""Communication rules: the caller is the author, the contact must be visible, the Partial Dispute amount, a
follow-up is Done only once something was logged (Odoo), optimistic versions, and who may delete (the author or an
admin, whatever the status: French ERP seed). The call actions' effects (`effects`) are checked with the rest and
applied in the same transaction.

Flushes, never commits; the ORM change capture queues the communication's and its contact's documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from search_definitions.schema import Definition
from service.auth.service import Principal
from service.communications import effects, promises, repository
from service.communications.schemas import (
    ActionIn,
    AlertItem,
    AlertList,
    CommunicationCreate,
    CommunicationUpdate,
    ReferenceIn,
)
from service.contacts.permissions import communication_paths, require_actions
from service.db.base import utcnow
from service.errors import Conflict, Forbidden, NotFound
from service.models import Communication, CommunicationReference
from service.models.enums import CallAction, CommunicationStatus
from service.writes import FieldError, Loc, check_version, flush, invalid, plain

AMOUNT = ("action_amount",)
STATUS = ("status",)
ACTIONS = ("actions",)


def action_errors(action: str | None, amount: Decimal | None) -> list[FieldError]:
    """Oracle's Partial Dispute places an amount in dispute (0 ends the dispute); a Credit Memo may say how much to
    credit; a promise to pay carries the amount promised (its own rules: `promises.errors`); no other call action
    carries an amount."""
    if action == CallAction.PARTIAL_DISPUTE:
        if amount is None:
            return [(AMOUNT, "required when action is partial_dispute")]
        if amount < 0:
            return [(AMOUNT, "must be 0 or more (0 ends the dispute)")]
    elif action == CallAction.CREDIT_MEMO:
        if amount is not None and amount <= 0:
            return [(AMOUNT, "must be greater than 0, or left out")]
    elif amount is not None and action != CallAction.PROMISE_TO_PAY:
        return [
            (
                AMOUNT,
                "only allowed when action is partial_dispute, credit_memo or promise_to_pay; leave it out or send null",
            )
        ]
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


BUILT_IN_ACTIONS = tuple(action.value for action in CallAction)


def vocabulary_errors(
    vocabulary: Definition | None, values: dict[str, Any], actions: Sequence[tuple[Loc, str]]
) -> list[FieldError]:
    """The admin-defined lists of the contact's active definition (Oracle's QuickCodes): a topic or customer response
    it lists none for is free text; a call action is a built-in one or one of its `additional_actions`. `values`
    holds only what the write sets (a value kept as stored is never refused); `actions`, each new action's place."""
    errors: list[FieldError] = []
    name = f"'{vocabulary.name}'" if vocabulary is not None else "(none)"
    for vocabulary_name, written in (("topics", "topic"), ("customer_responses", "customer_response")):
        codes = vocabulary.codes(vocabulary_name) if vocabulary is not None else ()
        value = values.get(written)
        if codes and value is not None and value not in codes:
            errors.append(
                (
                    (written,),
                    f"'{value}' is not in the {vocabulary_name} of the active definition {name}; "
                    f"allowed: {', '.join(codes)}",
                )
            )
    additional = vocabulary.codes("additional_actions") if vocabulary is not None else ()
    for loc, action in actions:
        if action not in BUILT_IN_ACTIONS and action not in additional:
            allowed = ", ".join((*BUILT_IN_ACTIONS, *additional))
            errors.append((loc, f"'{action}' is not a call action of the active definition {name}; allowed: {allowed}"))
    return errors


def _action_places(actions: Sequence[dict[str, Any]], *, shorthand_used: bool) -> list[tuple[Loc, str]]:
    if shorthand_used:
        return [(("action",), a["action"]) for a in actions[:1]]
    return [(("actions", i, "action"), a["action"]) for i, a in enumerate(actions)]


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


@dataclass(slots=True)
class Written:
    """A communication as a write left it, and the effects its actions had (`effects.apply`), in their order."""

    communication: Communication
    effects: list[effects.Effect] = field(default_factory=list)


class CommunicationsService:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, communication_id: int, principal: Principal) -> Communication:
        return self._visible(communication_id, principal)

    def create(
        self,
        data: CommunicationCreate,
        principal: Principal,
        *,
        definition: Definition | None = None,
        vocabulary: Definition | None = None,
        with_effects: bool = True,
    ) -> Written:
        """`definition`, the caller's active one, must enable logging (and a call action's own action);
        `vocabulary`, the contact's active one, holds the lists its topic, customer response and actions come from
        (none: free topics and responses, the built-in actions only).

        `with_effects=False` (imports of past calls) logs the actions without applying them: the accounts and items
        come from the receivables feed, not from history replayed."""
        if data.actions is not None:
            if data.action is not None or data.action_amount is not None:
                raise invalid([(ACTIONS, "send either actions or the shorthand action/action_amount, not both")])
            errors = actions_errors(data.actions)
            actions = stored_actions(data.actions)
        else:
            errors = action_errors(plain(data.action), data.action_amount) + promises.shorthand_errors(data.action)
            actions = shorthand(plain(data.action), data.action_amount)
        errors += vocabulary_errors(
            vocabulary,
            {"topic": data.topic, "customer_response": data.customer_response},
            _action_places(actions, shorthand_used=data.actions is None),
        )
        interaction_at = data.interaction_at or utcnow()
        errors += promises.errors(actions, interaction_on=interaction_at.date())
        if errors:
            raise invalid(errors)
        if not repository.contact_visible(self._session, data.contact_id, business_unit=principal.business_unit):
            raise NotFound(f"no contact {data.contact_id}")
        require_actions(_paths(actions), principal, definition)
        planned = (
            self._plan(data.contact_id, list(enumerate(actions)), follow_up_on=data.follow_up_on, principal=principal)
            if with_effects
            else []
        )
        promised = promises.plan(self._session, data.contact_id, actions) if with_effects else []
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
        recorded = promises.apply(self._session, communication, promised, created_by=principal.name)
        self._flush("the new communication")
        return Written(communication, promises.effects(recorded) + self._apply(planned, communication))

    def update(
        self,
        communication_id: int,
        data: CommunicationUpdate,
        principal: Principal,
        *,
        expected_version: int | None,
        definition: Definition | None = None,
        vocabulary: Definition | None = None,
        with_effects: bool = True,
    ) -> Written:
        """Anyone who sees the contact may add to a conversation (PeopleSoft, Oracle); lists given replace. Only
        values the patch changes are held to `vocabulary`'s lists, so one logged before them can still be edited.

        The effects of the actions the patch adds or changes are applied (a dispute's new amount changes its item);
        a dispute removed ends (`effects.withdraw`), any other action removed undoes nothing. A
        `collection_follow_up` kept needs the follow-up date kept too."""
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
        added = [] if actions is None else [a for a in actions if a not in communication.actions]
        stored_names = {a["action"] for a in communication.actions}
        places = _action_places(actions or [], shorthand_used=data.actions is None)
        errors += vocabulary_errors(
            vocabulary,
            {
                name: changes[name]
                for name in ("topic", "customer_response")
                if name in changes and changes[name] != getattr(communication, name)
            },
            [(loc, name) for loc, name in places if name not in stored_names],
        )
        interaction_at = changes.get("interaction_at") or communication.interaction_at
        errors += promises.errors(
            actions if actions is not None else communication.actions, interaction_on=interaction_at.date()
        )
        if errors:
            raise invalid(errors)
        changed = (
            data.references is not None
            or actions is not None
            or any(getattr(communication, n) != v for n, v in changes.items())
        )
        require_actions(_paths(added, changed=changed), principal, definition)
        planned: list[effects.Planned] = []
        if with_effects:
            after = actions if actions is not None else communication.actions
            follow_up_on = changes.get("follow_up_on", communication.follow_up_on)
            kept = [(i, a) for i, a in enumerate(after) if a not in added]
            fresh = [(i, a) for i, a in enumerate(after) if a in added]
            removed = [a for a in communication.actions if a not in after]
            planned = self._withdraw(communication.contact_id, removed, kept=after, principal=principal)
            planned += self._plan(communication.contact_id, fresh, follow_up_on=follow_up_on, principal=principal)
            if follow_up_on is None:
                follow_ups = [(i, a) for i, a in kept if a["action"] == CallAction.COLLECTION_FOLLOW_UP]
                self._plan(communication.contact_id, follow_ups, follow_up_on=None, principal=principal)
        self._check_external_id(changes.get("external_id"), communication_id=communication.id)
        promised = (
            None
            if actions is None or not with_effects
            else promises.plan(self._session, communication.contact_id, actions)
        )
        for name, value in changes.items():
            setattr(communication, name, value)
        if actions is not None:
            _mirror(communication, actions)
        recorded = (
            []
            if promised is None
            else promises.apply(self._session, communication, promised, created_by=principal.name)
        )
        if data.references is not None:
            communication.references = _references(data.references)
        self._flush(f"communication {communication.id}")
        return Written(communication, promises.effects(recorded) + self._apply(planned, communication))

    def delete(self, communication_id: int, principal: Principal, *, expected_version: int | None) -> Written:
        """Allowed whatever the status; visibility first (404), then authorship (403), then the version (409). The
        disputes its actions placed end with it (`effects.withdraw`); every other effect stays."""
        communication = self._visible(communication_id, principal)
        if not (principal.is_admin or communication.created_by == principal.name):
            raise Forbidden("only its author or an admin may delete a communication")
        check_version(communication, expected_version, entity="communication")
        planned = self._withdraw(communication.contact_id, communication.actions, kept=(), principal=principal)
        promises.remove(self._session, communication)
        repository.delete(self._session, communication)
        self._flush(f"communication {communication.id}")
        return Written(communication, self._apply(planned, communication))

    def alerts(self, principal: Principal, *, limit: int) -> AlertList:
        """Admins only (the alert is addressed to them): an admin bound to a unit reads that unit's alerts, one bound
        to none every unit's, as every admin list is scoped."""
        if not principal.is_admin:
            raise Forbidden("the alert list is for admins; an agent's alerts are read by the admins of their unit")
        rows = repository.alerts(self._session, business_unit=principal.business_unit, limit=limit)
        return AlertList(
            items=[
                AlertItem(
                    communication_id=communication.id,
                    contact_id=contact.id,
                    display_name=contact.display_name,
                    interaction_at=communication.interaction_at,
                    created_by=communication.created_by,
                    notes=communication.notes,
                    topic=communication.topic,
                    status=communication.status,
                )
                for communication, contact in rows
            ]
        )

    def _plan(
        self,
        contact_id: int,
        actions: Sequence[tuple[int, dict[str, Any]]],
        *,
        follow_up_on: date | None,
        principal: Principal,
    ) -> list[effects.Planned]:
        """The effects of `actions`, checked against the contact's own accounts (so never another unit's): a 422
        naming each action's field that cannot be applied, before anything is stored."""
        if not any(a["action"] in effects.RULES for _, a in actions):
            return []
        call = effects.Call(
            accounts=repository.accounts_of(self._session, contact_id),
            follow_up_on=follow_up_on,
            author=principal.name,
        )
        planned, errors = effects.plan(call, actions)
        if errors:
            raise invalid(errors)
        return planned

    def _withdraw(
        self,
        contact_id: int,
        removed: Sequence[dict[str, Any]],
        *,
        kept: Sequence[dict[str, Any]],
        principal: Principal,
    ) -> list[effects.Planned]:
        """The disputes that end with the actions removed (Oracle: "update the Amount to zero, or delete the
        record")."""
        if not any(a["action"] == CallAction.PARTIAL_DISPUTE for a in removed):
            return []
        call = effects.Call(
            accounts=repository.accounts_of(self._session, contact_id), follow_up_on=None, author=principal.name
        )
        return effects.withdraw(call, removed, kept=kept)

    def _apply(self, planned: Sequence[effects.Planned], communication: Communication) -> list[effects.Effect]:
        if not planned:
            return []
        applied = effects.apply(planned, self._session, communication)
        self._flush(f"the effects of communication {communication.id}")
        return applied

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
