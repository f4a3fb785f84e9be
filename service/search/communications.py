"""The agent's communications: recent ones they logged, their due follow-ups, and communications search."""

from __future__ import annotations

import functools
from datetime import date

from search_definitions.catalogue import Section
from search_definitions.schema import Definition
from service.auth.service import Principal
from service.errors import InvalidCriteria
from service.opensearch.gateway import SearchGateway
from service.search import criteria, queries, results, terms
from service.search.paging import decode_after, page_size
from service.search.schemas import CommunicationPage, CommunicationSearchRequest
from service.search.service import in_parts, refuse_too_common
from service.settings import Settings


async def recent(
    *,
    definition: Definition,
    principal: Principal,
    gateway: SearchGateway,
    settings: Settings,
    size: int | None,
    after: str | None,
) -> CommunicationPage:
    """At most the definition's limit, newest first, in one page; with no limit, all of them, page by page."""
    limit = definition.recent_communications_limit
    if limit is not None and after:
        raise InvalidCriteria(f"after: the active definition shows only the latest {limit}, in one page")
    page = limit if limit is not None else page_size(size, settings)
    body = queries.recent_communications_body(
        user=principal.name, size=page, after=decode_after(after), business_unit=principal.business_unit
    )
    response = await gateway.search(settings.communications_alias, body)
    return results.to_communication_page(response, size=page, limit=limit)


async def worklist(
    *,
    principal: Principal,
    gateway: SearchGateway,
    settings: Settings,
    size: int | None,
    after: str | None,
    today: date,
) -> CommunicationPage:
    page = page_size(size, settings)
    body = queries.worklist_body(
        user=principal.name,
        today=today.isoformat(),
        size=page,
        after=decode_after(after),
        business_unit=principal.business_unit,
    )
    response = await gateway.search(settings.communications_alias, body)
    return results.to_communication_page(response, size=page)


async def search(
    request: CommunicationSearchRequest,
    *,
    definition: Definition,
    principal: Principal,
    gateway: SearchGateway,
    settings: Settings,
) -> CommunicationPage:
    page = page_size(request.size, settings)
    after = decode_after(request.after)
    try:
        parsed = criteria.parse_section(
            definition, Section.COMMUNICATIONS, request.criteria, max_length=settings.max_value_length
        )
        if parsed or request.contact_id is None:
            criteria.check_count(parsed, limit=settings.max_criteria)
        build = functools.partial(
            queries.communications_search_body,
            criteria=parsed,
            contact_id=request.contact_id,
            size=page,
            after=after,
            phone_region=settings.default_phone_region,
            business_unit=principal.business_unit,
        )
        body = build()
    except terms.CriteriaError as exc:
        raise InvalidCriteria(str(exc)) from exc
    await refuse_too_common(gateway, settings.communications_alias, body, build, in_parts(parsed), settings=settings)
    response = await gateway.search(settings.communications_alias, body)
    return results.to_communication_page(response, size=page)
