"""GET /api/communications/recent and /worklist, POST /api/communications/search (registered before the
write router, whose `/{id}` would otherwise take `recent`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from service.audit.record import LookupRecord
from service.deps import (
    CommunicationsSearchLookup,
    CurrentUser,
    GatewayDep,
    RecentCommunicationsLookup,
    SettingsDep,
    WorklistAudit,
)
from service.errors import error_response
from service.search import communications
from service.search.router import refuse_surrogates
from service.search.schemas import CommunicationPage, CommunicationSearchRequest

router = APIRouter(prefix="/api/communications", tags=["communications"])
ERRORS = {
    **error_response(401, "missing or invalid bearer token"),
    **error_response(422, "after: not a cursor returned by a previous page"),
    **error_response(503, "search engine unavailable; retry shortly"),
}
Size = Annotated[int | None, Query(ge=1, description="Page size (capped by the server).")]
After = Annotated[str | None, Query(max_length=512, description="The `next` cursor of the previous page.")]


@router.get("/recent", response_model=CommunicationPage, responses=ERRORS)
async def recent_communications(
    lookup: RecentCommunicationsLookup,
    size: Size = None,
    after: After = None,
) -> CommunicationPage:
    """The communications the caller created, newest first, at most the active definition's limit."""
    lookup.audit.asked({"size": size})
    page = await communications.recent(
        definition=lookup.definition,
        principal=lookup.principal,
        gateway=lookup.gateway,
        settings=lookup.settings,
        size=size,
        after=after,
    )
    return _shown(lookup.audit, page)


@router.get("/worklist", response_model=CommunicationPage, responses=ERRORS)
async def follow_up_worklist(
    principal: CurrentUser,
    gateway: GatewayDep,
    settings: SettingsDep,
    audit: WorklistAudit,
    size: Size = None,
    after: After = None,
) -> CommunicationPage:
    """The caller's communications whose follow-up date has come and that are not closed, oldest first."""
    audit.asked({"size": size})
    page = await communications.worklist(
        principal=principal,
        gateway=gateway,
        settings=settings,
        size=size,
        after=after,
        today=datetime.now(UTC).date(),
    )
    return _shown(audit, page)


@router.post("/search", response_model=CommunicationPage, responses=ERRORS)
async def search_communications(
    request: CommunicationSearchRequest,
    lookup: CommunicationsSearchLookup,
) -> CommunicationPage:
    """Communications by keyword, reference, transaction number, status, action, topic or date range."""
    asked = request.model_dump(mode="json", exclude={"after"})
    lookup.audit.asked(asked)
    refuse_surrogates(request.model_dump())  # python mode: the JSON mode mangles a surrogate in a key
    page = await communications.search(
        request,
        definition=lookup.definition,
        principal=lookup.principal,
        gateway=lookup.gateway,
        settings=lookup.settings,
    )
    return _shown(lookup.audit, page)


def _shown(audit: LookupRecord, page: CommunicationPage) -> CommunicationPage:
    audit.showed(
        (item.contact_id for item in page.items),
        total=page.total,
        communication_ids=(item.communication_id for item in page.items),
    )
    return page
