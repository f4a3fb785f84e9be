"""Quick search: check the request against the active definition, build the query, run it, shape the page."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from search_definitions import catalogue
from search_definitions.catalogue import STRING_TYPES, FieldType, Operator, Section
from search_definitions.schema import Definition
from service.auth.service import Principal
from service.errors import InvalidCriteria
from service.opensearch.gateway import SearchGateway
from service.search import criteria, highlights, identify, queries, results, suggest, terms
from service.search.paging import decode_after, page_size
from service.search.schemas import AdvancedSearchRequest, QuickSearchRequest
from service.settings import Settings


async def quick_search(
    request: QuickSearchRequest,
    *,
    definition: Definition,
    principal: Principal,
    gateway: SearchGateway,
    settings: Settings,
) -> results.SearchPageData:
    try:
        quick = criteria.parse_quick(
            definition, request.field, request.operator, request.value, max_length=settings.max_value_length
        )
    except terms.CriteriaError as exc:
        raise InvalidCriteria(str(exc)) from exc
    field, operator, value = quick.field, quick.operator, quick.value
    size = page_size(request.size, settings)
    after = decode_after(request.after)
    older = await gateway.older_mapping(settings.quick_alias, catalogue.MAPPING_VERSION)
    region = settings.default_phone_region
    paged: dict[str, Any] = {
        "operator": operator,
        "value": value,
        "size": size,
        "after": after,
        "phone_region": region,
        "business_unit": principal.business_unit,
        "older_mapping": older,
    }
    try:
        if field.type is FieldType.ANY:
            fields = identify.any_fields(definition.quick_search_fields, operator, value, phone_region=region)
            build = functools.partial(identify.any_search_body, fields=fields, **paged)
            matchers = identify.any_matchers(fields, operator, value, phone_region=region)
        else:
            build = functools.partial(queries.quick_search_body, field=field, **paged)
            locate = highlights.locator(field, operator, value, phone_region=region)
            matchers = [results.Matcher(field.key, field.highlight_path, locate, field.item_path)]
        body = build()
    except terms.CriteriaError as exc:
        raise InvalidCriteria(str(exc)) from exc
    await refuse_too_common(gateway, settings.quick_alias, body, build, in_parts([quick]), settings=settings)
    response = await gateway.search(settings.quick_alias, body)
    return results.to_page(response, size=size, matchers=matchers)


async def suggestions(
    field: str,
    prefix: str,
    *,
    definition: Definition,
    principal: Principal,
    gateway: SearchGateway,
    settings: Settings,
) -> list[suggest.SuggestionData]:
    """Completions of a prefix on one quick field, within the caller's business unit (`suggest`)."""
    try:
        checked = suggest.parse(definition, field, prefix, max_length=settings.max_value_length)
    except terms.CriteriaError as exc:
        raise InvalidCriteria(str(exc)) from exc
    older = await gateway.older_mapping(settings.quick_alias, catalogue.MAPPING_VERSION)
    body = suggest.suggest_body(checked, business_unit=principal.business_unit, older_mapping=older)
    response = await gateway.search(settings.quick_alias, body)
    return suggest.to_suggestions(response, checked, phone_region=settings.default_phone_region)


ADVANCED_SECTIONS = (
    Section.CONTACT,
    Section.ADDRESS,
    Section.ACCESS_TOKEN,
    Section.ACCOUNTS_RECEIVABLE,
    Section.SUBSCRIPTIONS,
)


async def advanced_search(
    request: AdvancedSearchRequest,
    *,
    definition: Definition,
    principal: Principal,
    gateway: SearchGateway,
    settings: Settings,
    today: date | None = None,
) -> results.SearchPageData:
    """`today` (the UTC date when not given) answers the criteria that depend on the day (days past due)."""
    size = page_size(request.size, settings)
    after = decode_after(request.after)
    today = today or datetime.now(UTC).date()
    older = await gateway.older_mapping(settings.contacts_alias, catalogue.MAPPING_VERSION)
    try:
        parsed = [
            c
            for section in ADVANCED_SECTIONS
            if (payload := getattr(request, section.value)) is not None
            for c in criteria.parse_section(definition, section, payload, max_length=settings.max_value_length)
        ]
        scope = criteria.address_scope(definition, request.address)
        if parsed or scope == "any":
            criteria.check_count(parsed, limit=settings.max_criteria)
        build = functools.partial(
            queries.advanced_search_body,
            criteria=parsed,
            address_scope=scope,
            today=today,
            size=size,
            after=after,
            phone_region=settings.default_phone_region,
            business_unit=principal.business_unit,
            older_mapping=older,
        )
        body = build()
        region = settings.default_phone_region
        matchers = [
            results.Matcher(
                c.field.key,
                c.field.shown_path or c.field.path,
                highlights.locator(c.field, c.operator, c.value, phone_region=region),
            )
            for c in parsed
            if c.field.type in STRING_TYPES
        ]
    except terms.CriteriaError as exc:
        raise InvalidCriteria(str(exc)) from exc
    await refuse_too_common(gateway, settings.contacts_alias, body, build, in_parts(parsed), settings=settings)
    response = await gateway.search(settings.contacts_alias, body)
    return results.to_page(response, size=size, matchers=matchers)


def in_parts(parsed: list[criteria.Criterion]) -> list[str]:
    """The `like` values of several parts: those `refuse_too_common` may name."""
    return [c.value for c in parsed if c.operator is Operator.LIKE and len(terms.LikePattern.parse(c.value).parts) > 1]


async def refuse_too_common(
    gateway: SearchGateway,
    index: str,
    body: dict[str, Any],
    build: Callable[..., dict[str, Any]],
    patterns: list[str],
    *,
    settings: Settings,
) -> None:
    """A several-part `like` whose parts are common would hold the engine for as long as it checks their order
    (`queries.candidates_probe`): counted first, refused with a 422 saying what to type when too many hold them.

    `patterns` are the request's several-part `like` values (`in_parts`); without one, the search is sent as it
    is, and `build` (the body's builder) is asked for the counting query only when there is one."""
    if not patterns:
        return
    limit = settings.like_max_candidates
    probe = queries.candidates_probe(body, build(candidates=True), limit=limit)
    if probe is None:
        return
    response = await gateway.search(index, probe)
    if response.get("terminated_early"):
        raise InvalidCriteria(queries.too_common(patterns, limit=limit))
