"""Identifying a customer: the caller of an incoming call (screen pop), the existing customers a new one may be.

The engine finds the contacts (`search.identify`, pure); a caller lookup that finds exactly one reads its context
from the database in the same request, so a telephony integration makes one round trip."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

import anyio
from sqlalchemy.orm import Session

from service.context.schemas import ContactContext
from service.context.service import contact_context
from service.deps import EngineLookup
from service.errors import InvalidCriteria, NotFound
from service.search import criteria, identify, results, terms
from service.search.paging import page_size


def _checked(value: str, where: str, *, max_length: int) -> str:
    try:
        criteria.check_length(value.strip(), max_length=max_length, where=where)
    except terms.CriteriaError as exc:
        raise InvalidCriteria(str(exc)) from exc
    return value


async def caller(
    number: str, *, size: int | None, lookup: EngineLookup, session: Session
) -> tuple[results.SearchPageData, ContactContext | None]:
    settings, principal = lookup.settings, lookup.principal
    region = settings.default_phone_region
    try:
        wanted = identify.caller_number(_checked(number, "number", max_length=settings.max_value_length))
        body = identify.caller_body(
            number=wanted,
            size=page_size(size, settings),
            phone_region=region,
            business_unit=principal.business_unit,
        )
        found = identify.matchers([(identify.PHONE, wanted)], phone_region=region)
    except terms.CriteriaError as exc:
        raise InvalidCriteria(f"number: {exc}") from exc
    response = await lookup.gateway.search(settings.quick_alias, body)
    # One page, no cursor: a switch opens a screen, it does not page (`size` asks for more).
    page = results.to_page(response, size=len(response["hits"]["hits"]) + 1, matchers=found)
    if page["total"] != 1:
        return page, None
    read = functools.partial(
        contact_context,
        session,
        page["items"][0]["contact_id"],
        principal=principal,
        definition=lookup.definition,
        today=datetime.now(UTC).date(),
    )
    try:
        return page, await anyio.to_thread.run_sync(read)
    except NotFound:
        # Deleted since the index was last synchronised: the list says what the engine knew, no context.
        return page, None


async def similar(query: identify.Similar, *, lookup: EngineLookup) -> results.SearchPageData:
    settings = lookup.settings
    region = settings.default_phone_region
    for where in ("phone", "email", "name"):
        value = getattr(query, where)
        if value is not None:
            _checked(value, where, max_length=settings.max_value_length)
    try:
        body = identify.similar_body(query, phone_region=region, business_unit=lookup.principal.business_unit)
        found = identify.matchers(query.given(), phone_region=region)
    except terms.CriteriaError as exc:
        raise InvalidCriteria(str(exc)) from exc
    response = await lookup.gateway.search(settings.quick_alias, body)
    return results.to_page(response, size=identify.SIMILAR_SIZE + 1, matchers=found)
