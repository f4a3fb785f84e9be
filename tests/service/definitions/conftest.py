"""Definition tests change what is active, so each runs on its own database (the scenario index is shared)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest

from service.app import create_app
from service.auth.service import add_user
from service.db.session import build_engine, build_sessionmaker
from service.models.enums import UserRole
from service.settings import Settings
from tests.conftest import bearer


@dataclass
class Api:
    client: httpx.AsyncClient
    settings: Settings
    admin: dict[str, str]
    agent: dict[str, str]
    agent_bu02: dict[str, str]
    admin_bu01: dict[str, str]
    admin_bu02: dict[str, str]


@pytest.fixture
async def api(make_database, database, settings, scenario):
    own = make_database(database.backend, "definitions")
    own_settings = settings.model_copy(update={"database_url": own.url, "definitions_refresh_s": 0.2})
    engine = build_engine(own_settings)
    with build_sessionmaker(engine).begin() as session:
        tokens = {
            name: add_user(session, name, role, bu)[1]
            for name, role, bu in (
                ("admin", UserRole.ADMIN, None),
                ("agent", UserRole.AGENT, None),
                ("agent-bu02", UserRole.AGENT, "BU02"),
                ("admin-bu01", UserRole.ADMIN, "BU01"),
                ("admin-bu02", UserRole.ADMIN, "BU02"),
            )
        }
    engine.dispose()
    app = create_app(own_settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://contact-lookup.test") as client:
            yield Api(
                client=client,
                settings=own_settings,
                admin=bearer(tokens["admin"]),
                agent=bearer(tokens["agent"]),
                agent_bu02=bearer(tokens["agent-bu02"]),
                admin_bu01=bearer(tokens["admin-bu01"]),
                admin_bu02=bearer(tokens["admin-bu02"]),
            )
