"""Constrained field types whose rule is the same in every schema that uses them.

Python's JSON reader and datetime parser accept values no field can hold: an instant whose offset carries it past
year 9999 (or before year 1) in UTC, NaN, Infinity, integers of any length, containers nested as deep as the
interpreter allows. These types refuse them as a validation error on the field (a 422 naming it) instead of
letting the conversion raise an exception that pydantic does not report (a 500).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator


def as_utc(value: datetime) -> datetime:
    """Naive means UTC. An aware instant that has no UTC spelling (`9999-12-31T23:59:59-23:59`) is refused:
    `astimezone` raises OverflowError, which pydantic would not turn into a field error."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is outside years 1 to 9999 once converted to UTC") from None


UtcDatetime = Annotated[datetime, AfterValidator(as_utc)]


def nesting_depth(value: Any, *, stop_at: int) -> int:
    """How deeply objects and arrays nest in `value` (a scalar is 0), counted without recursion and no further
    than `stop_at`, so any depth the JSON reader allowed is measured in bounded time and stack."""
    deepest = 0
    level: list[Any] = [value]
    while deepest < stop_at:
        containers = [item for item in level if isinstance(item, Mapping | list | tuple)]
        if not containers:
            break
        deepest += 1
        level = [child for item in containers for child in (item.values() if isinstance(item, Mapping) else item)]
    return deepest


def bounded_depth(limit: int, *, shape: str) -> BeforeValidator:
    """A JSON object field whose nesting is at most `limit` levels; `shape` says what those levels are."""

    def check(value: Any) -> Any:
        if nesting_depth(value, stop_at=limit + 1) > limit:
            raise ValueError(f"nests more than {limit} levels deep; at most {limit} are allowed ({shape})")
        return value

    return BeforeValidator(check)
