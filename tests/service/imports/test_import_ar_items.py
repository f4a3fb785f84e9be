"""AR items in imports: nested in a contact's JSONL accounts, and the daily feed (`--kind ar-items`, JSONL or CSV)
keyed by account number and item number, applied in bulk and queued in the outbox so the index follows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from indexer.rebuild import rebuild
from indexer.sync import OutboxSync
from service.db.session import build_sessionmaker
from service.imports.options import Kind
from service.imports.readers import UnusableFile
from service.imports.records import infer_kind
from service.models import ARItem, Contact
from tests.service.imports.conftest import person

TODAY = datetime.now(UTC).date()
HEADER = "account_number,type,number,issued_on,due_on,amount,open_amount,currency,status,disputed_amount"


def invoice(number: str, **overrides: Any) -> dict[str, Any]:
    return {
        "type": "invoice",
        "number": number,
        "issued_on": "2026-10-01",
        "due_on": "2026-10-31",
        "amount": "120.00",
        "open_amount": "120.00",
        "currency": "EUR",
        **overrides,
    }


def with_items(external_id: str, *items: dict[str, Any], unit: str = "BU01") -> dict[str, Any]:
    accounts = [{"number": f"AR-{external_id}", "name": "Marie Lefèvre", "currency": "EUR", "items": list(items)}]
    return person(external_id, business_unit=unit, ar_accounts=accounts)


def items(target) -> dict[tuple[str, str], ARItem]:
    with build_sessionmaker(target.engine)() as session:
        return {(i.business_unit, i.number): i for i in session.scalars(select(ARItem))}


def versions(target) -> dict[str, int]:
    with build_sessionmaker(target.engine)() as session:
        return {c.external_id: c.version for c in session.scalars(select(Contact))}


def test_contact_lines_carry_their_accounts_items_in_bulk_and_line_by_line(target):
    report = target.run(target.file("contacts.jsonl", with_items("CRM-1", invoice("INV-1")), with_items("CRM-2")))
    assert (report.created, report.rejected) == (2, 0)
    assert items(target)[("BU01", "INV-1")].open_amount == Decimal("120.00")
    again = target.run(target.file("contacts.jsonl", with_items("CRM-1", invoice("INV-1")), with_items("CRM-2")))
    assert (again.unchanged, again.updated) == (2, 0), "the same items are no change"
    paid = target.run(target.file("v2.jsonl", with_items("CRM-1", invoice("INV-1", open_amount="0", status="closed"))))
    assert paid.updated == 1
    assert items(target)[("BU01", "INV-1")].status == "closed"


def test_a_contact_line_with_an_item_number_the_unit_holds_is_rejected_naming_it(target):
    target.run(target.file("first.jsonl", with_items("CRM-1", invoice("INV-1"))))
    report = target.run(target.file("second.jsonl", with_items("CRM-2", invoice("INV-1"))))
    assert report.rejected == 1
    assert "'INV-1'" in target.rejected[1] and "AR-CRM-1" in target.rejected[1]


def test_a_feed_is_recognised_by_its_columns():
    assert infer_kind(HEADER.split(",")) is Kind.AR_ITEMS
    assert infer_kind(["external_id", "account_number", "kind"]) is Kind.CONTACTS


def test_the_feed_updates_open_amounts_and_statuses_and_adds_new_items(target):
    target.run(
        target.file("contacts.jsonl", with_items("CRM-1", invoice("INV-1"), invoice("INV-2")), with_items("CRM-2"))
    )
    before = versions(target)
    feed = target.file(
        "items.csv",
        HEADER,
        "AR-CRM-1,invoice,INV-1,2026-10-01,2026-10-31,120.00,0,EUR,closed,0",
        "AR-CRM-1,invoice,INV-2,2026-10-01,2026-10-31,120.00,120.00,EUR,in_dispute,40",
        "AR-CRM-2,credit_memo,CM-9,2026-11-02,,-15.00,-15.00,EUR,open,0",
    )
    report = target.run(feed, kind=Kind.AR_ITEMS, business_unit="BU01")
    assert (report.kind, report.created, report.updated, report.unchanged, report.rejected) == ("ar-items", 1, 2, 0, 0)
    stored = items(target)
    assert (stored[("BU01", "INV-1")].open_amount, stored[("BU01", "INV-1")].status) == (Decimal("0.00"), "closed")
    assert stored[("BU01", "INV-2")].disputed_amount == Decimal("40.00")
    assert stored[("BU01", "CM-9")].due_on is None and stored[("BU01", "CM-9")].item_type == "credit_memo"
    after = versions(target)
    assert after == {"CRM-1": before["CRM-1"] + 1, "CRM-2": before["CRM-2"] + 1}, "one version per contact"
    again = target.run(feed, kind=Kind.AR_ITEMS, business_unit="BU01")
    assert (again.unchanged, again.updated, again.created) == (3, 0, 0)
    assert versions(target) == after, "a re-run changes nothing"


def test_the_feed_rejects_an_unknown_account_another_accounts_item_and_a_repeated_item(target):
    target.run(target.file("contacts.jsonl", with_items("CRM-1", invoice("INV-1")), with_items("CRM-2")))
    target.run(target.file("bu02.jsonl", with_items("CRM-3", unit="BU02")))
    feed = target.file(
        "items.jsonl",
        {"account_number": "AR-NONE", **invoice("INV-7")},
        {"account_number": "AR-CRM-2", **invoice("INV-1")},
        {"account_number": "AR-CRM-1", **invoice("INV-8")},
        {"account_number": "AR-CRM-1", **invoice("INV-8", open_amount="1")},
        {"account_number": "AR-CRM-3", **invoice("INV-9")},
        {"account_number": "AR-CRM-1", **invoice("INV-10", status="paid")},
    )
    report = target.run(feed, kind=Kind.AR_ITEMS, business_unit="BU01")
    assert (report.created, report.rejected) == (1, 5)
    assert "no account 'AR-NONE' in business unit BU01" in target.rejected[1]
    assert "belongs to account 'AR-CRM-1', not 'AR-CRM-2'" in target.rejected[2]
    assert "already on line 3" in target.rejected[4]
    assert "no account 'AR-CRM-3' in business unit BU01" in target.rejected[5], "another unit's account is none"
    assert target.rejected[6].startswith("status:")


def test_a_feed_line_names_its_unit_or_the_import_does(target):
    target.run(target.file("contacts.jsonl", with_items("CRM-1")))
    report = target.run(target.file("items.jsonl", {"account_number": "AR-CRM-1", **invoice("INV-1")}))
    assert report.rejected == 1 and "business_unit: required" in target.rejected[1]
    line = {"account_number": "AR-CRM-1", "business_unit": "BU01", **invoice("INV-1")}
    assert target.run(target.file("items2.jsonl", line)).created == 1


def test_a_feed_csv_with_an_unknown_column_is_refused_whole(target):
    with pytest.raises(UnusableFile, match="unknown column balance"):
        target.run(
            target.file("items.csv", HEADER + ",balance", "AR-1,invoice,I,,,1,1,EUR,open,0,1"), kind=Kind.AR_ITEMS
        )


def test_an_item_paid_today_is_closed_in_the_index_after_a_sync(target, os_client):
    settings = target.settings
    due = (TODAY - timedelta(days=40)).isoformat()
    target.run(target.file("contacts.jsonl", with_items("CRM-1", invoice("INV-1", due_on=due, open_amount="80.00"))))
    rebuild(settings=settings, engine=target.engine, client=os_client)
    sync = OutboxSync(settings=settings, engine=target.engine, client=os_client)
    sync.drain()

    def account() -> dict[str, Any]:
        os_client.indices.refresh(index=settings.contacts_alias)
        query = {"term": {"transaction_numbers": "inv1"}}
        [hit] = os_client.search(index=settings.contacts_alias, body={"query": query})["hits"]["hits"]
        return hit["_source"]["ar_accounts"][0]

    assert account()["oldest_due_on"] == due
    assert account()["past_due"][-1]["amount"] == 80.0
    paid = f"AR-CRM-1,invoice,INV-1,2026-10-01,{due},120.00,0,EUR,closed,0"
    target.run(target.file("items.csv", HEADER, paid), kind=Kind.AR_ITEMS, business_unit="BU01")
    assert sync.drain().claimed == 1
    closed = account()
    assert closed["oldest_due_on"] is None, "nothing owed any more: no days past due"
    assert [step["amount"] for step in closed["past_due"]] == [0.0]
