"""Constrained field types whose rule is the same in every schema that uses them: the one home of texts, money,
countries, currencies, email addresses, business units and UTC instants, imported by the contact, communication,
audit and context schemas and by `search_definitions` alike. Pure pydantic (and libphonenumber's list of
regions): no FastAPI, no database, so the definitions stay importable without either.

Python's JSON reader and datetime parser accept values no field can hold: an instant whose offset carries it past
year 9999 (or before year 1) in UTC, NaN, Infinity, integers of any length, containers nested as deep as the
interpreter allows. These types refuse them as a validation error on the field (a 422 naming it) instead of
letting the conversion raise an exception that pydantic does not report (a 500).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

import phonenumbers
from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

Text16 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16)]
Text24 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=24)]
Text32 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
Text40 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Text64 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Text100 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Money = Annotated[Decimal, Field(max_digits=14, decimal_places=2)]
# A code (a SetID): upper-cased, so the database's exact comparison and the index's folded one agree; the same
# rule for a contact's unit, a token's, and the units a definition is for.
BusinessUnit = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, min_length=1, max_length=20, pattern=r"^[A-Za-z0-9_-]+$"),
]

# ISO 3166-1 alpha-2: the regions libphonenumber knows, plus uninhabited territories it has no numbering plan
# for, minus its two non-ISO entries (Ascension and Tristan da Cunha share SH).
COUNTRIES = frozenset((phonenumbers.SUPPORTED_REGIONS | {"AQ", "BV", "GS", "HM", "PN", "TF", "UM"}) - {"AC", "TA"})
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$")


def check_business_unit(value: str) -> str:
    """A unit given outside a request body (an option, an import's default), checked and spelled as stored."""
    try:
        return TypeAdapter(BusinessUnit).validate_python(value)
    except ValidationError as exc:
        raise ValueError(f"'{value}' is no business unit (1 to 20 letters, digits, _ or -)") from exc


def _known_country(value: str) -> str:
    if value not in COUNTRIES:
        raise ValueError("not an ISO 3166-1 alpha-2 country code")
    return value


def _currency(value: str) -> str:
    if not (value.isascii() and value.isalpha()):
        raise ValueError("not an ISO 4217 currency code (three letters, e.g. EUR)")
    return value


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError("not an email address (expected name@domain.tld)")
    return value


Country = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, min_length=2, max_length=2),
    AfterValidator(_known_country),
]
Currency = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, min_length=3, max_length=3),
    AfterValidator(_currency),
]
EmailAddress = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(_email)]


def not_null(cls: type, value: Any) -> Any:
    """A PATCH field that may be left out but not sent as null (use as `field_validator(...)(not_null)`)."""
    if value is None:
        raise ValueError("may be left out but not null")
    return value


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
