"""PURE: search criteria, checked against the active definition and the catalogue.

Quick search parses its one field, operator and value here too (`parse_quick`), so a text value's length and
operator follow one rule in both searches (`check_length`, `text_operator`). An advanced criterion is a plain
value (`"Paris"`, `true`, `120.5`, `"2026-01-31"`), a string with `%` (a `like`), or an object
`{"operator": "=" | "like", "value": ...}` / `{"min": ..., "max": ...}` for amounts and dates.
Every refusal names the section, the field and what is allowed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from search_definitions import catalogue
from search_definitions.catalogue import STRING_TYPES, CatalogueField, Daily, FieldType, Operator, Section
from search_definitions.schema import Definition
from service.search.terms import CriteriaError, like_pattern

ADDRESS_SCOPE_KEY = "scope"
TEXT_OPERATORS = (Operator.EQUALS.value, Operator.LIKE.value)


@dataclass(frozen=True, slots=True)
class Criterion:
    field: CatalogueField
    operator: Operator
    value: Any = None
    low: Any = None
    high: Any = None


def _where(section: Section, key: str) -> str:
    return f"{section.value}.{key}"


def _at(where: str | None, message: str) -> str:
    return f"{where}: {message}" if where else message


def check_length(value: str, *, max_length: int, where: str | None = None) -> None:
    """At most `Settings.max_value_length` characters, in quick and advanced search alike."""
    if len(value) > max_length:
        raise CriteriaError(_at(where, f"value is {len(value)} characters long; at most {max_length} are allowed"))


def text_operator(raw: Any, *, where: str | None = None, loose: bool = False) -> Operator:
    """`=` or `like`, the operators of a text field. `loose` (quick search) ignores case and surrounding spaces;
    the message quotes the operator as it was given. A tuple, not a set: a JSON list is refused, not a crash."""
    operator = raw.strip().lower() if loose and isinstance(raw, str) else raw
    if operator not in TEXT_OPERATORS:
        raise CriteriaError(_at(where, f"operator '{raw}' is not allowed; allowed: {', '.join(TEXT_OPERATORS)}"))
    return Operator(operator)


def parse_quick(definition: Definition, key: str, operator: str, value: str, *, max_length: int) -> Criterion:
    """A quick search's one criterion: a quick field of the active definition, `=` or `like`, and a value whose
    length counts once it is trimmed."""
    if key not in definition.quick_search_fields:
        allowed = ", ".join(definition.quick_search_fields)
        raise CriteriaError(f"field '{key}' is not a quick-search field of the active definition; allowed: {allowed}")
    field = catalogue.get(key)
    assert field is not None, "definitions are validated against the catalogue"
    checked = text_operator(operator, loose=True)
    stripped = value.strip()
    if not stripped:
        raise CriteriaError("value must not be empty")
    check_length(stripped, max_length=max_length)
    return Criterion(field=field, operator=checked, value=stripped)


def _string(field: CatalogueField, where: str, raw: Any, *, max_length: int) -> Criterion:
    operator: str | None = None
    value = raw
    if isinstance(raw, Mapping):
        unknown = set(raw) - {"operator", "value"}
        if unknown:
            raise CriteriaError(f"{where}: unknown keys {sorted(unknown)}; use operator and value")
        operator, value = raw.get("operator"), raw.get("value")
    if not isinstance(value, str) or not value.strip():
        raise CriteriaError(f"{where}: needs a non-empty text value")
    check_length(value, max_length=max_length, where=where)
    if operator is None:
        operator = Operator.LIKE.value if "%" in value else Operator.EQUALS.value
    checked = text_operator(operator, where=where)
    if checked is Operator.LIKE:
        try:
            like_pattern(field, value.strip())
        except CriteriaError as exc:
            raise CriteriaError(_at(where, str(exc))) from None
    return Criterion(field=field, operator=checked, value=value.strip())


def _number(value: Any, where: str) -> float:
    """Python's JSON reader takes NaN, Infinity and integers of any length: none of them is an amount."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CriteriaError(f"{where}: needs a number")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise CriteriaError(f"{where}: needs a finite number")
    return number


