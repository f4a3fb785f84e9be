"""A deleted id never corrupts the index: ids are not handed out again, a row that does take an id back is
newer than anything written for it, and `index verify` compares content, not versions alone (issue 20, item 1).

Each test runs on SQLite and, when configured, PostgreSQL, in both orders: the delete and the re-creation
drained by one sync pass, and by two.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest
from opensearchpy import OpenSearch
from sqlalchemy import Engine, select, text

from indexer import bulk
from indexer.documents import contact_document, digested, quick_document
from indexer.loader import contacts_by_id
from indexer.sync import MAX_ATTEMPTS, OutboxSync
from indexer.verify import verify
from service.app import create_app
from service.db.session import build_engine, build_sessionmaker
from service.models import Communication, CommunicationReference, Contact, IndexTombstone, OutboxEntry
from service.settings import Settings
from tests.conftest import bearer
from tests.indexer.conftest import build
from tests.support import scenario

_counter = itertools.count()


@dataclass
class Served:
    client: httpx.AsyncClient
    settings: Settings
    engine: Engine
    os_client: OpenSearch
    tokens: dict[str, str]

    def drain(self) -> None:
        report = OutboxSync(settings=self.settings, engine=self.engine, client=self.os_client).drain()
        assert report.parked == 0 and report.retried == 0, report

    async def post(self, path: str, body: dict) -> dict:
        response = await self.client.post(path, json=body, headers=bearer(self.tokens["admin"]))
        assert response.status_code == 201, response.text
        return response.json()

    async def delete(self, path: str) -> None:
        response = await self.client.delete(path, headers=bearer(self.tokens["admin"]))
        assert response.status_code == 204, response.text

    async def quick_names(self, name: str) -> list[str]:
        body = {"field": "name", "operator": "=", "value": name}
        response = await self.client.post("/api/search/quick", json=body, headers=bearer(self.tokens["agent"]))
        assert response.status_code == 200, response.text
        return [item["display_name"] for item in response.json()["items"]]

    async def communications_with(self, reference_id: str) -> list[str]:
        body = {"criteria": {"reference_id": reference_id}}
        response = await self.client.post("/api/communications/search", json=body, headers=bearer(self.tokens["agent"]))
        assert response.status_code == 200, response.text
        return [item["topic"] for item in response.json()["items"]]


@pytest.fixture
async def served(make_database, database, settings, os_client, run_prefix) -> AsyncIterator[Served]:
    """The real app over ASGI on a database and indices of its own, built; the test drains the outbox itself."""
    db = make_database(database.backend, "reuse")
    prefix = f"{run_prefix}-reuse{next(_counter)}"
    own = settings.model_copy(update={"database_url": db.url, "index_prefix": prefix})
    engine = build_engine(own)
    with build_sessionmaker(engine).begin() as session:
        tokens = scenario.build(session).tokens
    build(own, engine, os_client)
    app = create_app(own)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://contact-lookup.test") as client:
                yield Served(client, own, engine, os_client, tokens)
    finally:
        engine.dispose()
        os_client.indices.delete(index=f"{prefix}-*", params={"expand_wildcards": "all"})


def person(first_name: str, last_name: str) -> dict:
    return {"kind": "person", "first_name": first_name, "last_name": last_name, "business_unit": "BU01"}


def assert_mirrored(served: Served) -> None:
    results = verify(settings=served.settings, engine=served.engine, client=served.os_client)
    assert all(d.clean for d in results.values()), {a: d.lines(a) for a, d in results.items()}


@pytest.mark.parametrize("passes", ["one pass", "two passes"])
async def test_a_contact_created_after_a_delete_is_found_and_the_deleted_one_is_not(served, passes):
    dupli = await served.post("/api/contacts", person("Dupli", "Cate"))
    served.drain()
    assert await served.quick_names("Dupli Cate") == ["Dupli Cate"]
    await served.delete(f"/api/contacts/{dupli['id']}")
    if passes == "two passes":
        served.drain()
    brandnew = await served.post("/api/contacts", person("Brandnew", "Customer"))
    served.drain()

    assert brandnew["id"] != dupli["id"]
    assert await served.quick_names("Brandnew Customer") == ["Brandnew Customer"]
    assert await served.quick_names("Dupli Cate") == []
    assert_mirrored(served)


@pytest.mark.parametrize("passes", ["one pass", "two passes"])
async def test_a_communication_logged_again_after_a_delete_is_found_and_the_deleted_one_is_not(served, passes):
    owner = await served.post("/api/contacts", person("Log", "Owner"))

    def call(topic: str, reference_id: str) -> dict:
        references = [{"qualifier": "invoice", "reference_id": reference_id}]
        return {"contact_id": owner["id"], "direction": "incoming", "channel": "phone", "topic": topic} | {
            "references": references
        }

    first = await served.post("/api/communications", call("Wrong amount", "INV-OLD-1"))
    served.drain()
    assert await served.communications_with("INV-OLD-1") == ["Wrong amount"]
    await served.delete(f"/api/communications/{first['id']}")
    if passes == "two passes":
        served.drain()
    again = await served.post("/api/communications", call("Right amount", "INV-NEW-1"))
    served.drain()

    assert again["id"] != first["id"]
    assert await served.communications_with("INV-NEW-1") == ["Right amount"]
    assert await served.communications_with("INV-OLD-1") == []
    assert_mirrored(served)


@pytest.mark.parametrize("passes", ["one pass", "two passes"])
async def test_a_row_given_a_deleted_id_again_starts_above_its_last_version(served, passes):
    """An id that does come back (here chosen explicitly, as a restore or a file from before ids were
    AUTOINCREMENT would) is written with a version the index takes for newer than the deleted document's."""
    dupli = await served.post("/api/contacts", person("Dupli", "Cate"))
    for _ in range(2):  # a few versions, so the deleted document is not at version 1
        response = await served.client.patch(
            f"/api/contacts/{dupli['id']}", json={"category": f"c{_}"}, headers=bearer(served.tokens["admin"])
        )
        assert response.status_code == 200, response.text
    served.drain()
    await served.delete(f"/api/contacts/{dupli['id']}")
    if passes == "two passes":
        served.drain()
    sessions = build_sessionmaker(served.engine)
    with sessions.begin() as session:
        session.add(
            Contact(
                id=dupli["id"],
                kind="person",
                first_name="Brandnew",
                last_name="Customer",
                business_unit="BU01",
                life_cycle_state="active",
            )
        )
    served.drain()

    with sessions() as session:
        reborn = session.get(Contact, dupli["id"])
        assert reborn.version == 3 + 1 + 1, "above the delete's version (3 + 1), not 1"
    assert await served.quick_names("Brandnew Customer") == ["Brandnew Customer"]
    assert await served.quick_names("Dupli Cate") == []
    assert_mirrored(served)


