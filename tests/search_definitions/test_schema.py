"""Definition validation against the catalogue; each error names the offending entry."""

import pytest
from pydantic import ValidationError

from search_definitions.loader import load_shipped, shipped_names
from search_definitions.schema import Definition


def make(**overrides):
    data = {"name": "t", "quick_search_fields": ["name", "phone"]}
    data.update(overrides)
    return Definition.model_validate(data)


def test_default_definition_lists_the_quick_fields_in_the_agreed_order():
    assert load_shipped("default").quick_search_fields == (
        "any",
        "name",
        "phone",
        "email",
        "account_number",
        "subscription_number",
        "id_number",
        "access_token_id",
        "reference_number",
        "transaction_number",
    )


def test_every_shipped_definition_is_valid():
    assert {"default", "collections"} <= set(shipped_names())
    for name in shipped_names():
        load_shipped(name)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"quick_search_fields": ["bogus"]}, "quick_search_fields: unknown field 'bogus'"),
        ({"quick_search_fields": ["city"]}, "'city' cannot be a quick-search field"),
        ({"quick_search_fields": ["name", "name"]}, "'name' is listed twice"),
        ({"quick_search_fields": []}, "quick_search_fields"),
        ({"quick_search_fields": ["any"]}, "'any' searches the definition's other quick fields; list some"),
        ({"advanced_search_fields": {"contact": ["any"]}}, "advanced_search_fields.contact: 'any' cannot be an"),
        (
            {"advanced_search_fields": {"contact": ["city"]}},
            "advanced_search_fields.contact: 'city' belongs to section",
        ),
        ({"advanced_search_fields": {"address": ["nowhere"]}}, "advanced_search_fields.address: unknown field"),
        ({"recent_communications_limit": 0}, "recent_communications_limit"),
        ({"actions": ["fly"]}, "actions"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_invalid_definition_names_the_offending_entry(overrides, message):
    with pytest.raises(ValidationError, match=message):
        make(**overrides)


def test_recent_limit_may_be_none_meaning_all():
    assert make(recent_communications_limit=None).recent_communications_limit is None


def test_a_definition_names_its_business_units_as_contacts_spell_them():
    assert make(business_units=[" bu01 ", "FR_02"]).business_units == ("BU01", "FR_02")
    with pytest.raises(ValidationError, match=r"business_units\.0"):
        make(business_units=["BU 01"])


def test_a_definition_that_leaves_the_recent_limit_out_retrieves_all_communications():
    assert make().recent_communications_limit is None


def test_the_preselected_operator_is_exact_match_unless_the_definition_says_like():
    assert make().default_operator == "="
    assert make(default_operator="like").default_operator == "like"
    with pytest.raises(ValidationError, match="default_operator"):
        make(default_operator="%")


def test_a_version_stored_before_the_operator_existed_keeps_its_values():
    """What the store wrote until now: the whole model, the limit included, without `default_operator`."""
    stored = load_shipped("default").model_dump(mode="json") | {"recent_communications_limit": 20}
    del stored["default_operator"]
    definition = Definition.model_validate(stored)
    assert (definition.recent_communications_limit, definition.default_operator) == (20, "=")
    unlimited = Definition.model_validate(stored | {"recent_communications_limit": None})
    assert unlimited.recent_communications_limit is None


def test_the_shipped_definitions_keep_their_recent_limits_and_preselect_exact_match():
    assert load_shipped("default").recent_communications_limit == 20
    assert load_shipped("collections").recent_communications_limit == 50
    assert {load_shipped(name).default_operator for name in shipped_names()} == {"="}


def test_any_is_a_quick_field_a_definition_may_list_anywhere_or_leave_out():
    assert make(quick_search_fields=["phone", "any", "name"]).quick_search_fields[1] == "any"
    assert "any" not in make().quick_search_fields
