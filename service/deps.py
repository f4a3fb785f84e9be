"""Every request dependency, as Annotated aliases routers can use directly: the one place they are declared."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

import anyio
from fastapi import Depends, Header, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from search_definitions.schema import Definition
from service.audit.record import LookupRecord, open_record
from service.auth.service import EXPIRED, Principal, Refused
from service.auth.tokens import is_api_token, token_prefix
from service.errors import Forbidden, InvalidCriteria, RateLimited, Unauthorized, Unavailable
from service.models.audit import Action, Lookup
from service.opensearch.gateway import SearchGateway
from service.ratelimit import retry_after_header
from service.settings import Settings
from service.state import AppState


async def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.contact_lookup
    return state


StateDep = Annotated[AppState, Depends(get_state)]


async def get_settings(state: StateDep) -> Settings:
    return state.settings


def get_session(state: StateDep) -> Iterator[Session]:
    """Commit on success, roll back on error: services flush, only the request boundary commits.

    Used with `scope="function"`: the commit runs before the response is sent, so a commit that fails is the
    client's 503, never a 201 for a write that was rolled back (by default FastAPI exits a dependency with
    `yield` after the response is sent).
    """
    session = state.sessions()
    try:
        yield session
        session.commit()
    except DBAPIError as exc:
        session.rollback()
        if _timed_out(exc):
            raise Unavailable("database too slow: a statement exceeded its timeout; retry shortly") from exc
        if exc.connection_invalidated or _is_unavailable(exc):
            raise Unavailable("database unavailable; retry shortly") from exc
        raise
    except PoolTimeout as exc:
        session.rollback()
        raise Unavailable("database busy: no connection free; retry shortly") from exc
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()


def _timed_out(exc: DBAPIError) -> bool:
    """PostgreSQL cancelled the statement at `statement_timeout` (SQLSTATE 57014, query_canceled)."""
    return getattr(exc.orig, "sqlstate", None) == "57014"


def _is_unavailable(exc: DBAPIError) -> bool:
    name = type(exc.orig).__name__ if exc.orig is not None else ""
    return name in {"OperationalError", "InterfaceError"}


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_gateway(state: StateDep) -> SearchGateway:
    return state.gateway


GatewayDep = Annotated[SearchGateway, Depends(get_gateway)]


bearer_scheme = HTTPBearer(auto_error=False, description="An API token (`users add`) or the provider's access token")


async def get_principal(
    request: Request,
    state: StateDep,
    _scheme: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
    authorization: Annotated[str | None, Header()] = None,
) -> Principal:
    return await authenticate(state, authorization, request)


async def authenticate(state: AppState, authorization: str | None, request: Request | None = None) -> Principal:
    """The caller, once its token is known and within its request budget (429 with `Retry-After` past it).

    A token that cannot be valid costs no query: a JWT goes to the provider's keys (when OIDC is on), anything
    else must have the shape of an API token. A token checked moments ago is taken from memory; otherwise the
    database is asked off the event loop. Failures are budgeted per client address and token prefix.
    """
    address = request.client.host if request is not None and request.client is not None else "unknown"
    method, path = (request.method, request.url.path) if request is not None else ("", "")
    token = (authorization or "").partition(" ")[2].strip()
    prefix = token_prefix(token) if token else None
    state.failures.check(address, prefix, method=method, path=path)
    try:
        principal = await _principal(state, authorization, token)
    except Unauthorized as exc:
        reason = getattr(exc, "reason", "missing" if not token else "unknown")
        state.failures.failed(address, prefix, reason, method=method, path=path)
        raise
    except Forbidden:
        state.failures.failed(address, None, "role", method=method, path=path)
        raise
    if principal.subject is None:
        state.last_used.note(principal.id)
    wait_s = state.limiter.acquire(principal.key)
    if wait_s > 0:
        raise RateLimited(retry_after_header(wait_s))
    return principal


async def _principal(state: AppState, authorization: str | None, token: str) -> Principal:
    if state.oidc is not None and token.count(".") == 2:
        return await state.oidc.principal(token)
    if token and not is_api_token(token):
        raise Refused("missing or invalid bearer token", "malformed")
    principal = state.principals.recall(authorization)
    if principal is None:
        try:
            principal = await anyio.to_thread.run_sync(state.principals.load, authorization)
        except (DBAPIError, PoolTimeout) as exc:
            raise Unavailable("database unavailable; retry shortly") from exc
    elif principal.expired(datetime.now(UTC)):
        raise Refused(EXPIRED, "expired")
    return principal


CurrentUser = Annotated[Principal, Depends(get_principal)]


async def get_admin(principal: CurrentUser) -> Principal:
    if not principal.is_admin:
        raise Forbidden("this action needs the admin role")
    return principal


AdminUser = Annotated[Principal, Depends(get_admin)]


async def get_active_definition(state: StateDep, principal: CurrentUser) -> Definition:
    return await active_definition(state, principal)


async def active_definition(state: AppState, principal: Principal) -> Definition:
    """The definition active for the caller's business unit (or for everyone); from memory while it is fresh."""
    definition = state.definitions.recall(principal.business_unit)
    if definition is not None:
        return definition
    try:
        return await anyio.to_thread.run_sync(state.definitions.get, principal.business_unit)
    except DBAPIError as exc:
        raise Unavailable("database unavailable; retry shortly") from exc


