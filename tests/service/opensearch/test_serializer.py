from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from opensearchpy.exceptions import SerializationError
from opensearchpy.serializer import JSONSerializer

from service.opensearch.serializer import OrjsonSerializer

DOCUMENT = {
    "display_name": "Dvořák Šťastná, Müller & Peña",
    "balance": Decimal("125.50"),
    "updated_at": datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=UTC),
    "follow_up_on": date(2026, 4, 1),
    "token": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "keywords": {"facture"},
    "counts": {1: 2},
    "nested": [{"credit_hold": True, "collector": None}],
}


def test_writes_what_the_standard_serializer_writes_for_a_document() -> None:
    ours = json.loads(OrjsonSerializer().dumps(DOCUMENT))
    theirs = json.loads(JSONSerializer().dumps({**DOCUMENT, "keywords": ["facture"]}))
    assert ours == theirs


def test_keeps_accented_text_unescaped_so_bulk_sizes_are_counted_on_real_bytes() -> None:
    assert "Dvořák" in OrjsonSerializer().dumps({"name": "Dvořák"})


def test_passes_a_body_that_is_already_text_or_bytes_through() -> None:
    serializer = OrjsonSerializer()
    assert serializer.dumps('{"a":1}\n') == '{"a":1}\n'
    assert serializer.dumps(b'{"a":1}\n') == b'{"a":1}\n'


def test_reads_answers_given_as_text_or_bytes() -> None:
    assert OrjsonSerializer().loads(b'{"hits":{"total":{"value":3}}}') == {"hits": {"total": {"value": 3}}}
    assert OrjsonSerializer().loads('{"name":"Peña"}') == {"name": "Peña"}


def test_an_unserializable_value_or_a_broken_answer_is_a_serialization_error() -> None:
    with pytest.raises(SerializationError):
        OrjsonSerializer().dumps({"value": object()})
    with pytest.raises(SerializationError):
        OrjsonSerializer().loads("{not json")
