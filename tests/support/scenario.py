"""The read-only search scenario: a handful of contacts chosen to prove each search rule, indexed once."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.orm import Session

from service.auth.service import add_user
from service.models import (
    AccessToken,
    Address,
    ARAccount,
    Communication,
    CommunicationReference,
    Contact,
    Email,
    Phone,
    Subscription,
)
from service.models.enums import UserRole
from service.phones import to_e164


@dataclass
class Scenario:
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)


def person(first: str, last: str, *, bu: str = "BU01", country: str = "FR", **extra: object) -> Contact:
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
            )
        ],
        **extra,
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
            ar_accounts=[
                ARAccount(
                    number="AR-000100",
                    name="Marie Lefèvre",
                    balance=Decimal("125.50"),
                    currency="EUR",
                    status="active",
                    credit_hold=True,
                    is_primary=True,
                )
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
    session.add(
        Communication(
            contact_id=contacts["marie"].id,
            created_by="agent",
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


def _now():
    from datetime import UTC, datetime

    return datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
