"""GET /api/contacts/{id}/context."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path

from service.context.schemas import ContactContext
from service.context.service import contact_context
from service.deps import ActiveDefinitionDep, ContextAudit, CurrentUser, SessionDep
from service.errors import error_response

router = APIRouter(prefix="/api/contacts", tags=["contacts"])


@router.get(
    "/{contact_id}/context",
    response_model=ContactContext,
    responses={**error_response(401, "missing or invalid bearer token"), **error_response(404, "no contact 7")},
)
def read_context(
    contact_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    principal: CurrentUser,
    definition: ActiveDefinitionDep,
    session: SessionDep,
    audit: ContextAudit,
) -> ContactContext:
    """The selected contact's whole context: only the sections and actions the active definition enables."""
    audit.asked({"contact_id": contact_id})
    today = datetime.now(UTC).date()
    context = contact_context(session, contact_id, principal=principal, definition=definition, today=today)
    audit.showed(
        [contact_id],
        communication_ids=[c.id for c in context.communications or []],
        units=[context.contact.business_unit],
    )
    return context
