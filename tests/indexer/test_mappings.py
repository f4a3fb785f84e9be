"""The catalogue and the mappings agree: every searchable field exists in its index with a usable type."""

import pytest

from indexer.mappings import (
    ANALYSIS,
    COMMUNICATION_PROPERTIES,
    CONTACT_PROPERTIES,
    communications_index_body,
    contacts_index_body,
    field_mapping,
)
from search_definitions.catalogue import FIELDS, STRING_TYPES, FieldType, Index

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
BODIES = {"contacts": contacts_index_body, "communications": communications_index_body}


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
    else:
        assert mapping["type"] in TYPES[field.type], field.key


@pytest.mark.parametrize("name", BODIES)
def test_bodies_are_strict_unreplicated_and_refresh_explicitly(name):
    body = BODIES[name](shards=3)
    assert body["mappings"]["dynamic"] == "strict"
    assert body["settings"]["index"] == {"number_of_shards": 3, "number_of_replicas": 0, "refresh_interval": "1s"}
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


def test_each_body_is_a_fresh_copy():
    body = contacts_index_body()
    body["settings"]["index"]["refresh_interval"] = "-1"
    body["mappings"]["properties"]["names"]["fields"]["wild"]["doc_values"] = False
    assert contacts_index_body()["settings"]["index"]["refresh_interval"] == "1s"
    assert CONTACT_PROPERTIES["names"]["fields"]["wild"]["doc_values"] is True


def test_no_secret_can_be_indexed():
    tokens = CONTACT_PROPERTIES["access_tokens"]["properties"]
    assert set(tokens) == {"identifier", "type", "status"}
