"""The catalogue and the mappings agree: every searchable field exists in its index with a usable type."""

import pytest

from indexer.mappings import COMMUNICATION_PROPERTIES, CONTACT_PROPERTIES, field_mapping
from search_definitions.catalogue import FIELDS, FieldType, Index

STRING_TYPES = {FieldType.TEXT, FieldType.KEYWORD, FieldType.IDENTIFIER, FieldType.PHONE, FieldType.EMAIL}
EXPECTED_NORMALIZER = {
    FieldType.TEXT: "folded",
    FieldType.EMAIL: "folded",
    FieldType.IDENTIFIER: "ident",
    FieldType.PHONE: "digits",
}


def properties(field):
    return CONTACT_PROPERTIES if field.index is Index.CONTACTS else COMMUNICATION_PROPERTIES


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.key)
def test_every_catalogue_field_is_mapped_with_a_compatible_type(field):
    mapping = field_mapping(properties(field), field.path)
    assert mapping is not None, f"{field.key}: {field.path} is not mapped"
    if field.nested:
        assert properties(field)[field.nested]["type"] == "nested"
    if field.type in STRING_TYPES:
        assert mapping["type"] == "keyword"
        if field.type in EXPECTED_NORMALIZER:
            assert mapping["normalizer"] == EXPECTED_NORMALIZER[field.type]
        quick = field_mapping(properties(field), field.quick_path)
        assert quick["fields"]["wild"]["type"] == "wildcard"
        assert quick.get("normalizer") == mapping.get("normalizer")
    elif field.type is FieldType.AMOUNT:
        assert mapping["type"] == "double"
    elif field.type is FieldType.DATE:
        assert mapping["type"] == "date"
    elif field.type is FieldType.BOOLEAN:
        assert mapping["type"] == "boolean"
    else:
        assert mapping["type"] == "keyword"


def test_quick_fields_never_need_a_nested_wildcard():
    for field in FIELDS:
        if field.quick:
            assert "." not in field.quick_path, f"{field.key} would run a wildcard inside a nested object"


def test_no_secret_can_be_indexed():
    tokens = CONTACT_PROPERTIES["access_tokens"]["properties"]
    assert not any("secret" in name for name in tokens)
