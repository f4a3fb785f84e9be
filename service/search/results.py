"""PURE: raw engine hits -> SearchPage, with highlights and an opaque `next` cursor."""

from __future__ import annotations

import base64
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from service.search.highlights import Locator
from service.search.schemas import (
    AccountSummary,
    CommunicationItem,
    CommunicationPage,
    Highlight,
    SearchItem,
    SearchPage,
)

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


@dataclass(frozen=True, slots=True)
class Matcher:
    """Tells which stored value of a field satisfied a criterion, and where (the Python twin of its query)."""

    key: str
    path: str
    locate: Locator


def to_page(response: dict[str, Any], *, size: int, matchers: Sequence[Matcher] = ()) -> SearchPage:
    hits = response["hits"]["hits"]
    items = [_item(hit, matchers) for hit in hits]
    next_cursor = encode_cursor(hits[-1]["sort"]) if len(hits) == size and hits else None
    return SearchPage(total=response["hits"]["total"]["value"], items=items, next=next_cursor)


def _highlights(source: dict[str, Any], matchers: Sequence[Matcher]) -> list[Highlight]:
    """Per field every exact match, or else its first typo-tolerant one; exact reasons first."""
    found: list[Highlight] = []
    for matcher in matchers:
        exact: list[Highlight] = []
        fuzzy: list[Highlight] = []
        for value in dict.fromkeys(values_at(source, matcher.path)):
            located = matcher.locate(value)
            if located is not None:
                spans = [list(span) for span in located.spans]
                highlight = Highlight(field=matcher.key, value=value, spans=spans, fuzzy=located.fuzzy)
                (fuzzy if located.fuzzy else exact).append(highlight)
        found += exact or fuzzy[:1]
    found.sort(key=lambda h: h.fuzzy)
    return found[:MAX_HIGHLIGHTS]


def _item(hit: dict[str, Any], matchers: Sequence[Matcher]) -> SearchItem:
    source = hit["_source"]
    highlights = _highlights(source, matchers)
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


def to_communication_page(response: dict[str, Any], *, size: int, limit: int | None = None) -> CommunicationPage:
    """With a `limit` (the definition's recent limit) the listing is that one page: no `next`."""
    hits = response["hits"]["hits"]
    total = response["hits"]["total"]["value"]
    items = [CommunicationItem.model_validate(hit["_source"]) for hit in hits]
    more = limit is None and len(hits) == size and bool(hits)
    return CommunicationPage(
        total=min(total, limit) if limit is not None else total,
        items=items,
        next=encode_cursor(hits[-1]["sort"]) if more else None,
    )