@pytest.mark.parametrize("passes", ["one pass", "two passes"])
async def test_a_communication_given_a_deleted_contacts_communication_id_again_is_newer(served, passes):
    """A deleted contact's communications go by the database's cascade; their ids are buried all the same."""
    owner = await served.post("/api/contacts", person("Gone", "Owner"))
    logged = await served.post(
        "/api/communications",
        {"contact_id": owner["id"], "direction": "incoming", "channel": "phone", "topic": "Old topic"},
    )
    served.drain()
    await served.delete(f"/api/contacts/{owner['id']}")
    if passes == "two passes":
        served.drain()
    other = await served.post("/api/contacts", person("New", "Owner"))
    sessions = build_sessionmaker(served.engine)
    with sessions.begin() as session:
        session.add(
            Communication(
                id=logged["id"],
                contact_id=other["id"],
                created_by="admin",
                interaction_at=datetime.now(UTC),
                direction="outgoing",
                channel="email",
                topic="New topic",
                status="open",
                references=[CommunicationReference(qualifier="invoice", reference_id="INV-REBORN")],
            )
        )
    served.drain()
    with sessions() as session:
        assert session.get(Communication, logged["id"]).version > logged["version"] + 1
    assert await served.communications_with("INV-REBORN") == ["New topic"]
    assert_mirrored(served)


def test_a_version_conflict_with_other_content_is_retried_and_parked_not_acknowledged(own, os_client):
    """The index holds another content at a newer version than the row's (a reused id, a foreign writer): the
    sync must not count the refused write as done."""
    settings, engine = own
    build(settings, engine, os_client)
    sync = OutboxSync(settings=settings, engine=engine, client=os_client)
    sync.drain()
    sessions = build_sessionmaker(engine)
    with sessions() as session:
        mona_id = session.scalar(select(Contact.id).where(Contact.first_name == "Mona"))
        (mona,) = contacts_by_id(session, [mona_id])
    ghost = contact_document(mona, reference_ids=[], phone_region="FR") | {"display_name": "Ghost Writer"}
    written = bulk.write(
        os_client, [bulk.index_action(settings.contacts_alias, mona_id, 99, digested(ghost))], settings=settings
    )
    assert written.ok and written.written == 1
    with sessions.begin() as session:
        session.get(Contact, mona_id).category = "vip"

    first = sync.drain_once()
    assert first.retried == 1 and first.parked == 0
    with sessions.begin() as session:
        (entry,) = session.scalars(select(OutboxEntry).where(OutboxEntry.entity == "contact")).all()
        assert entry.entity_id == mona_id and "409 version conflict" in entry.last_error
        assert "the index diverged" in entry.last_error
        entry.attempts, entry.available_at = MAX_ATTEMPTS - 1, datetime(2000, 1, 1, tzinfo=UTC)
    assert sync.drain_once().parked == 1
    contacts = verify(settings=settings, engine=engine, client=os_client)[settings.contacts_alias]
    assert [i for i, _iv, _dv in contacts.stale] == [mona_id]


