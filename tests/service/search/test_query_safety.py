"""Every body the query builders can produce stays bounded: no query parser, no regexp, no script, and no
wildcard or prefix query except on a `wildcard`-type sub-field (n-gram indexed, so a leading `%` never scans the
terms dictionary). Pure: the builders are fed every catalogue field with every form of value, hostile ones too."""

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from indexer.mappings import COMMUNICATION_PROPERTIES, CONTACT_PROPERTIES, field_mapping
from search_definitions import catalogue
from search_definitions.catalogue import STRING_TYPES, FieldType, Index, Operator, Section
from service.search import criteria, queries, terms
from service.text import fold

FORBIDDEN = {
    "query_string",
    "simple_query_string",
    "regexp",
    "script",
    "script_score",
    "script_fields",
    "_script",
    "runtime_mappings",
    "percolate",
}
FIELD_QUERIES = {"term", "terms", "range", "wildcard", "prefix", "fuzzy", "match", "match_phrase", "exists"}
PATTERN_QUERIES = {"wildcard", "prefix"}
# The day the criteria that depend on it (days past due, the past-due amount) are built for.
TODAY = date(2026, 1, 31)
HOSTILE = ['" OR 1=1 --', "name:* AND _exists_:secret", "/.*/", '{"script": "x"}', "*", "?", "\\", "a*b?c\\d"]
LIKE_FORMS = ["%ari%", "%ria", "Ma%", "Mar", "ab%bc%cd", "%ar%", "%a%", "a%b%c", *HOSTILE]
PHONE_FORMS = ["%34 56%", "+33 6%", "%78", "06 12 34 56 78", "0612*?", "%12%34%", "%1%2%"]


