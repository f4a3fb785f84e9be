"""The read-only search scenario: a handful of contacts chosen to prove each search rule, indexed once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from service.auth.service import add_user
from service.models import (
    AccessToken,
    Address,
    ARAccount,
    ARItem,
    Communication,
    CommunicationReference,
    Contact,
    Email,
    Phone,
    Subscription,
)
from service.models.enums import UserRole
from service.models.work_item import WorkItem
from service.phones import to_e164


@dataclass
class Scenario:
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)


def person(
    first: str, last: str, *, bu: str = "BU01", country: str = "FR", more_addresses: tuple = (), **extra: object
) -> Contact:
    return Contact(
        kind="person",
        first_name=first,
        last_name=last,
        business_unit=bu,
        life_cycle_state="active",
        addresses=[
            Address(
                address_type="billing",
                street="1 rue de la Paix",
                city="Paris",
                postcode="75002",
                country=country,
                is_primary=True,
            ),
            *more_addresses,
        ],
        **extra,
    )


def ar_item(kind: str, number: str, amount: str, *, open_amount: str | None = None, status: str = "open") -> ARItem:
    return ARItem(
        item_type=kind,
        number=number,
        issued_on=date(2026, 10, 1),
        due_on=date(2026, 10, 31),
        amount=Decimal(amount),
        open_amount=Decimal(open_amount if open_amount is not None else amount),
        currency="EUR",
        status=status,
        disputed_amount=Decimal("0"),
    )


def phone(number: str, region: str = "FR", *, primary: bool = True) -> Phone:
    return Phone(phone_type="mobile", number=number, e164=to_e164(number, region), is_primary=primary)


def build(session: Session) -> Scenario:
    scenario = Scenario()
    for name, role, bu in (
        ("agent", UserRole.AGENT, None),
        ("admin", UserRole.ADMIN, None),
        ("agent-bu02", UserRole.AGENT, "BU02"),
    ):
        _, scenario.tokens[name] = add_user(session, name, role, bu)

    contacts = {
        "maria": person(
            "María",
            "Núñez Peña",
            country="ES",
            id_number="ES-12345678Z",
            phones=[phone("+34 612 34 56 78", "ES")],
            emails=[Email(email_type="personal", address="Maria.Nunez@Example.es", is_primary=True)],
        ),
        "marie": person(
            "Marie",
            "Lefèvre",
            phones=[phone("06 12 34 56 78")],
            more_addresses=(
                Address(
                    address_type="subscription",
                    street="12 place Bellecour",
                    city="Lyon",
                    postcode="69002",
                    country="FR",
                ),
            ),
            ar_accounts=[
                ARAccount(
                    number="AR-000100",
                    name="Marie Lefèvre",
                    balance=Decimal("125.50"),
                    currency="EUR",
                    status="active",
                    credit_hold=True,
                    is_primary=True,
                    collector="Amélie Roux",
                    # Transaction numbers find their customer (quick field `transaction_number`).
                    items=[
                        ar_item("invoice", "INV-2026-000310", "125.50"),
                        ar_item("payment", "PAY/2026/0077", "-40.00", open_amount="0", status="closed"),
                    ],
                ),
                ARAccount(
                    number="AR-000101",
                    name="Marie Lefèvre (old)",
                    balance=Decimal("-20.00"),
                    currency="EUR",
                    status="terminated",
                    credit_hold=False,
                    is_primary=False,
                ),
            ],
        ),
        "elodie": person(
            "Élodie",
            "Dvořák",
            phones=[phone("+420 601 123 456", "CZ")],
            access_tokens=[AccessToken(token_type="smart_card", identifier="SC-7788-9900", secret_hash="f" * 64)],
        ),
        "mona": person("Mona", "Schäfer", country="DE", phones=[phone("030 12345678", "DE")]),
        "gloria": person("GLORIA", "Ortega", bu="BU02", phones=[phone("0033 6 98 76 54 32")]),
        "acme": Contact(
            kind="company",
            company_name="Müller & Söhne GmbH",
            business_unit="BU01",
            life_cycle_state="active",
            subscriptions=[
                Subscription(
                    number="SUB-2024-0042",
                    status="effective",
                    billing_term_scheme="Monthly in advance",
                    billing_frequency="monthly",
                )
            ],
        ),
    }
    session.add_all(contacts.values())
    session.flush()
    session.add_all(_more_communications(contacts))
    session.add_all(
        WorkItem(contact_id=contacts["marie"].id, kind=kind, number=f"W-{i}", subject="Visit", life_cycle_state=state)
        for i, (kind, state) in enumerate(
            [
                ("job", "draft"),
                ("job", "in_progress"),
                ("job", "completed"),
                ("service_request", "temporarily_resolved"),
                ("service_request", "cancelled"),
                ("activity", "pending"),
                ("activity", "cancelled"),
            ]
        )
    )
    session.add(
        Communication(
            contact_id=contacts["marie"].id,
            created_by="agent",
            created_at=_now(),
            interaction_at=_now(),
            direction="incoming",
            channel="phone",
            topic="Disputed invoice",
            status="open",
            action="partial_dispute",
            action_amount=Decimal("40.00"),
            keywords=["dispute"],
            references=[CommunicationReference(qualifier="invoice", reference_id="INV-2025-004211")],
        )
    )
    session.flush()
    scenario.ids = {key: contact.id for key, contact in contacts.items()}
    return scenario


def _now() -> datetime:
    return datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def _more_communications(contacts: dict[str, Contact]) -> list[Communication]:
    """For the recent list and the follow-up worklist: three of the agent's, one of another unit's agent."""

    def logged(key: str, by: str, days_ago: int, **fields: object) -> Communication:
        at = _now() - timedelta(days=days_ago)
        values: dict[str, object] = {"direction": "outgoing", "channel": "phone", "topic": "Collection call"}
        values.update(fields)
        return Communication(contact_id=contacts[key].id, created_by=by, created_at=at, interaction_at=at, **values)

    return [
        logged(
            "mona",
            "agent",
            30,
            status="open",
            follow_up_on=date(2026, 1, 15),
            keywords=["promise-to-pay"],
            references=[
                CommunicationReference(qualifier="transaction", reference_id="TRX-0007"),
                CommunicationReference(qualifier="invoice", reference_id="INV-2026-0015"),
            ],
        ),
        logged("elodie", "agent", 20, status="closed", follow_up_on=date(2026, 1, 10)),
        logged(
            "maria",
            "agent",
            10,
            status="in_progress",
            follow_up_on=date(2099, 1, 1),
            action="call",
            references=[CommunicationReference(qualifier="item", reference_id="ITM-0042")],
        ),
        logged("gloria", "agent-bu02", 5, status="open", follow_up_on=date(2026, 1, 1)),
    ]
