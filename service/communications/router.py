"""/api/communications: log, read, patch and delete a communication.

A communication is visible to whoever sees its contact (another business unit's is a 404). The author is always
the caller; only the author or an admin may delete. Writes are optimistic: `If-Match: "<version>"`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response, status

from service.audit.record import CommunicationAudit
from service.communications.schemas import CommunicationCreate, CommunicationRead, CommunicationUpdate
from service.communications.service import CommunicationsService
from service.deps import ActiveDefinitionDep, CurrentUser, ExpectedVersion, SessionDep
from service.errors import error_response
from service.models import Communication

router = APIRouter(prefix="/api/communications", tags=["communications"])

CommunicationId = Annotated[int, Path(ge=1, le=2**31 - 1)]
AUTH_ERRORS = error_response(401, "missing or invalid bearer token")
NOT_FOUND = error_response(404, "no communication 7")
INVALID = error_response(422, [{"loc": ["body", "action_amount"], "msg": "action_amount: required when ..."}])
NOT_ENABLED = error_response(
    403, "the active definition 'Collections' does not enable the action log_communication, which this change needs"
)
STALE = error_response(409, "communication 7 is at version 4, not 3; reload it")


def get_service(session: SessionDep) -> CommunicationsService:
    return CommunicationsService(session)


ServiceDep = Annotated[CommunicationsService, Depends(get_service)]


def _tagged(response: Response, communication: Communication) -> Communication:
    response.headers["ETag"] = f'"{communication.version}"'
    return communication


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
    response: Response,
    definition: ActiveDefinitionDep,
) -> Communication:
    """Logs a communication against a contact the caller can see; `created_by` is the caller."""
    communication = service.create(data, principal, definition=definition)
    response.headers["Location"] = f"{router.prefix}/{communication.id}"
    return _tagged(response, communication)


@router.get("/{communication_id}", response_model=CommunicationRead, responses={**AUTH_ERRORS, **NOT_FOUND})
def read_communication(
    communication_id: CommunicationId,
    principal: CurrentUser,
    service: ServiceDep,
    response: Response,
    audit: CommunicationAudit,
) -> Communication:
    audit.asked({"communication_id": communication_id})
    communication = service.get(communication_id, principal)
    audit.showed([communication.contact_id])
    return _tagged(response, communication)


@router.patch(
    "/{communication_id}",
    response_model=CommunicationRead,
    responses={**AUTH_ERRORS, **NOT_ENABLED, **NOT_FOUND, **STALE, **INVALID},
)
def update_communication(
    communication_id: CommunicationId,
    data: CommunicationUpdate,
    principal: CurrentUser,
    service: ServiceDep,
    expected: ExpectedVersion,
    response: Response,
    definition: ActiveDefinitionDep,
) -> Communication:
    """Fields left out stay; `keywords` and `references` replace the whole list. `contact_id` cannot change."""
    updated = service.update(communication_id, data, principal, expected_version=expected, definition=definition)
    return _tagged(response, updated)


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
    communication_id: CommunicationId, principal: CurrentUser, service: ServiceDep, expected: ExpectedVersion
) -> Response:
    """Whatever its status (the ERP seed allows it), by its author or an admin."""
    service.delete(communication_id, principal, expected_version=expected)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
