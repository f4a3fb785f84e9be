"""PURE: raw engine hits -> SearchPage, with highlights and an opaque `next` cursor."""

from __future__ import annotations

import base64
from collections.abc import Sequence
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


def values_at(source: dict[str, Any], path: str) -> list[str]:
    """Every string under a dotted path, walking through nested arrays (level by level: a page walks it for
    every hit and field, and generators nested per level cost more than the walk)."""
    nodes: list[Any] = [source]
    for key in path.split("."):
        found: list[Any] = []
        for node in nodes:
            if isinstance(node, dict) and (value := node.get(key)) is not None:
                if isinstance(value, list):
                    found.extend(value)
                else:
                    found.append(value)
        nodes = found
    strings: list[str] = []
    for node in nodes:
        if isinstance(node, list):
            strings.extend(str(v) for v in node if v is not None)
        elif node is not None:
            strings.append(str(node))
    return strings


@dataclass(frozen=True, slots=True)
class Matcher:
    """Tells which stored value of a field satisfied a criterion, and where (the Python twin of its query)."""

    key: str
    path: str
    locate: Locator


def to_page(response: dict[str, Any], *, size: int, matchers: Sequence[Matcher] = ()) -> SearchPage:
    hits = response["hits"]["hits"]
    seen: list[dict[str, Highlight | None]] = [{} for _ in matchers]
    items = [_item(hit, matchers, seen) for hit in hits]
    next_cursor = encode_cursor(hits[-1]["sort"]) if len(hits) == size and hits else None
    return SearchPage(total=response["hits"]["total"]["value"], items=items, next=next_cursor)


def _highlight(matcher: Matcher, value: str) -> Highlight | None:
    located = matcher.locate(value)
    if located is None:
        return None
    return Highlight(field=matcher.key, value=value, spans=[list(span) for span in located.spans], fuzzy=located.fuzzy)


def _highlights(
    source: dict[str, Any], matchers: Sequence[Matcher], seen: Sequence[dict[str, Highlight | None]]
) -> list[Highlight]:
    """Per field every exact match, or else its first typo-tolerant one; exact reasons first.

    The hits of one page share values (they all matched the same criteria: a surname, a city), so each value is
    located once per page, in `seen`, and its highlight shared by the items that hold it.
    """
    found: list[Highlight] = []
    for matcher, known in zip(matchers, seen, strict=True):
        exact: list[Highlight] = []
        fuzzy: list[Highlight] = []
        for value in dict.fromkeys(values_at(source, matcher.path)):
            if value in known:
                highlight = known[value]
            else:
                highlight = known[value] = _highlight(matcher, value)
            if highlight is not None:
                (fuzzy if highlight.fuzzy else exact).append(highlight)
        found += exact or fuzzy[:1]
    found.sort(key=lambda h: h.fuzzy)
    return found[:MAX_HIGHLIGHTS]


def _item(hit: dict[str, Any], matchers: Sequence[Matcher], seen: Sequence[dict[str, Highlight | None]]) -> SearchItem:
    source = hit["_source"]
    highlights = _highlights(source, matchers, seen)
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