ActiveDefinitionDep = Annotated[Definition, Depends(get_active_definition)]


async def expected_version(if_match: Annotated[str | None, Header()] = None) -> int | None:
    """Optimistic writes: `If-Match: "3"` (also `W/"3"` or `3`); `*` or no header means no check."""
    if if_match is None or if_match.strip() == "*":
        return None
    try:
        return int(if_match.strip().removeprefix("W/").strip('"'))
    except ValueError as exc:
        raise InvalidCriteria('If-Match must be the version you read, e.g. "3"') from exc


ExpectedVersion = Annotated[int | None, Depends(expected_version)]


def audited(endpoint: Lookup, action: Action = Action.READ) -> Callable[[Request, Principal], Awaitable[LookupRecord]]:
    """The request's audit record (`audit.record`), opened once the caller is known."""

    async def start(request: Request, principal: CurrentUser) -> LookupRecord:
        return open_record(request, endpoint, principal, action)

    return start


WorklistAudit = Annotated[LookupRecord, Depends(audited(Lookup.FOLLOW_UP_WORKLIST))]
ContextAudit = Annotated[LookupRecord, Depends(audited(Lookup.CONTACT_CONTEXT))]
ContactAudit = Annotated[LookupRecord, Depends(audited(Lookup.CONTACT))]
VoucherSecretAudit = Annotated[LookupRecord, Depends(audited(Lookup.VOUCHER_SECRET))]
CommunicationAudit = Annotated[LookupRecord, Depends(audited(Lookup.COMMUNICATION))]
AlertsAudit = Annotated[LookupRecord, Depends(audited(Lookup.COMMUNICATION_ALERTS))]
ContactCreateAudit = Annotated[LookupRecord, Depends(audited(Lookup.CONTACT, Action.CREATE))]
ContactUpdateAudit = Annotated[LookupRecord, Depends(audited(Lookup.CONTACT, Action.UPDATE))]
ContactDeleteAudit = Annotated[LookupRecord, Depends(audited(Lookup.CONTACT, Action.DELETE))]
CommunicationCreateAudit = Annotated[LookupRecord, Depends(audited(Lookup.COMMUNICATION, Action.CREATE))]
CommunicationUpdateAudit = Annotated[LookupRecord, Depends(audited(Lookup.COMMUNICATION, Action.UPDATE))]
CommunicationDeleteAudit = Annotated[LookupRecord, Depends(audited(Lookup.COMMUNICATION, Action.DELETE))]


@dataclass(frozen=True, slots=True)
class EngineLookup:
    """The one dependency of the lookups the engine answers: who asks, under which definition, and the audit record.

    FastAPI solves every declared dependency anew on each request, and the search routes declared six (the caller,
    the active definition, the gateway, the settings, the audit record, and the app state under them): solving them
    was about a quarter of the service's own time per quick search, by profile. One dependency hands the routes the
    same values for one solve.
    """

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
CallerLookup = Annotated[EngineLookup, Depends(engine_lookup(Lookup.CALLER_LOOKUP))]
SimilarContactsLookup = Annotated[EngineLookup, Depends(engine_lookup(Lookup.SIMILAR_CONTACTS))]
SuggestLookup = Annotated[EngineLookup, Depends(engine_lookup(Lookup.SEARCH_SUGGEST))]