def _date(value: Any, where: str) -> date:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise CriteriaError(f"{where}: needs a date as YYYY-MM-DD")


def _ranged(field: CatalogueField, where: str, raw: Any) -> Criterion:
    convert = _date if field.type is FieldType.DATE else _number
    if isinstance(raw, Mapping):
        unknown = set(raw) - {"min", "max"}
        if unknown or not raw:
            raise CriteriaError(f"{where}: use min and/or max")
        low = convert(raw["min"], f"{where}.min") if raw.get("min") is not None else None
        high = convert(raw["max"], f"{where}.max") if raw.get("max") is not None else None
        if low is None and high is None:
            raise CriteriaError(f"{where}: use min and/or max")
        if low is not None and high is not None and low > high:
            raise CriteriaError(f"{where}: min is above max")
        return Criterion(field=field, operator=Operator.RANGE, low=low, high=high)
    value = convert(raw, where)
    return Criterion(field=field, operator=Operator.RANGE, low=value, high=value)


def _days(field: CatalogueField, where: str, raw: Any) -> Criterion:
    """Whole days, none negative; a plain value is a minimum ("at least 30 days past due")."""
    criterion = _ranged(field, where, raw if isinstance(raw, Mapping) else {"min": raw})
    for bound, name in ((criterion.low, "min"), (criterion.high, "max")):
        if bound is not None and (bound < 0 or bound != int(bound)):
            raise CriteriaError(f"{where}: {name} needs a whole number of days, 0 or more")
    low = int(criterion.low) if criterion.low is not None else None
    high = int(criterion.high) if criterion.high is not None else None
    return Criterion(field=field, operator=Operator.RANGE, low=low, high=high)


def parse_criterion(
    field: CatalogueField, where: str, raw: Any, *, max_length: int, codes: tuple[str, ...] = ()
) -> Criterion:
    """`codes`: the definition's own values of an enum besides the catalogue's (its additional actions)."""
    if field.daily is Daily.DAYS_SINCE:
        return _days(field, where, raw)
    if field.type in STRING_TYPES:
        return _string(field, where, raw, max_length=max_length)
    if field.type is FieldType.ENUM:
        values = (*field.values, *codes)
        if raw not in values:
            raise CriteriaError(f"{where}: '{raw}' is not allowed; allowed: {', '.join(values)}")
        return Criterion(field=field, operator=Operator.EQUALS, value=raw)
    if field.type is FieldType.BOOLEAN:
        if not isinstance(raw, bool):
            raise CriteriaError(f"{where}: needs true or false")
        return Criterion(field=field, operator=Operator.EQUALS, value=raw)
    return _ranged(field, where, raw)


def parse_section(
    definition: Definition, section: Section, payload: Mapping[str, Any], *, max_length: int
) -> list[Criterion]:
    allowed = definition.advanced_search_fields.for_section(section)
    parsed = []
    for key, raw in payload.items():
        if section is Section.ADDRESS and key == ADDRESS_SCOPE_KEY:
            continue
        where = _where(section, key)
        field = catalogue.in_section(section, key)
        if field is None or key not in allowed:
            listed = ", ".join(allowed) or "none"
            raise CriteriaError(
                f"{where}: not an advanced-search field of this section in the active definition; allowed: {listed}"
            )
        codes = definition.codes(field.vocabulary) if field.vocabulary else ()
        parsed.append(parse_criterion(field, where, raw, max_length=max_length, codes=codes))
    return parsed


def address_scope(definition: Definition, payload: Mapping[str, Any] | None) -> str:
    scope = (payload or {}).get(ADDRESS_SCOPE_KEY, "any")
    if scope not in definition.address_scopes:
        raise CriteriaError(f"address.scope: '{scope}' is not offered; allowed: {', '.join(definition.address_scopes)}")
    return str(scope)


def check_count(criteria: list[Criterion], *, limit: int) -> None:
    """At least one criterion, and at most `limit` (`Settings.max_criteria`): each nested one adds a clause."""
    if not criteria:
        raise CriteriaError("give at least one criterion")
    if len(criteria) > limit:
        raise CriteriaError(f"{len(criteria)} criteria given; at most {limit} are allowed")
