"""Importing communications: linked to their contact by its external id, authored by the agent named in the line."""

from datetime import UTC, datetime
from decimal import Decimal

from tests.service.imports.conftest import call, person


def test_communications_are_linked_to_their_contact_by_its_external_id(target):
    target.run(target.file("contacts.jsonl", person("CRM-1"), person("CRM-2", first_name="Jean")))
    path = target.file(
        "communications.jsonl",
        call("CALL-1", "CRM-1"),
        call("CALL-2", "CRM-2", action="partial_dispute", action_amount="125.50", created_by="jan.novak"),
    )
    report = target.run(path)
    assert (report.kind, report.created, report.rejected) == ("communications", 2, 0)
    stored = target.communications()
    first, second = stored["CALL-1"], stored["CALL-2"]
    assert first.contact.external_id == "CRM-1" and second.contact.external_id == "CRM-2"
    assert (first.created_by, second.created_by) == ("amelie.roux", "jan.novak")
    assert first.interaction_at == datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
    assert [(r.qualifier, r.reference_id) for r in first.references] == [("invoice", "INV-2025-004211")]
    assert second.action_amount == Decimal("125.50")


def test_an_unknown_contact_external_id_is_rejected_with_a_clear_reason(target):
    target.run(target.file("contacts.jsonl", person("CRM-1")))
    path = target.file(
        "communications.jsonl",
        call("CALL-1", "CRM-404"),
        call("CALL-2", "CRM-1"),
        call("CALL-3", "CRM-1", contact_id=7, action="partial_dispute"),
    )
    report = target.run(path)
    assert (report.created, report.rejected) == (1, 2)
    assert target.rejected == {
        1: "contact_external_id: no contact has the external_id 'CRM-404'",
        3: "contact_id: an import names the contact by contact_external_id, not by database id",
    }
    assert sorted(target.communications()) == ["CALL-2"]


def test_a_rule_of_the_write_api_is_reported_at_its_line(target):
    target.run(target.file("contacts.jsonl", person("CRM-1")))
    target.run(target.file("communications.jsonl", call("CALL-1", "CRM-1", action="partial_dispute")))
    assert target.rejected == {1: "action_amount: required when action is partial_dispute"}


def test_re_importing_communications_updates_changed_lines_and_keeps_the_others(target):
    target.run(target.file("contacts.jsonl", person("CRM-1"), person("CRM-2")))
    lines = [call("CALL-1", "CRM-1"), call("CALL-2", "CRM-1", interaction_at=None)]
    first = target.run(target.file("v1.jsonl", *lines))
    versions = {key: (c.id, c.version, c.interaction_at) for key, c in target.communications().items()}
    again = target.run(target.file("v1.jsonl", *lines))
    assert (first.created, again.created, again.updated, again.unchanged) == (2, 0, 0, 2)
    assert {key: (c.id, c.version, c.interaction_at) for key, c in target.communications().items()} == versions

    changed = target.run(
        target.file(
            "v2.jsonl",
            call("CALL-1", "CRM-1", status="closed", keywords=[], references=[], created_by="jan.novak"),
            call("CALL-2", "CRM-2"),
        )
    )
    assert (changed.updated, changed.rejected) == (1, 1)
    assert target.rejected[2] == (
        "contact_external_id: communication 'CALL-2' belongs to the contact 'CRM-1'; "
        "a communication does not move to another contact (delete it there first)"
    )
    updated = target.communications()["CALL-1"]
    assert (updated.status, updated.keywords, updated.references) == ("closed", [], [])
    assert (updated.created_by, updated.version) == ("jan.novak", 2)


def test_csv_communications_split_keywords_and_references(target):
    target.run(target.file("contacts.jsonl", person("CRM-1")))
    path = target.file(
        "communications.csv",
        "external_id,contact_external_id,created_by,interaction_at,direction,channel,internal,topic,"
        "keywords,references,notes",
        "CALL-1,CRM-1,amelie.roux,2025-03-14 09:30,incoming,phone,yes,Disputed invoice,dispute|invoice,"
        'invoice:INV-2025-004211|item:IT-7,"Asked for a copy, by letter"',
        "CALL-2,CRM-1,amelie.roux,,outgoing,fax,no,Call back,,,",
        "CALL-3,CRM-1,amelie.roux,,outgoing,phone,no,Call back,,INV-1,",
    )
    report = target.run(path)
    assert (report.format, report.kind, report.created, report.rejected) == ("csv", "communications", 1, 2)
    assert target.rejected == {
        3: "channel: Input should be 'phone', 'email', 'portal' or 'letter'",
        4: "references: 'INV-1' is not qualifier:reference_id (e.g. invoice:INV-2025-004211)",
    }
    stored = target.communications()["CALL-1"]
    assert stored.internal is True and stored.keywords == ["dispute", "invoice"]
    assert [(r.qualifier, r.reference_id) for r in stored.references] == [
        ("invoice", "INV-2025-004211"),
        ("item", "IT-7"),
    ]
    assert stored.notes == "Asked for a copy, by letter"
    assert stored.interaction_at == datetime(2025, 3, 14, 9, 30, tzinfo=UTC)


def test_a_communication_finds_its_contact_in_the_imports_business_unit(target):
    """External ids are unique within a unit: the import's unit says whose CRM-1 it is; without one, an id two
    units hold is refused rather than guessed."""
    target.run(target.file("contacts.jsonl", person("CRM-1"), person("CRM-1", business_unit="BU02", first_name="Jan")))
    report = target.run(target.file("bu02.jsonl", call("CALL-1", "CRM-1")), business_unit="BU02")
    assert (report.created, report.rejected) == (1, 0)
    assert target.communications()["CALL-1"].contact.business_unit == "BU02"
    report = target.run(target.file("bu03.jsonl", call("CALL-3", "CRM-1")), business_unit="BU03")
    assert target.rejected == {1: "contact_external_id: no contact of business unit BU03 has the external_id 'CRM-1'"}
    target.run(target.file("any.jsonl", call("CALL-2", "CRM-1")))
    assert target.rejected == {
        1: "contact_external_id: 'CRM-1' names a contact in each of business units BU01, BU02; "
        "import with --business-unit to say which"
    }