def field_queries(node: Any) -> Iterator[tuple[str, str]]:
    """(query type, field) of every field-level query anywhere in a body (inside bool, nested, ...)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in FIELD_QUERIES and isinstance(value, dict):
                for field in value:
                    if key == "exists":
                        yield key, value["field"]
                        break
                    yield key, field
            yield from field_queries(value)
    elif isinstance(node, list):
        for item in node:
            yield from field_queries(item)


def field_clauses(node: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(query type, its body) of every field-level query anywhere in a body."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in FIELD_QUERIES and isinstance(value, dict):
                yield key, value
            yield from field_clauses(value)
    elif isinstance(node, list):
        for item in node:
            yield from field_clauses(item)


def keys(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from keys(value)
    elif isinstance(node, list):
        for item in node:
            yield from keys(item)


def mapping_type(index: Index, path: str) -> str | None:
    properties = CONTACT_PROPERTIES if index is Index.CONTACTS else COMMUNICATION_PROPERTIES
    mapping = field_mapping(properties, path)
    return mapping.get("type") if mapping else None


def assert_bounded(body: dict[str, Any], index: Index) -> None:
    assert not FORBIDDEN & set(keys(body)), body
    for query, field in field_queries(body):
        if query in PATTERN_QUERIES:
            assert mapping_type(index, field) == "wildcard", f"{query} on {field} ({mapping_type(index, field)})"
        assert mapping_type(index, field) is not None, f"{query} on unmapped {field}"


def values_for(field: catalogue.CatalogueField) -> list[Any]:
    if field.type is FieldType.PHONE:
        return PHONE_FORMS
    if field.type in STRING_TYPES:
        return LIKE_FORMS
    if field.type is FieldType.ENUM:
        return list(field.values)
    if field.type is FieldType.BOOLEAN:
        return [True, False]
    if field.type is FieldType.DATE:
        return ["2026-01-31", {"min": "2026-01-01"}, {"min": "2026-01-01", "max": "2026-02-01"}]
    return [12.5, {"min": 0}, {"min": -5, "max": 100}]


def built(field: catalogue.CatalogueField, raw: Any) -> criteria.Criterion | None:
    try:
        return criteria.parse_criterion(field, field.key, raw, max_length=100)
    except terms.CriteriaError:
        return None


QUICK = [f for f in catalogue.FIELDS if f.quick]
ADVANCED = [f for f in catalogue.FIELDS if f.advanced]


@pytest.mark.parametrize("field", QUICK, ids=lambda f: f.key)
def test_quick_search_bodies_never_hold_a_parser_a_script_or_an_unbounded_pattern(field):
    built_bodies = 0
    for operator in (Operator.EQUALS, Operator.LIKE):
        for value in values_for(field):
            for business_unit in (None, "BU01"):
                try:
                    body = queries.quick_search_body(
                        field=field,
                        operator=operator,
                        value=value,
                        size=20,
                        after=[1.0, "x", 7],
                        phone_region="FR",
                        business_unit=business_unit,
                    )
                except terms.CriteriaError:
                    continue
                assert_bounded(body, Index.CONTACTS)
                built_bodies += 1
    assert built_bodies


@pytest.mark.parametrize("field", ADVANCED, ids=lambda f: f.key)
def test_advanced_and_communications_bodies_never_hold_a_parser_a_script_or_an_unbounded_pattern(field):
    parsed = [c for raw in values_for(field) if (c := built(field, raw)) is not None]
    assert parsed
    for criterion in parsed:
        if field.section is Section.COMMUNICATIONS:
            body = queries.communications_search_body(
                criteria=[criterion], contact_id=7, size=20, after=None, phone_region="FR", business_unit="BU01"
            )
            assert_bounded(body, Index.COMMUNICATIONS)
            continue
        for scope in catalogue.ADDRESS_SCOPES:
            body = queries.advanced_search_body(
                criteria=[criterion],
                address_scope=scope,
                size=20,
                after=None,
                phone_region="FR",
                business_unit=None,
                today=TODAY,
            )
            assert_bounded(body, Index.CONTACTS)


def test_all_advanced_criteria_at_once_stay_bounded():
    contact_side = [c for f in ADVANCED if f.section is not Section.COMMUNICATIONS if (c := built(f, values_for(f)[0]))]
    body = queries.advanced_search_body(
        criteria=contact_side,
        address_scope="billing",
        size=20,
        after=None,
        phone_region="FR",
        business_unit="BU01",
        today=TODAY,
    )
    assert_bounded(body, Index.CONTACTS)
    communication_side = [
        c for f in ADVANCED if f.section is Section.COMMUNICATIONS if (c := built(f, values_for(f)[0]))
    ]
    body = queries.communications_search_body(
        criteria=communication_side, contact_id=None, size=20, after=None, phone_region="FR", business_unit=None
    )
    assert_bounded(body, Index.COMMUNICATIONS)


def test_listing_bodies_stay_bounded():
    for body in (
        queries.recent_communications_body(user='x" OR 1=1', size=20, after=None, business_unit="BU01"),
        queries.worklist_body(user="*", today="2026-01-31", size=20, after=[1, 2], business_unit=None),
    ):
        assert_bounded(body, Index.COMMUNICATIONS)


@pytest.mark.parametrize("value", HOSTILE)
def test_engine_wildcards_typed_by_the_agent_reach_the_pattern_escaped(value):
    """A starts-with on a name longer than its slices, which the wildcard field verifies."""
    clause = queries.quick_clause(catalogue.BY_KEY["name"], Operator.LIKE, f"ab{value}ba%", phone_region="FR")
    (pattern,) = [query["names.wild"]["value"] for kind, query in field_clauses(clause) if kind == "wildcard"]
    inner = pattern[:-1]
    unescaped = inner.replace("\\\\", "").replace("\\*", "").replace("\\?", "")
    assert "*" not in unescaped and "?" not in unescaped, pattern


@pytest.mark.parametrize("value", ["*?*", "/.*/", "a*b?"])
def test_engine_wildcards_in_a_slice_long_infix_stay_literal(value):
    """A three- or four-character infix is a `term` on the slices, where `*` and `?` mean nothing."""
    clause = queries.quick_clause(catalogue.BY_KEY["name"], Operator.LIKE, f"%{value}%", phone_region="FR")
    assert clause == {"constant_score": {"filter": {"term": {"names.slices": value}}}}


@pytest.mark.parametrize("value", HOSTILE)
def test_engine_syntax_in_a_longer_infix_is_literal_text_for_the_grams(value):
    """Padded past the slice lengths, an ASCII infix is a phrase analysed by the field's own analyzer: text."""
    clause = queries.quick_clause(catalogue.BY_KEY["name"], Operator.LIKE, f"%ab{value}ba%", phone_region="FR")
    assert clause == {"constant_score": {"filter": {"match_phrase": {"names.grams": fold(f"ab{value}ba")}}}}


def test_the_walker_sees_what_it_must_refuse():
    """The checks above would pass on anything if the walker missed nested clauses: prove it does not."""
    bad = {
        "query": {"bool": {"filter": [{"nested": {"path": "a", "query": {"wildcard": {"names": {"value": "*x"}}}}}]}}
    }
    with pytest.raises(AssertionError, match="wildcard on names"):
        assert_bounded(bad, Index.CONTACTS)
    with pytest.raises(AssertionError):
        assert_bounded({"query": {"query_string": {"query": "x"}}}, Index.CONTACTS)
