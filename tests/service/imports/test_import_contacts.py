"""Importing contacts: bad lines reported and skipped, good ones stored, external ids make re-imports safe."""

import pytest

from service.contacts.secrets import verify_secret
from service.imports.options import Kind
from tests.service.imports.conftest import person


def test_bad_lines_are_reported_with_line_and_reason_and_the_good_ones_are_stored(target):
    path = target.file(
        "contacts.jsonl",
        person("CRM-1"),
        person("CRM-2", first_name=None, last_name=None),
        "{not json",
        "",
        person("CRM-3", phones=[{"type": "mobile", "number": "12"}], nickname="Mimi"),
        person("CRM-4", kind="company", company_name="Müller & Söhne GmbH"),
        person("CRM-5", ar_accounts=[{"number": "AR-CRM-1", "name": "Taken", "currency": "EUR"}]),
        person("CRM-6", addresses=[{"type": "billing", "street": "Hauptstraße 1", "city": "Köln", "country": "XX"}]),
    )
    report = target.run(path)
    assert (report.records, report.created, report.rejected) == (7, 2, 5)
    assert target.rejected[2] == "last_name: a person needs a first_name or a last_name"
    assert target.rejected[3].startswith("not valid JSON: ")
    assert target.rejected[5] == "nickname: unknown field"
    assert target.rejected[7] == "ar_accounts[0].number: account number 'AR-CRM-1' is already used by another contact"
    assert target.rejected[8] == "addresses[0].country: not an ISO 3166-1 alpha-2 country code"
    stored = target.contacts()
    assert sorted(stored) == ["CRM-1", "CRM-4"]
    assert stored["CRM-4"].display_name == "Müller & Söhne GmbH"
    marie = stored["CRM-1"]
    assert [(p.number, p.e164) for p in marie.phones] == [("06 12 34 56 78", "+33612345678")]
    assert verify_secret("4321", marie.access_tokens[0].secret_hash)
    assert target.outbox() == 2


def test_a_phone_the_service_refuses_is_reported_at_its_line_with_strict_phones(target):
    path = target.file("contacts.jsonl", person("CRM-1", phones=[{"type": "mobile", "number": "12"}]))
    target.run(path, strict_phones=True)
    assert target.rejected == {1: "phones[0].number: '12' is no valid phone number (region FR)"}


def test_importing_the_same_file_again_duplicates_nothing_and_leaves_rows_untouched(target):
    path = target.file("contacts.jsonl", person("CRM-1"), person("CRM-2", first_name="Jean"))
    first = target.run(path)
    before = {key: (c.id, c.version, [p.id for p in c.phones]) for key, c in target.contacts().items()}
    queued = target.outbox()
    second = target.run(path)
    assert (first.created, first.unchanged) == (2, 0)
    assert (second.created, second.updated, second.unchanged, second.rejected) == (0, 0, 2, 0)
    assert {key: (c.id, c.version, [p.id for p in c.phones]) for key, c in target.contacts().items()} == before
    assert target.outbox() == queued


def test_a_changed_line_updates_the_contact_with_its_external_id(target):
    target.run(target.file("v1.jsonl", person("CRM-1")))
    contact_id = target.contacts()["CRM-1"].id
    changed = person(
        "CRM-1",
        last_name="Lefèvre-Dubois",
        phones=[{"type": "work", "number": "+49 221 1234567"}],
        access_tokens=[{"type": "pin", "identifier": "PIN-CRM-1"}],
    )
    report = target.run(target.file("v2.jsonl", changed))
    assert (report.created, report.updated) == (0, 1)
    marie = target.contacts()["CRM-1"]
    assert (marie.id, marie.version, marie.last_name) == (contact_id, 2, "Lefèvre-Dubois")
    assert [p.e164 for p in marie.phones] == ["+492211234567"]
    assert verify_secret("4321", marie.access_tokens[0].secret_hash), "a token line without secret keeps it"


def test_a_line_without_external_id_is_refused_since_a_re_import_could_not_find_it(target):
    line = person("X")
    del line["external_id"]
    target.run(target.file("contacts.jsonl", line))
    assert target.rejected == {1: "external_id: required"}


