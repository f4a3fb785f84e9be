"""Documents are built from the aggregate alone; secrets never reach them."""

from datetime import UTC, datetime
from decimal import Decimal

from indexer.documents import communication_document, contact_document
from service.models import (
    AccessToken,
    Address,
    ARAccount,
    Communication,
    CommunicationReference,
    Contact,
    Email,
    InstalledItem,
    Phone,
    Subscription,
    SubscriptionService,
)


def contact():
    return Contact(
        id=7,
        kind="person",
        first_name="Élodie",
        last_name="Dvořák",
        business_unit="BU01",
        life_cycle_state="active",
        version=3,
        addresses=[
            Address(
                id=1,
                address_type="billing",
                street="Dlouhá 5",
                city="Praha",
                postcode="110 00",
                country="CZ",
                is_primary=True,
            )
        ],
        phones=[
            Phone(number="+33 6 12 34 56 78", e164="+33612345678", phone_type="mobile", is_primary=False),
            Phone(number="601 123 456", e164="+420601123456", phone_type="mobile", is_primary=True),
        ],
        emails=[Email(address="elodie@example.cz", email_type="personal", is_primary=True)],
        access_tokens=[
            AccessToken(identifier="SC-1", token_type="smart_card", secret_hash="s3cr3t-hash", status="active")
        ],
        ar_accounts=[
            ARAccount(
                id=1,
                number="AR-1",
                name="x",
                balance=Decimal("10.50"),
                currency="CZK",
                status="active",
                credit_hold=False,
                dunning_excluded=False,
                is_primary=False,
            ),
            ARAccount(
                id=2,
                number="AR-2",
                name="x",
                balance=Decimal("-3"),
                currency="CZK",
                status="active",
                credit_hold=True,
                dunning_excluded=True,
                is_primary=True,
            ),
        ],
        subscriptions=[
            Subscription(
                id=1,
                number="SUB-1",
                status="effective",
                billing_term_scheme="Monthly",
                billing_frequency="monthly",
                services=[SubscriptionService(code="TV", name="Télévision", mandatory=True)],
                installed_items=[InstalledItem(product="Box", serial_number="SN-9")],
            )
        ],
    )


def test_contact_document_has_search_forms_and_the_summary():
    doc = contact_document(contact(), reference_ids=["INV-2", "INV-1", "INV-2"])
    assert doc["names"] == ["Élodie Dvořák", "Élodie", "Dvořák"]
    assert {"33612345678", "0612345678", "420601123456", "601123456"} <= set(doc["phone_numbers"])
    assert doc["primary_phone"] == "601 123 456"
    assert doc["main_account"] == {"number": "AR-2", "balance": -3.0, "currency": "CZK", "status": "active"}
    assert doc["credit_hold"] is True
    assert doc["reference_ids"] == ["INV-1", "INV-2"]
    assert doc["account_numbers"] == ["AR-1", "AR-2"]
    assert doc["serial_numbers"] == ["SN-9"]
    assert doc["subscriptions"][0]["services"] == ["TV", "Télévision"]


def test_secrets_never_reach_a_document():
    doc = contact_document(contact(), reference_ids=[])
    assert "s3cr3t" not in repr(doc)
    assert doc["access_tokens"] == [{"identifier": "SC-1", "type": "smart_card", "status": "active"}]


def test_communication_document_carries_its_contact_scope():
    c = contact()
    communication = Communication(
        id=5,
        contact_id=7,
        created_by="agent",
        interaction_at=datetime(2026, 1, 2, tzinfo=UTC),
        direction="incoming",
        channel="phone",
        topic="Disputed invoice",
        status="open",
        internal=False,
        action="partial_dispute",
        action_amount=Decimal("12.30"),
        keywords=["dispute"],
        references=[CommunicationReference(qualifier="invoice", reference_id="INV-1")],
    )
    doc = communication_document(communication, contact=c)
    assert doc["business_unit"] == "BU01"
    assert doc["contact_display_name"] == "Élodie Dvořák"
    assert doc["action_amount"] == 12.3
    assert doc["references"] == [{"qualifier": "invoice", "reference_id": "INV-1"}]
