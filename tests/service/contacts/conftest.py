"""Write tests run on their own migrated database and app per test, so the shared scenario data is never disturbed.

The write endpoints never search, so the app gets an unreachable OpenSearch URL (its lifespan only builds the
client) and these tests need no engine node. The same tests run on SQLite and, when configured, PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from service.app import create_app
from service.auth.service import add_user
from service.db.session import build_engine, build_sessionmaker
from service.models import OutboxEntry
from service.models.enums import UserRole
from service.settings import Settings
from tests.conftest import bearer

UNREACHABLE_OPENSEARCH = "http://127.0.0.1:9"
USERS = (
    ("admin", UserRole.ADMIN, None),
    ("agent", UserRole.AGENT, None),
    ("agent-bu01", UserRole.AGENT, "BU01"),
    ("other-bu01", UserRole.AGENT, "BU01"),
    ("agent-bu02", UserRole.AGENT, "BU02"),
)


@dataclass
class Api:
    client: httpx.AsyncClient
    sessions: sessionmaker[Session]
    tokens: dict[str, str]

    def as_(self, user: str) -> dict[str, str]:
        return bearer(self.tokens[user])

    def count(self, model: Any, *where: Any) -> int:
        with self.sessions() as session:
            return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    def outbox(self) -> list[tuple[str, int]]:
        with self.sessions() as session:
            rows = session.execute(select(OutboxEntry.entity, OutboxEntry.entity_id).order_by(OutboxEntry.id))
            return [(entity, entity_id) for entity, entity_id in rows]


@pytest.fixture
def api_overrides() -> dict[str, Any]:
    """Settings a test changes: `@pytest.mark.parametrize("api_overrides", [{...}])`."""
    return {}


@pytest.fixture
async def api(make_database, database, test_root, api_overrides):
    own = make_database(database.backend, "writes")
    settings = Settings(
        home=test_root / "home",
        database_url=own.url,
        opensearch_url=UNREACHABLE_OPENSEARCH,
        default_phone_region="FR",
        rate_limit_per_s=0,
        **api_overrides,
    )
    engine = build_engine(settings)
    sessions = build_sessionmaker(engine)
    with sessions.begin() as session:
        tokens = {name: add_user(session, name, role, bu)[1] for name, role, bu in USERS}
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://contact-lookup.test") as client:
                yield Api(client=client, sessions=sessions, tokens=tokens)
    finally:
        engine.dispose()


def person_payload(**overrides: Any) -> dict[str, Any]:
    """A complete BU01 person with every nested list filled."""
    payload: dict[str, Any] = {
        "kind": "person",
        "first_name": "Marie",
        "last_name": "Lefèvre",
        "business_unit": "BU01",
        "id_number": "FR-1985-0042",
        "external_id": "CRM-0042",
        "date_of_birth": "1985-03-14",
        "preferred_language": "fr",
        "addresses": [
            {"type": "billing", "street": "1 rue de la Paix", "city": "Paris", "postcode": "75002", "country": "fr"}
        ],
        "phones": [{"type": "mobile", "number": "06 12 34 56 78", "is_primary": True}],
        "emails": [{"type": "personal", "address": "marie.lefevre@example.fr"}],
        "access_tokens": [{"type": "smart_card", "identifier": "SC-0042", "secret": "4321"}],
        "ar_accounts": [
            {
                "number": "AR-0042",
                "name": "Marie Lefèvre",
                "balance": "125.50",
                "currency": "eur",
                "credit_hold": True,
                "collector": "jdupont",
            }
        ],
        "subscriptions": [
            {
                "number": "SUB-0042",
                "status": "effective",
                "billing_term_scheme": "Monthly in advance",
                "billing_frequency": "monthly",
                "start_date": "2024-01-01",
                "services": [{"code": "TV-BASIC", "name": "Basic TV", "mandatory": True}],
                "installed_items": [{"product": "Set-top box", "serial_number": "STB-889900"}],
            }
        ],
        "work_items": [{"kind": "activity", "number": "ACT-1", "subject": "Call back", "life_cycle_state": "pending"}],
    }
    payload.update(overrides)
    return payload


async def create_contact(api: Api, user: str = "admin", **overrides: Any) -> dict[str, Any]:
    response = await api.client.post("/api/contacts", json=person_payload(**overrides), headers=api.as_(user))
    assert response.status_code == 201, response.text
    return response.json()