def test_a_conflict_where_the_index_already_holds_the_current_content_is_a_success(own, os_client):
    settings, engine = own
    build(settings, engine, os_client)
    sessions = build_sessionmaker(engine)
    with sessions.begin() as session:
        session.scalar(select(Contact).where(Contact.first_name == "Mona")).category = "vip"
    sync = OutboxSync(settings=settings, engine=engine, client=os_client)
    sync.drain()
    with sessions.begin() as session:
        mona_id = session.scalar(select(Contact.id).where(Contact.first_name == "Mona"))
        session.add(OutboxEntry(entity="contact", entity_id=mona_id))  # delivered twice
    again = sync.drain_once()
    assert (again.claimed, again.written, again.retried, again.parked) == (1, 2, 0, 0)


def test_verify_finds_a_document_edited_by_hand_in_the_engine(own, os_client):
    settings, engine = own
    build(settings, engine, os_client)
    with build_sessionmaker(engine)() as session:
        mona_id = session.scalar(select(Contact.id).where(Contact.first_name == "Mona"))
        marie_id = session.scalar(select(Contact.id).where(Contact.first_name == "Marie"))
    for alias, doc_id in ((settings.contacts_alias, mona_id), (settings.quick_alias, marie_id)):
        held = os_client.get(index=alias, id=str(doc_id))
        edited = held["_source"] | {"display_name": "Hand Edited"}  # digest left as it was
        os_client.index(
            index=alias,
            id=str(doc_id),
            body=edited,
            params={"version": str(held["_version"]), "version_type": "external_gte", "refresh": "true"},
        )

    results = verify(settings=settings, engine=engine, client=os_client)
    assert results[settings.contacts_alias].differs == [(mona_id, "edited in the index")]
    assert results[settings.quick_alias].differs == [(marie_id, "edited in the index")]
    assert results[settings.communications_alias].clean
    lines = results[settings.contacts_alias].lines("contacts")
    assert lines[-1] == f"  content differs from the database (1): {mona_id} (edited in the index)"


def test_verify_finds_a_document_whose_content_diverged_at_the_same_version(own, os_client):
    """What a reused id left behind: the deleted row's document at the version the new row has."""
    settings, engine = own
    build(settings, engine, os_client)
    with build_sessionmaker(engine)() as session:
        mona_id = session.scalar(select(Contact.id).where(Contact.first_name == "Mona"))
        marie_id = session.scalar(select(Contact.id).where(Contact.first_name == "Marie"))
        (marie_record,) = contacts_by_id(session, [marie_id])
        (mona_record,) = contacts_by_id(session, [mona_id])
        communication = session.scalar(select(Communication).where(Communication.contact_id == mona_id))
        communication_id, communication_version = communication.id, communication.version
    impostor = contact_document(marie_record, reference_ids=[], phone_region="FR") | {"contact_id": mona_id}
    impostor = digested(impostor)
    actions = [
        bulk.index_action(alias, mona_id, mona_record.version, doc)
        for alias, doc in ((settings.contacts_alias, impostor), (settings.quick_alias, quick_document(impostor)))
    ]
    held = os_client.get(index=settings.communications_alias, id=str(communication_id))["_source"]
    actions.append(
        bulk.index_action(
            settings.communications_alias,
            communication_id,
            communication_version,
            digested(held | {"topic": "Another topic"}),
        )
    )
    for action in actions:  # at the version the database has: `external_gte` takes an equal one
        params = {"version": str(action["version"]), "version_type": "external_gte", "refresh": "true"}
        os_client.index(index=action["_index"], id=action["_id"], body=action["_source"], params=params)

    results = verify(settings=settings, engine=engine, client=os_client)
    for alias, doc_id in (
        (settings.contacts_alias, mona_id),
        (settings.quick_alias, mona_id),
        (settings.communications_alias, communication_id),
    ):
        assert results[alias].differs == [(doc_id, "written from other content")], results[alias].lines(alias)
        assert not (results[alias].stale or results[alias].missing or results[alias].extra)


