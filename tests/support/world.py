"""A test module's own world: a database and indices of its own, filled by the module, indexed through the real
rebuild and served by the app in-process. For the rules the shared scenario cannot prove (a number held in two
units, more than a page of one prefix, a phone of each country), without touching the scenario's counts.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from opensearchpy import OpenSearch
from sqlalchemy.orm import Session

from service.app import create_app
from service.auth.service import add_user
from service.db.session import build_engine, build_sessionmaker
from service.models import Contact
from service.models.enums import UserRole
from service.settings import Settings
from tests.conftest import bearer

User = tuple[str, UserRole, str | None]


@dataclass
class World:
    client: httpx.AsyncClient
    tokens: dict[str, str]
    ids: dict[str, int]

    def as_(self, user: str) -> dict[str, str]:
        return bearer(self.tokens[user])


W = TypeVar("W", bound=World)


def populate(
    session: Session, users: Iterable[User], contacts: Mapping[str, Contact]
) -> tuple[dict[str, str], dict[str, int]]:
    """The users' tokens by name and the contacts' ids by key."""
    tokens = {name: add_user(session, name, role, bu)[1] for name, role, bu in users}
    session.add_all(contacts.values())
    session.flush()
    return tokens, {key: contact.id for key, contact in contacts.items()}


@contextlib.asynccontextmanager
async def own_world(
    kind: type[W],
    label: str,
    *,
    make_database: Callable[[str, str], Any],
    database: Any,
    settings: Settings,
    os_client: OpenSearch,
    fill: Callable[[Session], tuple[dict[str, str], dict[str, int]]],
    **overrides: Any,
) -> AsyncIterator[W]:
    """`fill` adds the rows and answers (tokens, ids); `overrides` change the module's settings (a phone region)."""
    from indexer.rebuild import rebuild

    own = make_database(database.backend, label)
    own_settings = settings.model_copy(
        update={"database_url": own.url, "index_prefix": f"{settings.index_prefix}-{label}", **overrides}
    )
    engine = build_engine(own_settings)
    with build_sessionmaker(engine).begin() as session:
        tokens, ids = fill(session)
    rebuild(settings=own_settings, engine=engine, client=os_client)
    engine.dispose()
    app = create_app(own_settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://contact-lookup.test") as client:
            yield kind(client=client, tokens=tokens, ids=ids)
