"""Callers and look-alikes of two business units, in a database and indices of their own (the shared scenario
has no number held by several contacts), indexed through the real rebuild."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from service.models import Communication, Contact, Email
from service.models.enums import UserRole
from tests.support.scenario import person, phone
from tests.support.world import World, own_world, populate

USERS = (
    ("admin", UserRole.ADMIN, None),
    ("agent", UserRole.AGENT, None),
    ("agent-bu01", UserRole.AGENT, "BU01"),
    ("agent-bu02", UserRole.AGENT, "BU02"),
)


def email(address: str) -> Email:
    return Email(email_type="personal", address=address, is_primary=True)


def contacts() -> dict[str, Contact]:
    """Marie (BU01) and Gloria (BU02) share a mobile; three BU01 contacts share a landline, in three states."""
    return {
        "marie": person(
            "Marie", "Lefèvre", phones=[phone("06 12 34 56 78")], emails=[email("marie.lefevre@example.fr")]
        ),
        "gloria": person(
            "Gloria", "Ortega", bu="BU02", phones=[phone("+33 6 12 34 56 78")], emails=[email("gloria@example.es")]
        ),
        "bakery": Contact(
            kind="company",
            company_name="Boulangerie Dupont",
            business_unit="BU01",
            life_cycle_state="active",
            phones=[phone("+33 1 42 68 53 00")],
        ),
        "jean": person("Jean", "Dupont", phones=[phone("01 42 68 53 00")]),
        "paul": person("Paul", "Dupont", phones=[phone("0033 1 42 68 53 00")]),
        "hugo": person("Hugo", "Martin", bu="BU02", phones=[phone("07 11 22 33 44")]),
    }


def build(session: Session) -> tuple[dict[str, str], dict[str, int]]:
    made = contacts()
    made["jean"].life_cycle_state = "closed"
    made["paul"].life_cycle_state = "prospect"
    tokens, ids = populate(session, USERS, made)
    at = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    session.add(
        Communication(
            contact_id=made["marie"].id,
            created_by="agent",
            created_at=at,
            interaction_at=at,
            direction="incoming",
            channel="phone",
            topic="Moving house",
            status="open",
        )
    )
    session.flush()
    return tokens, ids


@pytest.fixture(scope="module")
async def world(make_database, database, settings, os_client) -> AsyncIterator[World]:
    fixtures = {"make_database": make_database, "database": database, "settings": settings, "os_client": os_client}
    async with own_world(World, "callers", fill=build, **fixtures) as built:
        yield built
