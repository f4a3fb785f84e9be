"""PURE: the three index bodies (settings, analysis, strict mappings) as data.

Contacts are indexed twice: whole, with their addresses, accounts, subscriptions and tokens as nested objects
(advanced search, whose criteria on one of them must hold for the same one), and as their root fields alone in
the quick index, sorted by name on disk. Every quick lookup reads only root fields, and the engine refuses an
index sort on an index with nested fields: the flat copy holds one Lucene document per contact instead of six
and hands out hits already in name order, so a `like`, whose every hit scores the same, is answered in name
order without ranking; at 1,000,000 contacts a `%x%` took 2.30 ms instead of 4.87, an `=` 7.0 instead of 9.9
(same pages; bench/README).

Every searchable string is a normalised ``keyword`` (for ``=``) with a ``.wild`` sub-field of the
``wildcard`` type (for ``like``): it indexes 1- to 3-character grams and verifies candidates, so ``%ari%``
and ``%ria`` never expand over the whole terms dictionary
(https://docs.opensearch.org/2.19/field-types/supported-field-types/wildcard/). Text fields also get a
``.text`` sub-field for relevance, and every quick field a ``.slices`` sub-field: every two- to four-character
slice of the normalised value cut with a mark at its start and its end, so ``%ar%``, ``%ross%``, ``Ma%`` or
``%01`` is one term lookup with nothing to verify (a common four-letter infix verified by the wildcard field
took 100 ms at 1,000,000 contacts, a two-letter one 46 ms at 100,000).
Observed on 2.19 (and proven by tests/indexer/test_rebuild.py):

- the normalizer of a ``keyword`` or ``wildcard`` field is applied to the indexed value *and* to the value
  of ``term``, ``prefix`` and ``wildcard`` queries (to the literal parts of a pattern; ``*`` and ``?`` keep
  their meaning), so ``*ÉLO*`` finds "Élodie" and ``*R-0001*`` finds "AR 000100";
- a ``wildcard`` field without doc values verifies candidates from ``_source``, which nested documents do
  not have, so inside a ``nested`` object it silently matches nothing; ``doc_values: true`` fixes that.
"""

from __future__ import annotations

import copy
from typing import Any

from search_definitions.catalogue import (
    COMMUNICATION_ID,
    CONTACT_ID,
    CREATED_AT,
    CREATED_BY,
    GRAM_LENGTH,
    LIKE_MIN_PART,
    MAPPING_VERSION,
    NAME_ORDER,
    QUICK_SOURCE,
    SLICE_END,
    SLICE_LENGTHS,
    SLICE_START,
    Subfield,
)
from service.text import expansions

REFRESH_INTERVAL = "1s"
IGNORE_ABOVE = 256
# Every document's content digest (`documents.digest`): kept in `_source`, never indexed, for `index verify`
# and for telling a version conflict that is a success from one that is not (`bulk.settle`).
DIGEST_FIELD = "content_digest"

