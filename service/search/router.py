"""POST /api/search/quick and /api/search/advanced; GET /api/search/suggest."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Response

from service.deps import AdvancedSearchLookup, EngineLookup, QuickSearchLookup, SuggestLookup
from service.errors import InvalidCriteria, error_response
from service.search import service
from service.search.results import SearchPageData
from service.search.schemas import AdvancedSearchRequest, QuickSearchRequest, SearchPage, Suggestions
from service.surrogates import surrogate_at

router = APIRouter(prefix="/api/search", tags=["search"])


@router.post(
    "/quick",
    response_model=SearchPage,
    responses={
        **error_response(401, "missing or invalid bearer token"),
        **error_response(422, "field 'x' is not a quick-search field of the active definition; allowed: ..."),
        **error_response(503, "search engine unavailable; retry shortly"),
    },
)
async def quick_search(
    request: QuickSearchRequest,
    lookup: QuickSearchLookup,
) -> Response:
    """Find contacts by one quick-search field of the active definition, `=` or `like`."""
    return await _audited(service.quick_search, request, lookup)


@router.post(
    "/advanced",
    response_model=SearchPage,
    responses={
        **error_response(401, "missing or invalid bearer token"),
        **error_response(422, "address.city: not an advanced-search field of this section in the active definition"),
        **error_response(503, "search engine unavailable; retry shortly"),
    },
)
async def advanced_search(
    request: AdvancedSearchRequest,
    lookup: AdvancedSearchLookup,
) -> Response:
    """Find contacts by criteria in the sections the active definition enables (AND; same nested entity)."""
    return await _audited(service.advanced_search, request, lookup)


@router.get(
    "/suggest",
    response_model=Suggestions,
    responses={
        **error_response(401, "missing or invalid bearer token"),
        **error_response(422, "prefix: type at least 2 characters of the name to get suggestions"),
        **error_response(503, "search engine unavailable; retry shortly"),
    },
)
async def suggest(
    lookup: SuggestLookup,
    field: Annotated[str, Query(max_length=100, description="A quick-search field of the active definition.")],
    prefix: Annotated[str, Query(max_length=1000, description="What the agent typed so far: 2 characters or more.")],
) -> Response:
    """At most 8 completions of what the agent is typing, one a contact of the caller's business unit, in name
    order: fast enough for every keystroke (a prefix structure of the index, never a wildcard). Audited as a
    lookup."""
    lookup.audit.asked({"field": field, "prefix": prefix})
    refuse_surrogates({"field": field, "prefix": prefix})
    items = await service.suggestions(
        field,
        prefix,
        definition=lookup.definition,
        principal=lookup.principal,
        gateway=lookup.gateway,
        settings=lookup.settings,
    )
    lookup.audit.showed(
        (item["contact_id"] for item in items), total=len(items), units=(item["business_unit"] for item in items)
    )
    return Response(orjson.dumps({"field": field, "prefix": prefix, "items": items}), media_type="application/json")


async def _audited(
    search: Callable[..., Awaitable[SearchPageData]],
    request: QuickSearchRequest | AdvancedSearchRequest,
    lookup: EngineLookup,
) -> Response:
    """The audit record says what was asked before the search runs, and which contacts it showed after.

    The page is already JSON-ready data in the shape of `SearchPage` (see `results`), so it is written as it is
    instead of being validated and serialized again on the way out.
    """
    asked = request.model_dump(mode="json", exclude={"after"})
    lookup.audit.asked(asked)
    refuse_surrogates(request.model_dump())  # python mode: the JSON mode mangles a surrogate in a key
    page = await search(
        request,
        definition=lookup.definition,
        principal=lookup.principal,
        gateway=lookup.gateway,
        settings=lookup.settings,
    )
    items = page["items"]
    lookup.audit.showed(
        (item["contact_id"] for item in items), total=page["total"], units=(item["business_unit"] for item in items)
    )
    return Response(orjson.dumps(page), media_type="application/json")


def refuse_surrogates(request: dict[str, Any]) -> None:
    """A lone surrogate (JSON's `\\udfff`) is no character: no stored name or number holds one, so nothing could
    match, and the engine's JSON encoder cannot even send it. A 422 naming the field says so, where the search
    would otherwise fail as a 500."""
    try:
        orjson.dumps(request, default=str)  # the engine's encoder, in C: it refuses what cannot be sent
        return
    except TypeError:
        where = surrogate_at(request)  # None when orjson refused something else (an integer beyond 64 bits)
    if where is not None:
        raise InvalidCriteria(
            f"{where}: contains a lone surrogate (an unpaired \\ud800-\\udfff escape), which is not text; "
            "send valid Unicode"
        )