def test_the_upgrade_makes_existing_sqlite_tables_autoincrement_keeping_their_rows(tmp_path):
    """A file from before 0008: every document table rebuilt as AUTOINCREMENT with its rows, indexes and
    foreign keys, each sequence past its highest id and past ids waiting in the outbox (a newest row deleted,
    its delete not yet in the index), and that delete's version kept as a tombstone."""
    from sqlalchemy import inspect

    from service.db.migrate import upgrade

    engine = build_engine(Settings(database_url=f"sqlite:///{tmp_path / 'before.db'}"))
    upgrade(engine, "0007")
    stamp = "'2026-01-01 00:00:00'"
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO contacts (id, kind, first_name, last_name, business_unit, life_cycle_state, version, "
                f"created_at, updated_at) VALUES (1, 'person', 'Ann', 'Old', 'BU01', 'active', 1, {stamp}, {stamp}), "
                f"(2, 'person', 'Bob', 'Old', 'BU01', 'active', 4, {stamp}, {stamp})"
            )
        )
        connection.execute(
            text("INSERT INTO phones (id, contact_id, phone_type, number, is_primary) VALUES (7, 2, 'mobile', '1', 1)")
        )
        connection.execute(
            text(
                "INSERT INTO outbox (entity, entity_id, deleted_version, created_at, attempts, available_at, parked) "
                f"VALUES ('contact', 3, 6, {stamp}, 0, {stamp}, 0)"
            )
        )
    inspector = inspect(engine)
    tables = [t for t in inspector.get_table_names() if t not in ("alembic_version", "sqlite_sequence")]

    def shape(name: str) -> tuple:
        found = inspect(engine)
        return (
            [(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(name)],
            sorted(found.get_indexes(name), key=str),
            sorted(found.get_foreign_keys(name), key=str),
            found.get_unique_constraints(name),
        )

    before = {name: shape(name) for name in tables}
    upgrade(engine, "0008")  # the shapes compared are 0008's; later revisions change some tables on purpose

    with engine.connect() as connection:
        schema = dict(connection.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")).all())
        for name in ("contacts", "communications", "phones", "subscriptions", "communication_references"):
            assert "AUTOINCREMENT" in schema[name], name
        assert connection.execute(text("SELECT id, first_name, version FROM contacts ORDER BY id")).all() == [
            (1, "Ann", 1),
            (2, "Bob", 4),
        ]
        assert connection.execute(text("SELECT id, contact_id FROM phones")).all() == [(7, 2)]
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert {name: shape(name) for name in tables} == before
    upgrade(engine)
    with build_sessionmaker(engine).begin() as session:
        assert session.scalars(select(IndexTombstone.version)).all() == [6]
        new = Contact(kind="person", first_name="Cy", business_unit="BU01", life_cycle_state="active")
        session.add(new)
        session.flush()
        assert new.id == 4, "past the deleted contact 3 whose delete was still waiting"
        session.delete(session.get(Contact, 2))
        session.flush()
        again = Contact(kind="person", first_name="Di", business_unit="BU01", life_cycle_state="active")
        session.add(again)
        session.flush()
        assert again.id == 5
    engine.dispose()


def test_the_upgrade_makes_an_existing_sqlite_outbox_autoincrement_keeping_its_entries(tmp_path):
    """A file from before 0016: the outbox rebuilt as AUTOINCREMENT with its pending entries and its index, so an
    entry acknowledged (deleted) never lends its id to a newer change's entry (two workers acknowledge by id)."""
    from sqlalchemy import inspect

    from service.db.migrate import upgrade

    engine = build_engine(Settings(database_url=f"sqlite:///{tmp_path / 'before.db'}"))
    upgrade(engine, "0015")
    stamp = "'2026-01-01 00:00:00'"
    with engine.begin() as connection:
        for entity_id in (11, 12, 13):
            connection.execute(
                text(
                    "INSERT INTO outbox (entity, entity_id, created_at, attempts, available_at, parked) "
                    f"VALUES ('contact', {entity_id}, {stamp}, 0, {stamp}, 0)"
                )
            )
        connection.execute(text("DELETE FROM outbox WHERE id = 3"))
    upgrade(engine)
    with engine.connect() as connection:
        schema = connection.execute(text("SELECT sql FROM sqlite_master WHERE name = 'outbox'")).scalar()
        assert "AUTOINCREMENT" in schema
        assert connection.execute(text("SELECT id, entity_id FROM outbox ORDER BY id")).all() == [(1, 11), (2, 12)]
    assert "ix_outbox_pending" in {index["name"] for index in inspect(engine).get_indexes("outbox")}
    sessions = build_sessionmaker(engine)
    ids = []
    for entity_id in (14, 15):
        with sessions.begin() as session:
            session.execute(text("DELETE FROM outbox"))
            entry = OutboxEntry(entity="contact", entity_id=entity_id)
            session.add(entry)
            session.flush()
            ids.append(entry.id)
    assert ids == [3, 4], "an emptied outbox hands out no id again (without AUTOINCREMENT: 1, then 1)"
    engine.dispose()