ANALYSIS: dict[str, Any] = {
    "char_filter": {
        # Mirrors service.text.fold_identifier: "AR-000100", "ar 000100" and "AR.000100" are one identifier.
        "strip_separators": {"type": "pattern_replace", "pattern": "[\\s\\-./_]+", "replacement": ""},
        "digits_only": {"type": "pattern_replace", "pattern": "[^0-9]+", "replacement": ""},
        # The seeds' letters that fold into two, folded before the grams are cut: folded after, `Straße` would
        # hold the four-letter gram `rass` where `strasse` typed has `ras` and `ass`.
        "fold_expansions": {
            "type": "mapping",
            "mappings": [f"{letter} => {folded}" for letter, folded in expansions()],
        },
    },
    "tokenizer": {
        "grams": {"type": "ngram", "min_gram": GRAM_LENGTH, "max_gram": GRAM_LENGTH},
        # A name's words for a word-edge `like` (`terms.WORD_SEPARATORS`): "Anne-Marie", "O'Brien" are two each.
        "name_words": {"type": "pattern", "pattern": "[\\s\\-'\u2019]+"},
    },
    "filter": {
        # `ignore_above` for an analysed field: a value the `.wild` twin leaves out is left out here as well.
        "up_to_ignore_above": {"type": "length", "max": IGNORE_ABOVE},
        # The marks a starts-with or ends-with looks up (`catalogue.SLICE_START`), set after the normalizer's own
        # filters so `trim` cannot take them off and no char filter (separators, non-digits) can drop them.
        "slice_marks": {
            "type": "pattern_replace",
            "pattern": "(?s)^(.*)$",
            "replacement": f"{SLICE_START}$1{SLICE_END}",
        },
        "slices": {"type": "ngram", "min_gram": SLICE_LENGTHS[0], "max_gram": SLICE_LENGTHS[-1]},
        # Every start of a word from the shortest `like` part on; a word is never longer than a value.
        "word_starts": {"type": "edge_ngram", "min_gram": LIKE_MIN_PART, "max_gram": IGNORE_ABOVE},
    },
    "normalizer": {
        "folded": {"type": "custom", "filter": ["lowercase", "asciifolding", "trim"]},
        "ident": {"type": "custom", "char_filter": ["strip_separators"], "filter": ["lowercase", "asciifolding"]},
        "digits": {"type": "custom", "char_filter": ["digits_only"]},
    },
    "analyzer": {
        "folded_text": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase", "asciifolding"]},
        # The `folded` normalizer, then the slices: grams of the folded value, so `Straße` holds `ass`.
        "folded_slices": {
            "type": "custom",
            "tokenizer": "keyword",
            "filter": ["up_to_ignore_above", "lowercase", "asciifolding", "trim", "slice_marks", "slices"],
        },
        # The same for the `ident` and `digits` normalizers: identifiers and phones.
        "ident_slices": {
            "type": "custom",
            "char_filter": ["strip_separators"],
            "tokenizer": "keyword",
            "filter": ["up_to_ignore_above", "lowercase", "asciifolding", "slice_marks", "slices"],
        },
        "digits_slices": {
            "type": "custom",
            "char_filter": ["digits_only"],
            "tokenizer": "keyword",
            "filter": ["up_to_ignore_above", "slice_marks", "slices"],
        },
        # Every start and every end of every folded word of a name: `Mar%` and `%ez` on any word are one term.
        "folded_word_starts": {
            "type": "custom",
            "tokenizer": "name_words",
            "filter": ["lowercase", "asciifolding", "word_starts"],
        },
        "folded_word_ends": {
            "type": "custom",
            "tokenizer": "name_words",
            "filter": ["lowercase", "asciifolding", "reverse", "word_starts", "reverse"],
        },
        # Every three-letter gram of the folded value at its position, so a longer infix is a phrase of grams.
        # No length bound: a name past `ignore_above`, which `.wild` leaves out, is still found by a phrase.
        "folded_grams": {
            "type": "custom",
            "char_filter": ["fold_expansions"],
            "tokenizer": "grams",
            "filter": ["lowercase", "asciifolding"],
        },
    },
}


def _normalised(
    normalizer: str, *, text: bool = False, slices: bool = False, grams: bool = False, words: bool = False
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        Subfield.WILD.value: {
            "type": "wildcard",
            "normalizer": normalizer,
            "doc_values": True,
            "ignore_above": IGNORE_ABOVE,
        }
    }
    if text:
        fields[Subfield.TEXT.value] = {"type": "text", "analyzer": "folded_text"}
    if slices:
        # Only membership matters: no frequencies, positions or norms.
        fields[Subfield.SLICES.value] = {
            "type": "text",
            "analyzer": f"{normalizer}_slices",
            "index_options": "docs",
            "norms": False,
        }
    if grams:
        fields[Subfield.GRAMS.value] = GRAMS
    if words:
        for subfield in (Subfield.WORD_STARTS, Subfield.WORD_ENDS):
            fields[subfield.value] = {
                "type": "text",
                "analyzer": f"folded_{subfield.value}",
                "index_options": "docs",
                "norms": False,
            }
    return {"type": "keyword", "normalizer": normalizer, "ignore_above": IGNORE_ABOVE, "fields": fields}


