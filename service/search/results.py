"""PURE: raw engine hits -> SearchPage, with highlights and an opaque `next` cursor."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from typing import Any

import orjson

from search_definitions.catalogue import CatalogueField
from service.search.schemas import AccountSummary, Highlight, SearchItem, SearchPage

MAX_HIGHLIGHTS = 5


class CursorError(ValueError):
    pass


def encode_cursor(sort_values: list[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(sort_values)).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, orjson.JSONDecodeError) as exc:
        raise CursorError("after: not a cursor returned by a previous page") from exc
    if not isinstance(values, list) or not values or not all(isinstance(v, str | int | float) for v in values):
        raise CursorError("after: not a cursor returned by a previous page")
    return values


def values_at(source: dict[str, Any], path: str) -> Iterator[str]:
    """Every string under a dotted path, walking through nested arrays."""
    head, _, rest = path.partition(".")
    node = source.get(head)
    for item in node if isinstance(node, list) else [node]:
        if item is None:
            continue
        if rest:
            if isinstance(item, dict):
                yield from values_at(item, rest)
        elif isinstance(item, list):
            yield from (str(v) for v in item if v is not None)
        else:
            yield str(item)


def to_page(
    response: dict[str, Any],
    *,
    size: int,
    field: CatalogueField | None = None,
    matches: Callable[[str], bool] | None = None,
) -> SearchPage:
    hits = response["hits"]["hits"]
    items = [_item(hit, field, matches) for hit in hits]
    next_cursor = encode_cursor(hits[-1]["sort"]) if len(hits) == size and hits else None
    return SearchPage(total=response["hits"]["total"]["value"], items=items, next=next_cursor)


def _item(hit: dict[str, Any], field: CatalogueField | None, matches: Callable[[str], bool] | None) -> SearchItem:
    source = hit["_source"]
    highlights: list[Highlight] = []
    if field is not None and matches is not None:
        seen: set[str] = set()
        for value in values_at(source, field.quick_path):
            if value not in seen and matches(value):
                seen.add(value)
                highlights.append(Highlight(field=field.key, value=value))
            if len(highlights) >= MAX_HIGHLIGHTS:
                break
    account = source.get("main_account")
    return SearchItem(
        contact_id=source["contact_id"],
        display_name=source.get("display_name") or "",
        kind=source.get("kind") or "",
        business_unit=source.get("business_unit") or "",
        highlights=highlights,
        primary_phone=source.get("primary_phone"),
        primary_email=source.get("primary_email"),
        main_account=AccountSummary.model_validate(account) if account else None,
        credit_hold=bool(source.get("credit_hold")),
        score=hit.get("_score"),
    )
