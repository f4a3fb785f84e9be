"""Import tests write, so each gets a migrated database of its own (and an index prefix, when it indexes)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import selectinload

from service.db.session import build_engine, build_sessionmaker
from service.imports.importer import ImportReport, Rejection, import_file
from service.models import Communication, Contact, OutboxEntry
from service.settings import Settings

_counter = itertools.count()


@dataclass
class Target:
    settings: Settings
    engine: Engine
    folder: Path
    rejections: list[Rejection] = field(default_factory=list)

    def file(self, name: str, *lines: Any) -> Path:
        """Lines given as dicts are written as JSON, strings as they are."""
        path = self.folder / name
        text = "".join((line if isinstance(line, str) else orjson.dumps(line).decode()) + "\n" for line in lines)
        path.write_text(text, encoding="utf-8")
        return path

    def run(self, path: Path, **options: Any) -> ImportReport:
        self.rejections = []
        return import_file(
            path, settings=self.settings, engine=self.engine, on_reject=self.rejections.append, **options
        )

    @property
    def rejected(self) -> dict[int, str]:
        return {r.line: r.reason for r in self.rejections}

    def contacts(self) -> dict[str, Contact]:
        with build_sessionmaker(self.engine)() as session:
            statement = select(Contact).options(
                selectinload(Contact.phones),
                selectinload(Contact.emails),
                selectinload(Contact.addresses),
                selectinload(Contact.ar_accounts),
                selectinload(Contact.access_tokens),
            )
            return {c.external_id: c for c in session.scalars(statement)}

    def contacts_by_unit(self) -> dict[tuple[str, str | None], Contact]:
        """Keyed as imports key contacts: (business unit, external id)."""
        with build_sessionmaker(self.engine)() as session:
            statement = select(Contact).options(selectinload(Contact.ar_accounts), selectinload(Contact.access_tokens))
            return {(c.business_unit, c.external_id): c for c in session.scalars(statement)}

    def communications(self) -> dict[str, Communication]:
        with build_sessionmaker(self.engine)() as session:
            statement = select(Communication).options(
                selectinload(Communication.references), selectinload(Communication.contact)
            )
            return {c.external_id: c for c in session.scalars(statement)}

    def outbox(self) -> int:
        with build_sessionmaker(self.engine)() as session:
            return session.scalar(select(func.count()).select_from(OutboxEntry)) or 0


@pytest.fixture
def target(make_database, database, settings, tmp_path, run_prefix):
    db = make_database(database.backend, "imports")
    own = settings.model_copy(update={"database_url": db.url, "index_prefix": f"{run_prefix}-im{next(_counter)}"})
    engine = build_engine(own)
    yield Target(settings=own, engine=engine, folder=tmp_path)
    engine.dispose()


def person(external_id: str, **overrides: Any) -> dict[str, Any]:
    """A contact line with the nested lists an export of a CRM carries."""
    line: dict[str, Any] = {
        "kind": "person",
        "external_id": external_id,
        "first_name": "Marie",
        "last_name": "Lefèvre",
        "business_unit": "BU01",
        "addresses": [{"type": "billing", "street": "1 rue de la Paix", "city": "Paris", "country": "FR"}],
        "phones": [{"type": "mobile", "number": "06 12 34 56 78", "is_primary": True}],
        "emails": [{"type": "personal", "address": f"{external_id.lower()}@example.fr"}],
        "access_tokens": [{"type": "pin", "identifier": f"PIN-{external_id}", "secret": "4321"}],
        "ar_accounts": [{"number": f"AR-{external_id}", "name": "Marie Lefèvre", "currency": "EUR"}],
    }
    line.update(overrides)
    return line


def call(external_id: str, contact_external_id: str, **overrides: Any) -> dict[str, Any]:
    line: dict[str, Any] = {
        "external_id": external_id,
        "contact_external_id": contact_external_id,
        "created_by": "amelie.roux",
        "interaction_at": "2025-03-14T09:30:00Z",
        "direction": "incoming",
        "channel": "phone",
        "topic": "Disputed invoice",
        "keywords": ["dispute"],
        "references": [{"qualifier": "invoice", "reference_id": "INV-2025-004211"}],
    }
    line.update(overrides)
    return line