# Positions, for phrases; no frequencies or norms.
GRAMS: dict[str, Any] = {"type": "text", "analyzer": "folded_grams", "index_options": "positions", "norms": False}
TEXT = _normalised("folded", text=True)
NAMES = _normalised("folded", text=True, slices=True, grams=True, words=True)
# The parts of a name (first, last, company): typo-tolerant `=`, and `like` on the start or end of any word.
NAME_PART = _normalised("folded", text=True, words=True)
FOLDED = _normalised("folded")
IDENT = _normalised("ident")
PHONE = _normalised("digits")
# Quick fields (`catalogue.CatalogueField.slices`), and the nested values they are flat copies of.
FOLDED_SLICED = _normalised("folded", slices=True)
IDENT_SLICED = _normalised("ident", slices=True)
PHONE_SLICED = _normalised("digits", slices=True)
KEYWORD: dict[str, Any] = {"type": "keyword", "ignore_above": IGNORE_ABOVE}
SORT_KEY: dict[str, Any] = {"type": "keyword", "normalizer": "folded", "ignore_above": IGNORE_ABOVE}
STORED: dict[str, Any] = {"type": "keyword", "index": False, "doc_values": False}
FREE_TEXT: dict[str, Any] = {"type": "text", "analyzer": "folded_text"}
LONG: dict[str, Any] = {"type": "long"}
# `scaled_float` (factor 100) lives in the mapper-extras module, which the integ-test distribution the local
# node runs lacks; `double` holds two-decimal amounts exactly enough for `=` and ranges on every node.
AMOUNT: dict[str, Any] = {"type": "double"}
BOOLEAN: dict[str, Any] = {"type": "boolean"}
DATE: dict[str, Any] = {"type": "date"}
DATE_RANGE: dict[str, Any] = {"type": "date_range", "format": "strict_date"}
# Kept in `_source` for what a result shows, never searched.
SHOWN_ONLY: dict[str, Any] = {"type": "object", "enabled": False}


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
    "display_name_sort": SORT_KEY,
    "names": NAMES,
    "first_name": NAME_PART,
    "middle_name": NAME_PART,
    "last_name": NAME_PART,
    "company_name": NAME_PART,
    "id_number": IDENT_SLICED,
    "phone_numbers": PHONE_SLICED,
    "email_addresses": FOLDED_SLICED,
    "addresses": _nested(
        {
            "address_id": LONG,
            "type": KEYWORD,
            "street": TEXT,
            "line2": STORED,
            "city": TEXT,
            "postcode": IDENT_SLICED,
            "region": TEXT,
            "country": FOLDED,
            "is_primary": BOOLEAN,
        }
    ),
    "access_tokens": _nested({"identifier": IDENT_SLICED, "type": KEYWORD, "status": KEYWORD}),
    "ar_accounts": _nested(
        {
            "account_id": LONG,
            "number": IDENT_SLICED,
            "name": TEXT,
            "balance": AMOUNT,
            "currency": KEYWORD,
            "status": KEYWORD,
            "credit_hold": BOOLEAN,
            "dunning_excluded": BOOLEAN,
            "collector": FOLDED,
            "in_dispute": BOOLEAN,
            # The earliest due date still owed: `days_past_due` >= N is this date <= today - N.
            "oldest_due_on": DATE,
            # The past-due amount for each span of days (`documents._past_due`): one account's, nested in it.
            "past_due": _nested({"during": DATE_RANGE, "amount": AMOUNT}),
            # The day each unkept promise to pay is broken from: `promise_broken` is one at most today.
            "promise_broken_from": DATE,
        }
    ),
    "subscriptions": _nested(
        {
            "subscription_id": LONG,
            "number": IDENT_SLICED,
            "status": KEYWORD,
            "billing_term_scheme": KEYWORD,
            "billing_frequency": KEYWORD,
            "services": TEXT,
            "serial_numbers": IDENT_SLICED,
        }
    ),
    "reference_ids": IDENT_SLICED,
    # Root-level copies of nested identifiers: one quick-search clause, no nested query per field.
    "account_numbers": IDENT_SLICED,
    "transaction_numbers": IDENT_SLICED,
    "transactions": SHOWN_ONLY,
    "subscription_numbers": IDENT_SLICED,
    "access_token_ids": IDENT_SLICED,
    "serial_numbers": IDENT_SLICED,
    "postcodes": IDENT_SLICED,
    "phones_written": STORED,
    "primary_phone": STORED,
    "primary_email": STORED,
    "main_account": {
        "properties": {"number": STORED, "balance": AMOUNT, "currency": STORED, "status": STORED},
    },
    "credit_hold": BOOLEAN,
    "updated_at": DATE,
    DIGEST_FIELD: STORED,
}

