"""PURE: the two index bodies (settings, analysis, strict mappings) as data.

String paths are normalised keywords for `=`, with a `.wild` sub-field of the `wildcard` type for `like`:
it indexes 1- to 3-character substrings and verifies candidates, so `%ari%` and `%ria` never expand over
the whole terms dictionary (https://docs.opensearch.org/2.19/field-types/supported-field-types/wildcard/).
The wildcard field applies its normalizer to query patterns too, so folding is the same on both sides.
It does not match inside nested objects (2.19), so nested values searched by `like` get root-level copies.
"""

from __future__ import annotations

from typing import Any

REFRESH_INTERVAL = "1s"

ANALYSIS: dict[str, Any] = {
    "char_filter": {
        "strip_separators": {"type": "pattern_replace", "pattern": "[\\s\\-./_]+", "replacement": ""},
        "digits_only": {"type": "pattern_replace", "pattern": "[^0-9]+", "replacement": ""},
    },
    "normalizer": {
        "folded": {"type": "custom", "filter": ["lowercase", "asciifolding", "trim"]},
        "ident": {"type": "custom", "char_filter": ["strip_separators"], "filter": ["lowercase", "asciifolding"]},
        "digits": {"type": "custom", "char_filter": ["digits_only"]},
    },
    "analyzer": {
        "folded_text": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase", "asciifolding"]},
    },
}


def _normalised(normalizer: str, *, text: bool = False) -> dict[str, Any]:
    fields: dict[str, Any] = {"wild": {"type": "wildcard", "normalizer": normalizer, "ignore_above": 512}}
    if text:
        fields["text"] = {"type": "text", "analyzer": "folded_text"}
    return {"type": "keyword", "normalizer": normalizer, "ignore_above": 512, "fields": fields}


TEXT = _normalised("folded", text=True)
FOLDED = _normalised("folded")
IDENT = _normalised("ident")
PHONE = _normalised("digits")
KEYWORD: dict[str, Any] = {"type": "keyword"}
STORED: dict[str, Any] = {"type": "keyword", "index": False, "doc_values": False}
LONG: dict[str, Any] = {"type": "long"}
DOUBLE: dict[str, Any] = {"type": "double"}
BOOLEAN: dict[str, Any] = {"type": "boolean"}
DATE: dict[str, Any] = {"type": "date"}


def _nested(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "nested", "properties": properties}


CONTACT_PROPERTIES: dict[str, Any] = {
    "contact_id": LONG,
    "external_id": KEYWORD,
    "kind": KEYWORD,
    "business_unit": FOLDED,
    "life_cycle_state": KEYWORD,
    "category": FOLDED,
    "display_name": TEXT,
    "display_name_sort": {"type": "keyword", "normalizer": "folded"},
    "names": TEXT,
    "first_name": TEXT,
    "middle_name": TEXT,
    "last_name": TEXT,
    "company_name": TEXT,
    "id_number": IDENT,
    "phone_numbers": PHONE,
    "email_addresses": FOLDED,
    "addresses": _nested(
        {
            "address_id": LONG,
            "type": KEYWORD,
            "street": TEXT,
            "line2": STORED,
            "city": TEXT,
            "postcode": IDENT,
            "region": TEXT,
            "country": FOLDED,
            "is_primary": BOOLEAN,
        }
    ),
    "access_tokens": _nested({"identifier": IDENT, "type": KEYWORD, "status": KEYWORD}),
    "ar_accounts": _nested(
        {
            "account_id": LONG,
            "number": IDENT,
            "name": TEXT,
            "balance": DOUBLE,
            "currency": KEYWORD,
            "status": KEYWORD,
            "credit_hold": BOOLEAN,
            "dunning_excluded": BOOLEAN,
            "collector": FOLDED,
        }
    ),
    "subscriptions": _nested(
        {
            "subscription_id": LONG,
            "number": IDENT,
            "status": KEYWORD,
            "billing_term_scheme": KEYWORD,
            "billing_frequency": KEYWORD,
            "services": TEXT,
            "serial_numbers": IDENT,
        }
    ),
    "reference_ids": IDENT,
    "account_numbers": IDENT,
    "subscription_numbers": IDENT,
    "access_token_ids": IDENT,
    "serial_numbers": IDENT,
    "postcodes": IDENT,
    "primary_phone": STORED,
    "primary_email": STORED,
    "main_account": {
        "properties": {"number": STORED, "balance": DOUBLE, "currency": STORED, "status": STORED},
    },
    "credit_hold": BOOLEAN,
    "updated_at": DATE,
}

COMMUNICATION_PROPERTIES: dict[str, Any] = {
    "communication_id": LONG,
    "contact_id": LONG,
    "contact_display_name": TEXT,
    "business_unit": FOLDED,
    "created_by": KEYWORD,
    "created_at": DATE,
    "interaction_at": DATE,
    "follow_up_on": DATE,
    "direction": KEYWORD,
    "channel": KEYWORD,
    "status": KEYWORD,
    "action": KEYWORD,
    "action_amount": DOUBLE,
    "customer_response": KEYWORD,
    "internal": BOOLEAN,
    "topic": TEXT,
    "keywords": FOLDED,
    "references": _nested({"qualifier": FOLDED, "reference_id": IDENT}),
    "notes": {"type": "text", "analyzer": "folded_text"},
    "contact_person": {"type": "text", "analyzer": "folded_text"},
    "contact_phone": STORED,
    "updated_at": DATE,
}


def _body(properties: dict[str, Any], *, shards: int) -> dict[str, Any]:
    return {
        "settings": {
            "index": {
                "number_of_shards": shards,
                "number_of_replicas": 0,
                "refresh_interval": REFRESH_INTERVAL,
            },
            "analysis": ANALYSIS,
        },
        "mappings": {"dynamic": "strict", "properties": properties},
    }


def contacts_index_body(*, shards: int = 1) -> dict[str, Any]:
    return _body(CONTACT_PROPERTIES, shards=shards)


def communications_index_body(*, shards: int = 1) -> dict[str, Any]:
    return _body(COMMUNICATION_PROPERTIES, shards=shards)


def field_mapping(properties: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The mapping of a dotted path, walking nested and object properties (for the catalogue check)."""
    head, _, rest = path.partition(".")
    node = properties.get(head)
    if node is None or not rest:
        return node
    return field_mapping(node.get("properties", {}), rest)
