"""PURE: suggestions as the agent types: (quick field, prefix, scope) -> body, and hits -> completions.

Asked on every keystroke, so each lookup is one prefix structure of the quick index, never a pattern checked value
by value: a prefix of up to three folded characters is the slice marked with the value's start (`\\x02mar`, one
term, `catalogue.SLICE_START`), a longer one a `prefix` query on the normalised keyword, whose terms dictionary
holds few terms that long. Either way the hits come in the quick index's own name order (`QUICK_INDEX_SORT`) and
nothing is counted, so the engine stops at the first few it finds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypedDict

from search_definitions import catalogue
from search_definitions.catalogue import SLICE_END, SLICE_LENGTHS, SLICE_START, CatalogueField, FieldType, Subfield
from search_definitions.schema import Definition
from service import phones
from service.search.criteria import check_length
from service.search.highlights import folded
from service.search.identify import fits
from service.search.queries import NAME_SORT, scope_filter
from service.search.results import values_at
from service.search.terms import CriteriaError, normaliser

SUGGEST_SIZE = 8
MIN_PREFIX = 2


@dataclass(frozen=True, slots=True)
class Prefix:
    """A checked request: the field, the prefix as typed (trimmed) and as the index holds it (normalised)."""

    field: CatalogueField
    typed: str
    normalised: str


class SuggestionData(TypedDict):
    text: str
    contact_id: int
    field: str
    value: str
    display_name: str
    business_unit: str


def parse(definition: Definition, key: str, prefix: str, *, max_length: int) -> Prefix:
    """A quick field of the active definition and a prefix of `MIN_PREFIX` characters or more, as typed and once
    normalised (`a-` is one character of an identifier); each refusal names the parameter."""
    if key not in definition.quick_search_fields:
        allowed = ", ".join(definition.quick_search_fields)
        raise CriteriaError(f"field: '{key}' is not a quick-search field of the active definition; allowed: {allowed}")
    if key == catalogue.ANY.key:
        # The one box completes on one of the fields its shape fits, as it ranks them: a phone, an email or an
        # identifier before a name (`AR-0001` fits a name too).
        fitting = [k for k in definition.quick_search_fields if k != key and fits(catalogue.BY_KEY[k], prefix.strip())]
        fitting.sort(key=lambda k: catalogue.BY_KEY[k].type is FieldType.TEXT)
        if not fitting:
            raise CriteriaError(f"prefix: '{prefix.strip()}' fits none of the active definition's quick fields")
        key = fitting[0]
    field = catalogue.get(key)
    assert field is not None, "definitions are validated against the catalogue"
    typed = prefix.strip()
    check_length(typed, max_length=max_length, where="prefix")
    normalised = normaliser(field)(typed)
    if field.type is FieldType.PHONE and typed.startswith("00"):
        # `0034 912` is `+34 912`: the index holds international digits without either prefix.
        normalised = normalised.removeprefix("00")
    if len(typed) < MIN_PREFIX or len(normalised) < MIN_PREFIX:
        what = "digits" if field.type is FieldType.PHONE else "characters"
        wanted = f"{MIN_PREFIX} {what} of the {field.label.lower()}"
        raise CriteriaError(f"prefix: type at least {wanted} to get suggestions")
    return Prefix(field=field, typed=typed, normalised=normalised)


def prefix_clause(field: CatalogueField, normalised: str, *, older_mapping: bool = False) -> dict[str, Any]:
    """The values of the field that start with the normalised prefix. The slice only for ASCII: it was folded here
    and the slices by the engine, and the two agree for certain on ASCII alone (as in `queries.like_clause`)."""
    path = field.quick_path
    marked = SLICE_START + normalised
    short = len(marked) in SLICE_LENGTHS and normalised.isascii() and SLICE_END not in normalised
    if field.slices and short and not older_mapping:
        return {"term": {f"{path}.{Subfield.SLICES}": marked}}
    return {"prefix": {path: {"value": normalised}}}


def suggest_body(prefix: Prefix, *, business_unit: str | None, older_mapping: bool = False) -> dict[str, Any]:
    """For the quick index: in its stored order, uncounted, so the engine stops after `SUGGEST_SIZE` hits."""
    clause = prefix_clause(prefix.field, prefix.normalised, older_mapping=older_mapping)
    return {
        "query": {"bool": {"filter": [clause, *scope_filter(business_unit)]}},
        "size": SUGGEST_SIZE,
        "sort": list(NAME_SORT),
        "track_total_hits": False,
    }


def starts_with(field: CatalogueField, prefix: Prefix, *, phone_region: str) -> Callable[[str], bool]:
    """The Python twin of `prefix_clause`: whether a stored value (as shown) starts with the prefix."""
    wanted = prefix.normalised
    if field.type is FieldType.PHONE:
        return lambda value: any(form.startswith(wanted) for form in phones.forms_of(value, phone_region))
    identifier = field.type is FieldType.IDENTIFIER
    return lambda value: folded(value, identifier=identifier).text.strip().startswith(wanted)


def to_suggestions(response: dict[str, Any], prefix: Prefix, *, phone_region: str) -> list[SuggestionData]:
    """One completion a contact: its display name for a name, else the identifier, phone or email that starts with
    the prefix, as written in the record; `value` is the stored value that matched."""
    field = prefix.field
    matches = starts_with(field, prefix, phone_region=phone_region)
    found: list[SuggestionData] = []
    for hit in response["hits"]["hits"]:
        source = hit["_source"]
        display_name = source.get("display_name") or ""
        value = next((v for v in values_at(source, field.highlight_path) if matches(v)), None)
        if value is None:
            continue
        found.append(
            {
                "text": display_name if field.type is FieldType.TEXT else value,
                "contact_id": source["contact_id"],
                "field": field.key,
                "value": value,
                "display_name": display_name,
                "business_unit": source.get("business_unit") or "",
            }
        )
    return found
