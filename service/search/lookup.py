"""The one dependency of the lookups the engine answers: who asks, under which definition, and the audit record.

FastAPI solves every declared dependency anew on each request, and the search routes declared six (the caller,
the active definition, the gateway, the settings, the audit record, and the app state under them): solving them
was about a quarter of the service's own time per quick search, by profile. One dependency hands the routes
the same values for one solve.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request, Security
from fastapi.security import HTTPAuthorizationCredentials

from search_definitions.schema import Definition
from service.audit.record import LookupRecord, open_record
from service.auth.service import Principal
from service.deps import active_definition, authenticate, bearer_scheme
from service.models.audit import Lookup
from service.opensearch.gateway import SearchGateway
from service.settings import Settings
from service.state import AppState


@dataclass(frozen=True, slots=True)
class EngineLookup:
    principal: Principal
    definition: Definition
    gateway: SearchGateway
    settings: Settings
    audit: LookupRecord


def engine_lookup(endpoint: Lookup) -> Callable[..., Awaitable[EngineLookup]]:
    """The audit record is opened as soon as the caller is known, as `audited` does: a definition that cannot be
    loaded (503) is audited too."""

    async def solve(
        request: Request,
        _scheme: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
        authorization: Annotated[str | None, Header()] = None,
    ) -> EngineLookup:
        state: AppState = request.app.state.contact_lookup
        principal = await authenticate(state, authorization, request)
        audit = open_record(request, endpoint, principal)
        definition = await active_definition(state, principal)
        return EngineLookup(principal, definition, state.gateway, state.settings, audit)

    return solve


QuickSearchLookup = Annotated[EngineLookup, Depends(engine_lookup(Lookup.QUICK_SEARCH))]
AdvancedSearchLookup = Annotated[EngineLookup, Depends(engine_lookup(Lookup.ADVANCED_SEARCH))]
RecentCommunicationsLookup = Annotated[EngineLookup, Depends(engine_lookup(Lookup.RECENT_COMMUNICATIONS))]
CommunicationsSearchLookup = Annotated[EngineLookup, Depends(engine_lookup(Lookup.COMMUNICATIONS_SEARCH))]
