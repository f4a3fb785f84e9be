"""The catalogue and the mappings agree: every searchable field exists in its index with a usable type."""

import pytest

from indexer.mappings import (
    ANALYSIS,
    COMMUNICATION_PROPERTIES,
    CONTACT_PROPERTIES,
    DIGEST_FIELD,
    QUICK_INDEX_SORT,
    QUICK_PROPERTIES,
    communications_index_body,
    contacts_index_body,
    field_mapping,
    quick_index_body,
)
from search_definitions.catalogue import FIELDS, QUICK_SOURCE, STRING_TYPES, SUMMARY_PATHS, Daily, FieldType, Index
from service.search.queries import NAME_SORT

NORMALIZER = {
    FieldType.TEXT: "folded",
    FieldType.KEYWORD: "folded",
    FieldType.EMAIL: "folded",
    FieldType.IDENTIFIER: "ident",
    FieldType.PHONE: "digits",
}
TYPES = {
    FieldType.AMOUNT: {"scaled_float", "double"},
    FieldType.NUMBER: {"long", "integer", "scaled_float"},
    FieldType.DATE: {"date"},
    FieldType.BOOLEAN: {"boolean"},
    FieldType.ENUM: {"keyword"},
}
BODIES = {"contacts": contacts_index_body, "quick": quick_index_body, "communications": communications_index_body}


def properties(field):
    return CONTACT_PROPERTIES if field.index is Index.CONTACTS else COMMUNICATION_PROPERTIES


def string_paths(props, prefix=""):
    """Every keyword path of a properties tree (multi-fields excluded)."""
    for name, mapping in props.items():
        if "properties" in mapping:
            yield from string_paths(mapping["properties"], f"{prefix}{name}.")
        elif mapping["type"] == "keyword" and mapping.get("index", True):
            yield f"{prefix}{name}", mapping


def assert_searchable_string(mapping, normalizer, label):
    assert mapping["type"] == "keyword", label
    assert mapping["normalizer"] == normalizer, label
    wild = mapping["fields"]["wild"]
    assert wild["type"] == "wildcard", label
    assert wild["normalizer"] == normalizer, label
    assert wild["doc_values"] is True, f"{label}: a wildcard field without doc values never matches inside nested"


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.key)
def test_every_catalogue_field_is_mapped_with_a_compatible_type(field):
    props = properties(field)
    mapping = field_mapping(props, field.path)
    assert mapping is not None, f"{field.key}: {field.path} is not mapped"
    if field.nested:
        assert props[field.nested]["type"] == "nested"
        assert field.path.startswith(field.nested + ".")
    if field.type in STRING_TYPES:
        assert_searchable_string(mapping, NORMALIZER[field.type], field.path)
        assert_searchable_string(field_mapping(props, field.quick_path), NORMALIZER[field.type], field.quick_path)
        if field.type is FieldType.TEXT:
            assert mapping["fields"]["text"] == {"type": "text", "analyzer": "folded_text"}
        for path in {field.path, field.quick_path}:
            assert ("slices" in field_mapping(props, path)["fields"]) is field.slices, f"{field.key}: {path}.slices"
    elif field.daily is Daily.STEPS:
        assert mapping["type"] == "nested", "steps of one account, each a span of days and the value during it"
        assert mapping["properties"]["during"]["type"] == "date_range"
        assert mapping["properties"]["amount"]["type"] in TYPES[field.type]
    elif field.daily is Daily.DAYS_SINCE:
        assert mapping["type"] == "date", "days since a stored date, counted from the day of the search"
    elif field.daily is Daily.REACHED:
        assert mapping["type"] == "date", "whether a stored date has come, on the day of the search"
    else:
        assert mapping["type"] in TYPES[field.type], field.key


@pytest.mark.parametrize("name", BODIES)
def test_bodies_are_strict_unreplicated_and_refresh_explicitly(name):
    body = BODIES[name](shards=3)
    assert body["mappings"]["dynamic"] == "strict"
    index = {k: v for k, v in body["settings"]["index"].items() if k != "sort"}
    assert index == {"number_of_shards": 3, "number_of_replicas": 0, "refresh_interval": "1s", "max_ngram_diff": 2}
    assert body["settings"]["analysis"] == ANALYSIS


@pytest.mark.parametrize("name", BODIES)
def test_every_normalizer_and_analyzer_used_is_defined(name):
    used = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("normalizer", "analyzer"):
                    used.add((key, value))
                walk(value)

    walk(BODIES[name]()["mappings"])
    for kind, value in used:
        assert value in ANALYSIS[kind], f"{kind} {value} is not defined"
    for normalizer in ANALYSIS["normalizer"].values():
        assert set(normalizer.get("char_filter", [])) <= set(ANALYSIS["char_filter"])


@pytest.mark.parametrize("props", [CONTACT_PROPERTIES, COMMUNICATION_PROPERTIES], ids=["contacts", "communications"])
def test_every_normalised_string_has_a_wildcard_twin(props):
    for path, mapping in string_paths(props):
        if "normalizer" in mapping and "fields" in mapping:
            assert_searchable_string(mapping, mapping["normalizer"], path)
        assert mapping.get("ignore_above", 0) <= 256, path


