"""/api/definitions: admins manage definitions (a unit-bound admin, only its unit's); agents read the active one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response, status

from search_definitions.schema import Definition
from service.definitions.schemas import (
    ActiveDefinitionRead,
    CatalogueRead,
    DefinitionRead,
    RollbackRequest,
    VersionRead,
)
from service.definitions.service import DefinitionsService, active_view, catalogue_view
from service.deps import ActiveDefinitionDep, AdminUser, ExpectedVersion, SessionDep, StateDep
from service.errors import error_response

router = APIRouter(prefix="/api/definitions", tags=["definitions"])

ADMIN_ERRORS = {
    **error_response(401, "missing or invalid bearer token"),
    **error_response(
        403,
        "this action needs the admin role; or: definition 7 is for BU02; an admin bound to BU01 manages only "
        "definitions whose business_units are ['BU01']",
    ),
}
ITEM_ERRORS = {**ADMIN_ERRORS, **error_response(404, "no definition 7")}
# Bounded like the column it is compared with: a larger number is a 422, not a database overflow (a 500).
DefinitionId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def get_service(session: SessionDep, state: StateDep, admin: AdminUser) -> DefinitionsService:
    """Every use is an admin's, and bound to what that admin's business unit (if any) may manage."""
    return DefinitionsService(session, state.definitions, admin_unit=admin.business_unit)


ServiceDep = Annotated[DefinitionsService, Depends(get_service)]


@router.get("/active", response_model=ActiveDefinitionRead, responses=error_response(401, "missing token"))
def read_active(definition: ActiveDefinitionDep) -> ActiveDefinitionRead:
    """The definition active for the caller, with the labels and operators of its fields, in order."""
    return active_view(definition)


@router.get("/catalogue", response_model=CatalogueRead, responses=ADMIN_ERRORS)
def read_catalogue(_admin: AdminUser) -> CatalogueRead:
    """What a definition may contain: the eligible fields (labels, operators), scopes, actions and sections."""
    return catalogue_view()


@router.get("", response_model=list[DefinitionRead], responses=ADMIN_ERRORS)
def list_definitions(_admin: AdminUser, service: ServiceDep) -> list[DefinitionRead]:
    """Every definition; for an admin bound to a unit, those of that unit and the one for everyone."""
    return service.list()


@router.post(
    "",
    response_model=DefinitionRead,
    status_code=status.HTTP_201_CREATED,
    responses={**ADMIN_ERRORS, **error_response(409, "a definition named 'x' already exists")},
)
def create_definition(definition: Definition, admin: AdminUser, service: ServiceDep) -> DefinitionRead:
    return service.create(definition, author=admin.name)


@router.get("/{definition_id}", response_model=DefinitionRead, responses=ITEM_ERRORS)
def read_definition(definition_id: DefinitionId, _admin: AdminUser, service: ServiceDep) -> DefinitionRead:
    return service.get(definition_id)


@router.put(
    "/{definition_id}",
    response_model=DefinitionRead,
    responses={**ITEM_ERRORS, **error_response(409, "definition 7 is at version 4, not 3; reload it")},
)
def update_definition(
    definition_id: DefinitionId,
    definition: Definition,
    admin: AdminUser,
    service: ServiceDep,
    expected: ExpectedVersion,
) -> DefinitionRead:
    """Saves a new version; send `If-Match: "<version>"` to refuse overwriting someone else's save."""
    return service.update(definition_id, definition, author=admin.name, expected_version=expected)


@router.delete(
    "/{definition_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**ITEM_ERRORS, **error_response(409, "definition 7 is active; activate another one first")},
)
def delete_definition(definition_id: DefinitionId, _admin: AdminUser, service: ServiceDep) -> Response:
    service.delete(definition_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{definition_id}/activate", response_model=DefinitionRead, responses=ITEM_ERRORS)
def activate_definition(definition_id: DefinitionId, admin: AdminUser, service: ServiceDep) -> DefinitionRead:
    """Makes it the active definition for its business units (or everyone); every worker sees it within a second."""
    return service.activate(definition_id, author=admin.name)


@router.post("/{definition_id}/deactivate", response_model=DefinitionRead, responses=ITEM_ERRORS)
def deactivate_definition(definition_id: DefinitionId, _admin: AdminUser, service: ServiceDep) -> DefinitionRead:
    """Ends its activations: its business units fall back to the definition for everyone (everyone's to the default)."""
    return service.deactivate(definition_id)


@router.get("/{definition_id}/history", response_model=list[VersionRead], responses=ITEM_ERRORS)
def definition_history(definition_id: DefinitionId, _admin: AdminUser, service: ServiceDep) -> list[VersionRead]:
    return service.history(definition_id)


@router.post("/{definition_id}/rollback", response_model=DefinitionRead, responses=ITEM_ERRORS)
def rollback_definition(
    definition_id: DefinitionId, request: RollbackRequest, admin: AdminUser, service: ServiceDep
) -> DefinitionRead:
    """Saves an earlier version again as the newest one (history keeps every step)."""
    return service.rollback(definition_id, request.version, author=admin.name)
