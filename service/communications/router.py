"""/api/communications: log, read, patch and delete a communication.

A communication is visible to whoever sees its contact (another business unit's is a 404). The author is always
the caller; only the author or an admin may delete. Writes are optimistic: `If-Match: "<version>"`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
from sqlalchemy.orm import Session

from search_definitions.schema import Definition
from service.audit import repository as audit_repository
from service.audit.changes import changed, communication_state
from service.audit.record import LookupRecord
from service.auth.service import Principal
from service.communications.schemas import CommunicationCreate, CommunicationRead, CommunicationUpdate
from service.communications.service import CommunicationsService
from service.deps import (
    ActiveDefinitionDep,
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


ServiceDep = Annotated[CommunicationsService, Depends(get_service)]


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
) -> Communication:
    """Logs a communication against a contact the caller can see; `created_by` is the caller. When the contact's
    active definition lists topics, customer responses or additional actions, those are the values allowed."""
    audit.asked({"contact_id": data.contact_id})
    unit = _contact_unit(session, principal, data.contact_id)
    vocabulary = _vocabulary(app_state, unit)
    communication = service.create(data, principal, definition=definition, vocabulary=vocabulary)
    _wrote(audit, Action.CREATE, communication, unit, changed(None, communication_state(communication)))
    return created(response, router.prefix, communication, communication)


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
) -> Communication:
    """Fields left out stay; `keywords` and `references` replace the whole list. `contact_id` cannot change."""
    audit.asked({"communication_id": communication_id})
    before = service.get(communication_id, principal)
    unit = _contact_unit(session, principal, before.contact_id)
    audit.about(unit)
    state = communication_state(before)
    communication = service.update(
        communication_id,
        data,
        principal,
        expected_version=expected,
        definition=definition,
        vocabulary=_vocabulary(app_state, unit),
    )
    _wrote(audit, Action.UPDATE, communication, unit, changed(state, communication_state(communication)))
    return tagged(response, communication, communication)


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
    """Whatever its status (the ERP seed allows it), by its author or an admin."""
    audit.asked({"communication_id": communication_id})
    communication = service.get(communication_id, principal)
    unit = _contact_unit(session, principal, communication.contact_id)
    audit.about(unit)
    service.delete(communication_id, principal, expected_version=expected)
    _wrote(audit, Action.DELETE, communication, unit, [])
    return deleted()