COMMUNICATION_PROPERTIES: dict[str, Any] = {
    COMMUNICATION_ID: LONG,
    CONTACT_ID: LONG,
    "contact_display_name": TEXT,
    "business_unit": FOLDED,
    CREATED_BY: KEYWORD,
    CREATED_AT: DATE,
    "interaction_at": DATE,
    "follow_up_on": DATE,
    "direction": KEYWORD,
    "channel": KEYWORD,
    "status": KEYWORD,
    "action": KEYWORD,
    "action_amount": AMOUNT,
    "customer_response": TEXT,
    "internal": BOOLEAN,
    "topic": TEXT,
    # The collectors of the contact's accounts when the communication was last written or its contact's were.
    "collectors": FOLDED,
    "keywords": FOLDED,
    "references": _nested({"qualifier": FOLDED, "reference_id": IDENT}),
    "notes": FREE_TEXT,
    "contact_person": FREE_TEXT,
    "contact_phone": KEYWORD,
    "updated_at": DATE,
    DIGEST_FIELD: STORED,
}


def _body(properties: dict[str, Any], *, shards: int) -> dict[str, Any]:
    """A fresh copy each time, so a caller adjusting settings (the rebuild's load phase) changes only its own."""
    return copy.deepcopy(
        {
            "settings": {
                "index": {
                    "number_of_shards": shards,
                    "number_of_replicas": 0,
                    # Explicit: with the default, a shard not searched for 30 s stops refreshing on its own.
                    "refresh_interval": REFRESH_INTERVAL,
                    # The slices run from two to four characters.
                    "max_ngram_diff": SLICE_LENGTHS[-1] - SLICE_LENGTHS[0],
                },
                "analysis": ANALYSIS,
            },
            "mappings": {"dynamic": "strict", "_meta": {"mapping_version": MAPPING_VERSION}, "properties": properties},
        }
    )


# Every root field of a contact: what quick search queries, highlights and shows.
QUICK_PROPERTIES: dict[str, Any] = {
    name: mapping for name, mapping in CONTACT_PROPERTIES.items() if mapping.get("type") != "nested"
}
NESTED_CONTACT_FIELDS = frozenset(CONTACT_PROPERTIES) - frozenset(QUICK_PROPERTIES)
# The order of a page whose hits all score the same: stored in it, nothing to sort.
QUICK_INDEX_SORT: dict[str, Any] = {"field": list(NAME_ORDER), "order": ["asc"] * len(NAME_ORDER)}


def contacts_index_body(*, shards: int = 1) -> dict[str, Any]:
    return _body(CONTACT_PROPERTIES, shards=shards)


def quick_index_body(*, shards: int = 1) -> dict[str, Any]:
    """Indexes every root field, keeps in `_source` only what a quick result shows (`catalogue.QUICK_SOURCE`)."""
    body = _body(QUICK_PROPERTIES, shards=shards)
    body["settings"]["index"]["sort"] = copy.deepcopy(QUICK_INDEX_SORT)
    body["mappings"]["_source"] = {"includes": [*QUICK_SOURCE, DIGEST_FIELD]}
    return body


def communications_index_body(*, shards: int = 1) -> dict[str, Any]:
    return _body(COMMUNICATION_PROPERTIES, shards=shards)


def field_mapping(properties: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The mapping of a dotted path, walking object, nested and multi-field (``.wild``, ``.text``) levels."""
    head, _, rest = path.partition(".")
    node = properties.get(head)
    if node is None or not rest:
        return node
    children = node.get("properties") or node.get("fields") or {}
    return field_mapping(children, rest)
