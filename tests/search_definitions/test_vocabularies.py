"""A definition's vocabularies (Oracle's QuickCodes): codes with optional labels, each list free when empty."""

import pytest
from pydantic import ValidationError

from search_definitions.loader import dump_yaml, load_shipped, parse_yaml
from search_definitions.schema import Code, Definition

YAML = """
name: Collectors
quick_search_fields: [account_number, name]
topics:
  - billing
  - code: disputed_invoice
    label: Disputed invoice
customer_responses: [promised_payment]
additional_actions:
  - code: left_message
    label: Left a message
"""


def make(**overrides):
    return Definition.model_validate({"name": "t", "quick_search_fields": ["name"], **overrides})


def test_bare_codes_and_labelled_codes_survive_a_yaml_round_trip():
    definition = parse_yaml(YAML)
    assert definition.topics == (Code(code="billing"), Code(code="disputed_invoice", label="Disputed invoice"))
    assert definition.codes("customer_responses") == ("promised_payment",)
    assert definition.additional_actions[0].shown == "Left a message"
    assert parse_yaml(dump_yaml(definition)) == definition


def test_a_definition_without_lists_leaves_every_field_free():
    definition = make()
    assert (definition.topics, definition.customer_responses, definition.additional_actions) == ((), (), ())
    assert definition.codes("topics") == ()
    assert load_shipped("default").codes("topics") == ()


def test_the_collections_definition_ships_customer_responses_and_additional_actions():
    collections = load_shipped("collections")
    assert "promised_payment" in collections.codes("customer_responses")
    assert "left_message" in collections.codes("additional_actions")
    assert collections.codes("topics") == ()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"topics": ["billing", "billing"]}, "topics: 'billing' is listed twice"),
        ({"customer_responses": [{"code": "x"}, "x"]}, "customer_responses: 'x' is listed twice"),
        ({"additional_actions": ["call"]}, "additional_actions: 'call' is a built-in call action already"),
        ({"additional_actions": ["Left message"]}, "additional_actions: 'Left message' must be lower-case letters"),
        ({"topics": [{"code": "a" * 33}]}, "at most 32 characters"),
        ({"topics": [{"code": "a", "colour": "red"}]}, "colour"),
    ],
)
def test_bad_lists_are_refused_naming_the_entry(overrides, message):
    with pytest.raises(ValidationError) as caught:
        make(**overrides)
    assert message in str(caught.value)