def test_csv_contacts_carry_one_primary_phone_email_address_and_account(target):
    path = target.file(
        "contacts.csv",
        "kind,external_id,first_name,last_name,company_name,business_unit,phone_type,phone_number,"
        "email_type,email_address,address_type,street,city,postcode,country,account_number,account_name,"
        "account_currency,account_balance,credit_hold",
        "person,CRM-1,Marie,Lefèvre,,BU01,mobile,06 12 34 56 78,personal,marie@example.fr,billing,"
        "1 rue de la Paix,Paris,75002,fr,AR-1,Marie Lefèvre,EUR,125.50,true",
        'company,CRM-2,,,"Müller & Söhne, GmbH",BU02,work,+49 221 1234567,,,,,,,,,,,,',
        "person,CRM-3,Jean,Martin,,BU01,,0612,,,,,,,,,,,,",
        "person,CRM-4,Ana,García,,BU01,mobile,,personal,not-an-email,,,,,,,,,,",
    )
    report = target.run(path)
    assert (report.kind, report.format, report.created, report.rejected) == ("contacts", "csv", 2, 2)
    assert target.rejected == {
        4: "phone_type: required",
        5: "phone_number: required; email_address: not an email address (expected name@domain.tld)",
    }
    stored = target.contacts()
    marie, company = stored["CRM-1"], stored["CRM-2"]
    assert [(p.phone_type, p.e164, p.is_primary) for p in marie.phones] == [("mobile", "+33612345678", True)]
    assert [(a.city, a.postcode, a.country) for a in marie.addresses] == [("Paris", "75002", "FR")]
    assert [(a.number, str(a.balance), a.credit_hold) for a in marie.ar_accounts] == [("AR-1", "125.50", True)]
    assert [e.address for e in marie.emails] == ["marie@example.fr"]
    assert company.display_name == "Müller & Söhne, GmbH" and company.business_unit == "BU02"
    assert [p.e164 for p in company.phones] == ["+492211234567"] and company.emails == []


def test_a_csv_with_a_column_no_contact_has_is_refused_before_anything_is_written(target):
    path = target.file("contacts.csv", "kind,external_id,last_name,nickname", "person,CRM-1,Martin,Mimi")
    with pytest.raises(ValueError, match="unknown column nickname; a contacts CSV has: kind, title"):
        target.run(path)
    assert target.contacts() == {}


def test_the_business_unit_option_fills_in_missing_units_and_refuses_other_units(target):
    """An external id held in BU02 is no answer to a BU01 import: the line is a new BU01 contact (external ids
    are unique within a unit), and nothing says what BU02 holds."""
    target.run(target.file("bu02.jsonl", person("CRM-9", business_unit="BU02")))
    path = target.file(
        "contacts.jsonl",
        person("CRM-1", business_unit=None),
        person("CRM-2", business_unit="BU02"),
        person("CRM-9", business_unit=None, last_name="Moved"),
    )
    report = target.run(path, business_unit="BU01")
    assert (report.created, report.rejected) == (2, 1)
    assert target.rejected == {2: "business_unit: BU02 is outside this import's business unit BU01"}
    stored = target.contacts_by_unit()
    assert stored[("BU01", "CRM-1")].business_unit == "BU01"
    assert stored[("BU01", "CRM-9")].last_name == "Moved" and stored[("BU02", "CRM-9")].last_name == "Lefèvre"


def test_contacts_are_keyed_by_business_unit_and_external_id(target):
    """The same external id, account number and token identifier in two units are two contacts; re-importing
    a unit's line updates that unit's contact only."""
    target.run(target.file("both.jsonl", person("CRM-7", business_unit="BU01"), person("CRM-7", business_unit="BU02")))
    assert (target.rejected, len(target.contacts_by_unit())) == ({}, 2)
    report = target.run(target.file("again.jsonl", person("CRM-7", business_unit="BU02", last_name="Neu")))
    assert (report.created, report.updated, report.rejected) == (0, 1, 0)
    stored = target.contacts_by_unit()
    assert (stored[("BU01", "CRM-7")].last_name, stored[("BU02", "CRM-7")].last_name) == ("Lefèvre", "Neu")
    assert [a.number for a in stored[("BU02", "CRM-7")].ar_accounts] == ["AR-CRM-7"]
    assert [t.business_unit for t in stored[("BU02", "CRM-7")].access_tokens] == ["BU02"]


def test_a_line_without_business_unit_needs_the_option(target):
    target.run(target.file("contacts.jsonl", person("CRM-1", business_unit=None)))
    assert target.rejected == {1: "business_unit: required (or import with --business-unit)"}


def test_lines_refused_by_the_database_roll_back_alone_within_a_batch(target):
    path = target.file(
        "contacts.jsonl",
        person("CRM-1"),
        person("CRM-2", access_tokens=[{"type": "card", "identifier": "PIN-CRM-1"}]),
        person("CRM-3"),
        person("CRM-1", last_name="Twice in one file"),
    )
    report = target.run(path, batch_size=10)
    assert (report.created, report.updated, report.rejected) == (2, 1, 1)
    assert "access_tokens[0].identifier" in target.rejected[2]
    stored = target.contacts()
    assert sorted(stored) == ["CRM-1", "CRM-3"] and stored["CRM-1"].last_name == "Twice in one file"


def test_the_kind_is_inferred_from_the_records_unless_given(target):
    path = target.file("contacts.jsonl", person("CRM-1"))
    report = target.run(path, kind=Kind.COMMUNICATIONS)
    assert report.kind == "communications" and report.rejected == 1
    assert "contact_external_id: required" in target.rejected[1]
    assert target.run(path).kind == "contacts"
