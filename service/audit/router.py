"""GET /api/audit: the trail of lookups and writes, for admins only, newest first, filtered and paged by id.

An admin bound to a business unit reads only that unit's trail: the entries of callers bound to the unit, and the
entries about contacts of the unit (a read, a write, or a search whose hits were all the unit's). An admin bound
to no unit reads everything.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AfterValidator

from service.audit import repository
from service.audit.schemas import AuditPage, AuditRead
from service.closed import refuse_nul
from service.deps import AdminUser, SessionDep, SettingsDep, StateDep
from service.errors import InvalidCriteria, error_response
from service.models.audit import Action, Lookup, Outcome
from service.types import UtcDatetime

router = APIRouter(prefix="/api/audit", tags=["audit"])

# How long a read waits for this worker's queued entries to be written before it answers without them.
SETTLE_S = 5.0


@router.get(
    "",
    response_model=AuditPage,
    responses={
        **error_response(401, "missing or invalid bearer token"),
        **error_response(403, "this action needs the admin role"),
        **error_response(422, "from must not be after to"),
    },
)
def read_audit(
    admin: AdminUser,
    session: SessionDep,
    settings: SettingsDep,
    state: StateDep,
    user: Annotated[
        str | None,
        Query(min_length=1, max_length=64, description="Who searched (user name)."),
        AfterValidator(refuse_nul),
    ] = None,
    since: Annotated[
        UtcDatetime | None,
        Query(alias="from", description="Entries at or after this instant (ISO 8601; UTC if naive)."),
    ] = None,
    until: Annotated[UtcDatetime | None, Query(alias="to", description="Entries at or before this instant.")] = None,
    endpoint: Annotated[Lookup | None, Query(description="Which endpoint.")] = None,
    action: Annotated[Action | None, Query(description="read, create, update or delete.")] = None,
    outcome: Annotated[Outcome | None, Query(description="How it ended.")] = None,
    contact_id: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="Entries whose answer showed, or write touched, the contact.")
    ] = None,
    communication_id: Annotated[
        int | None,
        Query(ge=1, le=2**31 - 1, description="Entries whose answer showed, or write touched, this communication."),
    ] = None,
    size: Annotated[int | None, Query(ge=1, description="Page size (capped by the server).")] = None,
    after: Annotated[int | None, Query(ge=1, le=2**63 - 1, description="The `next` of the previous page.")] = None,
) -> AuditPage:
    state.audit.settle(SETTLE_S)  # lookups this worker answered before this read are in the trail it shows
    if since is not None and until is not None and since > until:
        raise InvalidCriteria("from must not be after to")
    page_size = settings.default_page_size if size is None else size
    if page_size > settings.max_page_size:
        raise InvalidCriteria(f"size must be at most {settings.max_page_size}")
    rows = repository.page(
        session,
        user=user,
        since=since,
        until=until,
        endpoint=endpoint.value if endpoint else None,
        action=action.value if action else None,
        outcome=outcome.value if outcome else None,
        contact_id=contact_id,
        communication_id=communication_id,
        unit=admin.business_unit,
        before_id=after,
        size=page_size,
    )
    items = [AuditRead.model_validate(row) for row in rows[:page_size]]
    return AuditPage(items=items, next=items[-1].id if len(rows) > page_size else None)
