"""/api/communications: log, read, patch and delete a communication, and the admins' alert list.

A communication is visible to whoever sees its contact (another business unit's is a 404). The author is always
the caller; only the author or an admin may delete. Writes are optimistic: `If-Match: "<version>"`. A write
answers with the effects its call actions had (`effects`), and its audit entry names them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from sqlalchemy.orm import Session

from search_definitions.schema import Definition
from service.audit import repository as audit_repository
from service.audit.changes import changed, communication_state
from service.audit.record import LookupRecord
from service.auth.service import Principal
from service.communications.effects import Effect
from service.communications.schemas import (
    AlertList,
    CommunicationCreate,
    CommunicationRead,
    CommunicationUpdate,
    EffectRead,
)
from service.communications.service import CommunicationsService, Written
from service.deps import (
    ActiveDefinitionDep,
    AlertsAudit,
    CommunicationAudit,
    CommunicationCreateAudit,
    CommunicationDeleteAudit,
    CommunicationUpdateAudit,
    CurrentUser,
    ExpectedVersion,
    SessionDep,
    StateDep,
)
from service.errors import error_response
from service.models import Communication
from service.models.audit import Action
from service.state import AppState
from service.writes import AUTH_ERRORS, RowId, created, deleted, not_enabled, not_found, stale, tagged

router = APIRouter(prefix="/api/communications", tags=["communications"])

NOT_FOUND = not_found("communication")
INVALID = error_response(422, [{"loc": ["body", "action_amount"], "msg": "action_amount: required when ..."}])
NOT_ENABLED = not_enabled("log_communication")
STALE = stale("communication")


def get_service(session: SessionDep) -> CommunicationsService:
    return CommunicationsService(session)


def _contact_unit(session: Session, principal: Principal, contact_id: int) -> str | None:
    """A caller bound to a unit sees only its contacts; for one bound to none the database says which unit."""
    return principal.business_unit or audit_repository.contact_unit(session, contact_id)


def _vocabulary(state: AppState, unit: str | None) -> Definition:
    """The definition active for the contact's unit: its lists are the ones the contact's communications use."""
    return state.definitions.get(unit)


def _wrote(
    audit: LookupRecord, action: Action, communication: Communication, unit: str | None, changes: list[str]
) -> None:
    audit.wrote(
        action,
        contact_id=communication.contact_id,
        communication_id=communication.id,
        unit=unit,
        changed=changes,
    )


def _answer(written: Written) -> CommunicationRead:
    effects = [EffectRead.model_validate(effect) for effect in written.effects]
    return CommunicationRead.model_validate(written.communication).model_copy(update={"effects": effects})


def _effect_names(effects: list[Effect]) -> list[str]:
    """How the audit entry names each effect: `effects.<effect>:<item or account>`."""
    names = []
    for effect in effects:
        target = effect.get("item") or effect.get("account")
        names.append(f"effects.{effect['effect']}" + (f":{target}" if target else ""))
    return names


ServiceDep = Annotated[CommunicationsService, Depends(get_service)]
ALERTS_LIMIT = 50
ALERTS_MAX = 200


@router.get(
    "/alerts",
    response_model=AlertList,
    responses={**AUTH_ERRORS, **error_response(403, "the alert list is for admins; ...")},
)
def communication_alerts(
    principal: CurrentUser,
    service: ServiceDep,
    audit: AlertsAudit,
    limit: Annotated[int, Query(ge=1, le=ALERTS_MAX)] = ALERTS_LIMIT,
) -> AlertList:
    """The communications carrying an `alert` action, newest first: for admins, of their business unit (every
    unit's for an admin bound to none)."""
    audit.asked({"limit": limit})
    alerts = service.alerts(principal, limit=limit)
    audit.showed(
        (item.contact_id for item in alerts.items),
        total=len(alerts.items),
        communication_ids=(item.communication_id for item in alerts.items),
    )
    return alerts


@router.post(
    "",
    response_model=CommunicationRead,
    status_code=status.HTTP_201_CREATED,
    responses={**AUTH_ERRORS, **NOT_ENABLED, **error_response(404, "no contact 7"), **INVALID},
)
def create_communication(
    data: CommunicationCreate,
    principal: CurrentUser,
    service: ServiceDep,
    session: SessionDep,
    response: Response,
    definition: ActiveDefinitionDep,
    audit: CommunicationCreateAudit,
    app_state: StateDep,
) -> CommunicationRead:
    """Logs a communication against a contact the caller can see; `created_by` is the caller. Its call actions
    take effect in the same transaction (`effects` names them). When the contact's active definition lists
    topics, customer responses or additional actions, those are the values allowed."""
    audit.asked({"contact_id": data.contact_id})
    unit = _contact_unit(session, principal, data.contact_id)
    vocabulary = _vocabulary(app_state, unit)
    written = service.create(data, principal, definition=definition, vocabulary=vocabulary)
    communication = written.communication
    changes = changed(None, communication_state(communication)) + _effect_names(written.effects)
    _wrote(audit, Action.CREATE, communication, unit, changes)
    return created(response, router.prefix, communication, _answer(written))


@router.get("/{communication_id}", response_model=CommunicationRead, responses={**AUTH_ERRORS, **NOT_FOUND})
def read_communication(
    communication_id: RowId,
    principal: CurrentUser,
    service: ServiceDep,
    session: SessionDep,
    response: Response,
    audit: CommunicationAudit,
) -> Communication:
    audit.asked({"communication_id": communication_id})
    communication = service.get(communication_id, principal)
    unit = _contact_unit(session, principal, communication.contact_id)
    audit.showed([communication.contact_id], communication_ids=[communication.id], units=[unit] if unit else [])
    return tagged(response, communication, communication)


@router.patch(
    "/{communication_id}",
    response_model=CommunicationRead,
    responses={**AUTH_ERRORS, **NOT_ENABLED, **NOT_FOUND, **STALE, **INVALID},
)
def update_communication(
    communication_id: RowId,
    data: CommunicationUpdate,
    principal: CurrentUser,
    service: ServiceDep,
    expected: ExpectedVersion,
    session: SessionDep,
    response: Response,
    definition: ActiveDefinitionDep,
    audit: CommunicationUpdateAudit,
    app_state: StateDep,
) -> CommunicationRead:
    """Fields left out stay; `keywords` and `references` replace the whole list. `contact_id` cannot change. The
    actions the patch adds or changes take effect (`effects`); a dispute removed ends, any other action removed
    undoes nothing."""
    audit.asked({"communication_id": communication_id})
    before = service.get(communication_id, principal)
    unit = _contact_unit(session, principal, before.contact_id)
    audit.about(unit)
    state = communication_state(before)
    written = service.update(
        communication_id,
        data,
        principal,
        expected_version=expected,
        definition=definition,
        vocabulary=_vocabulary(app_state, unit),
    )
    communication = written.communication
    changes = changed(state, communication_state(communication)) + _effect_names(written.effects)
    _wrote(audit, Action.UPDATE, communication, unit, changes)
    return tagged(response, communication, _answer(written))


@router.delete(
    "/{communication_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={
        **AUTH_ERRORS,
        **error_response(403, "only its author or an admin may delete a communication"),
        **NOT_FOUND,
        **STALE,
    },
)
def delete_communication(
    communication_id: RowId,
    principal: CurrentUser,
    service: ServiceDep,
    session: SessionDep,
    expected: ExpectedVersion,
    audit: CommunicationDeleteAudit,
) -> Response:
    """Whatever its status (the ERP seed allows it), by its author or an admin. The disputes its actions placed end
    with it (Oracle: "update the Amount to zero, or delete the record"); every other effect stays (an account
    excluded from dunning stays excluded until a call includes it again)."""
    audit.asked({"communication_id": communication_id})
    communication = service.get(communication_id, principal)
    unit = _contact_unit(session, principal, communication.contact_id)
    audit.about(unit)
    written = service.delete(communication_id, principal, expected_version=expected)
    _wrote(audit, Action.DELETE, communication, unit, _effect_names(written.effects))
    return deleted()
