"""Documents are built from the aggregate alone (unsaved ORM objects here): search forms, summary, no secrets."""

import json
from datetime import UTC, datetime
from decimal import Decimal

from indexer.documents import (
    communication_document,
    communication_version,
    contact_document,
    contact_version,
    quick_document,
)
from indexer.mappings import COMMUNICATION_PROPERTIES, CONTACT_PROPERTIES, QUICK_PROPERTIES
from service.models import ARAccount, Phone
from tests.support.builders import SECRET_HASH, build_communication, build_contact, phone


def marie():
    return build_contact(
        id=7,
        first_name="Marie",
        middle_name="Anne",
        last_name="Lefèvre",
        version=3,
        updated_at=datetime(2026, 11, 2, 9, 30),
        phones=[
            phone("+33 6 12 34 56 78", primary=False),
            phone("+420 601 123 456", "CZ", primary=True),
        ],
        ar_accounts=[
            ARAccount(
                number="AR-1",
                name="x",
                balance=Decimal("10.50"),
                currency="EUR",
                status="active",
                credit_hold=False,
                dunning_excluded=False,
                is_primary=False,
            ),
            ARAccount(
                number="AR-2",
                name="x",
                balance=Decimal("-3"),
                currency="EUR",
                status="suspended",
                credit_hold=True,
                dunning_excluded=True,
                is_primary=True,
            ),
        ],
    )


def document(contact=None, **kwargs):
    return contact_document(contact or marie(), **{"reference_ids": [], "phone_region": "FR", **kwargs})


def unmapped(doc, props, prefix=""):
    """Keys a strict mapping would reject."""
    for key, value in doc.items():
        mapping = props.get(key)
        if mapping is None:
            yield prefix + key
        elif "properties" in mapping and value is not None:
            for item in value if isinstance(value, list) else [value]:
                yield from unmapped(item, mapping["properties"], f"{prefix}{key}.")


def test_names_and_every_phone_form_are_searchable():
    doc = document()
    assert doc["display_name"] == doc["display_name_sort"] == "Marie Anne Lefèvre"
    assert doc["names"] == ["Marie Anne Lefèvre", "Marie", "Lefèvre"]
    assert {"33612345678", "0612345678", "612345678", "420601123456", "601123456"} <= set(doc["phone_numbers"])
    assert len(doc["phone_numbers"]) == len(set(doc["phone_numbers"]))


def test_a_foreign_phone_is_searchable_by_its_national_form_and_its_national_significant_number():
    """What a number typed without country code looks up (`service.search.terms.national_terms`)."""
    for number, national in (("+49 30 1234567", {"0301234567", "301234567"}), ("+34 912 345 678", {"912345678"})):
        contact = build_contact(phones=[Phone(phone_type="home", number=number, e164=None, is_primary=True)])
        assert national <= set(document(contact, phone_region="FR")["phone_numbers"]), number


def test_a_phone_stored_without_its_e164_form_is_parsed_with_the_default_region():
    contact = build_contact(phones=[Phone(phone_type="mobile", number="06 12 34 56 78", e164=None, is_primary=True)])
    assert "33612345678" in document(contact, phone_region="FR")["phone_numbers"]
    assert "33612345678" not in document(contact, phone_region="US")["phone_numbers"]


def test_the_summary_shows_primary_phone_email_main_account_and_any_credit_hold():
    doc = document()
    assert doc["primary_phone"] == "+420 601 123 456"
    assert doc["primary_email"].startswith("claire.martin")
    assert doc["main_account"] == {"number": "AR-2", "balance": -3.0, "currency": "EUR", "status": "suspended"}
    assert doc["credit_hold"] is True
    assert doc["ar_accounts"][0]["balance"] == 10.5


def test_nested_identifiers_have_root_level_copies():
    doc = document(reference_ids=["INV-2", "INV-1", "INV-2"])
    assert doc["reference_ids"] == ["INV-1", "INV-2"]
    assert doc["account_numbers"] == ["AR-1", "AR-2"]
    subscription = doc["subscriptions"][0]
    assert doc["subscription_numbers"] == [subscription["number"]]
    assert doc["serial_numbers"] == subscription["serial_numbers"]
    assert subscription["services"] == ["TV-BASIC", "Télévision de base", "NET-FIBRE", "Internet fibre"]
    assert doc["access_token_ids"] == [doc["access_tokens"][0]["identifier"]]
    assert doc["postcodes"] == ["69002"]


def test_secrets_never_reach_a_document():
    doc = document()
    assert SECRET_HASH not in json.dumps(doc)
    assert set(doc["access_tokens"][0]) == {"identifier", "type", "status"}


def test_versions_are_the_rows_version_columns():
    communication = build_communication(version=4)
    assert contact_version(marie()) == 3
    assert communication_version(communication) == 4


def test_documents_are_deterministic_and_plain_json():
    contact = marie()
    first = document(contact, reference_ids=["B", "A"])
    assert first == document(contact, reference_ids=["A", "B"])
    assert json.loads(json.dumps(first)) == first


def test_naive_timestamps_are_written_as_utc():
    assert document()["updated_at"] == "2026-11-02T09:30:00+00:00"


def test_documents_fit_the_strict_mappings():
    contact = marie()
    assert list(unmapped(document(contact), CONTACT_PROPERTIES)) == []
    doc = communication_document(build_communication(contact), contact=contact)
    assert list(unmapped(doc, COMMUNICATION_PROPERTIES)) == []


def test_the_quick_document_is_the_contact_document_without_its_nested_objects():
    doc = document()
    quick = quick_document(doc)
    assert list(unmapped(quick, QUICK_PROPERTIES)) == []
    assert quick == {k: v for k, v in doc.items() if k in QUICK_PROPERTIES}
    assert {"addresses", "ar_accounts", "subscriptions", "access_tokens"}.isdisjoint(quick)
    assert quick["postcodes"] == ["69002"] and quick["account_numbers"] == doc["account_numbers"]


def test_communication_document_carries_its_contact_scope():
    contact = marie()
    communication = build_communication(
        contact,
        id=5,
        interaction_at=datetime(2026, 1, 2, 8, tzinfo=UTC),
        action_amount=Decimal("12.30"),
        keywords=["dispute", "dispute", "urgent"],
    )
    doc = communication_document(communication, contact=contact)
    assert doc["contact_id"] == 7
    assert doc["business_unit"] == "BU01"
    assert doc["contact_display_name"] == "Marie Anne Lefèvre"
    assert doc["interaction_at"] == "2026-01-02T08:00:00+00:00"
    assert doc["follow_up_on"] == "2026-11-16"
    assert doc["action_amount"] == 12.3
    assert doc["keywords"] == ["dispute", "urgent"]
    assert doc["references"][0]["qualifier"] == "invoice"
    assert doc["internal"] is False


def test_a_communication_document_carries_the_collectors_of_its_contacts_accounts_each_once():
    contact = marie()
    contact.ar_accounts[0].collector = "Amélie Roux"
    contact.ar_accounts[1].collector = "Amélie Roux"
    contact.ar_accounts.append(
        ARAccount(number="AR-3", name="x", balance=Decimal("0"), currency="EUR", status="active", collector="Bruno")
    )
    doc = communication_document(build_communication(contact, customer_response="Refused to pay"), contact=contact)
    assert doc["collectors"] == ["Amélie Roux", "Bruno"]
    assert doc["customer_response"] == "Refused to pay"
    assert communication_document(build_communication(marie()), contact=marie())["collectors"] == []