def test_the_quick_index_holds_every_root_field_of_a_contact_as_the_contacts_index_maps_it():
    assert set(CONTACT_PROPERTIES) - set(QUICK_PROPERTIES) == {
        "addresses",
        "access_tokens",
        "ar_accounts",
        "subscriptions",
    }
    assert all(QUICK_PROPERTIES[name] == CONTACT_PROPERTIES[name] for name in QUICK_PROPERTIES)
    quick = [f for f in FIELDS if f.quick]
    assert quick
    for field in quick:
        for path in (field.quick_path, field.highlight_path):
            assert field_mapping(QUICK_PROPERTIES, path) == field_mapping(CONTACT_PROPERTIES, path), field.key
    for path in SUMMARY_PATHS:
        assert path in QUICK_PROPERTIES, path


def test_the_quick_index_keeps_in_its_source_the_summary_and_every_value_a_quick_field_highlights():
    kept = quick_index_body()["mappings"]["_source"]["includes"]
    items = {f.item_path for f in FIELDS if f.quick and f.item_path}
    assert items == {"transactions"}, "a transaction number's highlight names the item"
    assert set(QUICK_SOURCE) == {*SUMMARY_PATHS, *(f.highlight_path for f in FIELDS if f.quick), *items}
    assert set(kept) == {*QUICK_SOURCE, DIGEST_FIELD}, "and the digest verify compares"
    assert "phones_written" in kept and "phone_numbers" not in kept, "a phone is shown as written, not as digits"
    assert set(kept) <= set(QUICK_PROPERTIES)
    assert all(
        QUICK_PROPERTIES[path].get("fields", {}).get("wild", {}).get("doc_values", True) for path in QUICK_PROPERTIES
    ), "a wildcard field verifies from _source without doc values"


def test_the_quick_index_is_stored_in_the_order_of_an_unranked_page():
    assert [{f: o} for f, o in zip(QUICK_INDEX_SORT["field"], QUICK_INDEX_SORT["order"], strict=True)] == list(
        NAME_SORT
    )
    assert quick_index_body()["settings"]["index"]["sort"] == QUICK_INDEX_SORT
    assert all(field_mapping(QUICK_PROPERTIES, f)["type"] in ("keyword", "long") for f in QUICK_INDEX_SORT["field"])


def test_each_body_is_a_fresh_copy():
    body = contacts_index_body()
    body["settings"]["index"]["refresh_interval"] = "-1"
    body["mappings"]["properties"]["names"]["fields"]["wild"]["doc_values"] = False
    assert contacts_index_body()["settings"]["index"]["refresh_interval"] == "1s"
    assert CONTACT_PROPERTIES["names"]["fields"]["wild"]["doc_values"] is True


def test_no_secret_can_be_indexed():
    tokens = CONTACT_PROPERTIES["access_tokens"]["properties"]
    assert set(tokens) == {"identifier", "type", "status"}


@pytest.mark.parametrize("field", [f for f in FIELDS if f.slices], ids=lambda f: f.key)
def test_slices_are_cut_after_the_fields_own_normalizer_with_start_and_end_marks(field):
    """A slice must hold what the Python twin of the normalizer makes of a typed part, marks included."""
    for path in {field.path, field.quick_path}:
        mapping = field_mapping(properties(field), path)
        analyzer = ANALYSIS["analyzer"][mapping["fields"]["slices"]["analyzer"]]
        assert mapping["fields"]["slices"]["analyzer"] == f"{mapping['normalizer']}_slices", path
        assert analyzer["filter"][-2:] == ["slice_marks", "slices"], path
        normalizer = ANALYSIS["normalizer"][mapping["normalizer"]]
        assert analyzer.get("char_filter", []) == normalizer.get("char_filter", []), path
        assert [f for f in analyzer["filter"] if f not in ("up_to_ignore_above", "slice_marks", "slices")] == (
            normalizer.get("filter", [])
        ), path


@pytest.mark.parametrize("name", ["names", "first_name", "middle_name", "last_name", "company_name"])
def test_names_hold_the_folded_starts_and_ends_of_each_word_split_at_spaces_hyphens_and_apostrophes(name):
    """What a word-edge `like` looks up (`queries.word_edge_clause`), cut by the engine as `terms` splits words."""
    fields = CONTACT_PROPERTIES[name]["fields"]
    for subfield in ("word_starts", "word_ends"):
        analyzer = ANALYSIS["analyzer"][fields[subfield]["analyzer"]]
        assert analyzer["tokenizer"] == "name_words" and analyzer["filter"][:2] == ["lowercase", "asciifolding"]
    assert ANALYSIS["tokenizer"]["name_words"]["pattern"] == "[\\s\\-'\u2019]+"


def test_identifiers_have_no_word_edges():
    assert "word_starts" not in CONTACT_PROPERTIES["account_numbers"]["fields"]
