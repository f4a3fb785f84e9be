"""The loader reads records with Core; a document built from them must equal one built from the ORM aggregate."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from indexer import loader
from indexer.documents import communication_document, contact_document
from service.contacts import repository as contacts
from service.db.session import build_sessionmaker
from service.demo.loader import load_demo_data
from service.models import Communication, Contact


@pytest.fixture
def demo(own):
    """The scenario's contacts plus demo ones: companies, subscriptions with items, referenced communications."""
    _settings, engine = own
    load_demo_data(engine, contacts=40, seed=5, users=["agent"])
    return engine


def test_contact_records_give_the_documents_of_the_orm_aggregates(demo):
    engine = demo
    with build_sessionmaker(engine)() as session:
        ids = session.scalars(select(Contact.id).order_by(Contact.id)).all()
        aggregates = [contacts.get(session, contact_id, business_unit=None) for contact_id in ids]
        batches = list(loader.iter_contact_batches(session, batch_size=7))
        references = loader.reference_ids_by_contact(session, [c.id for c in aggregates])

        def doc(contact):
            return contact_document(contact, reference_ids=references.get(contact.id, ()), phone_region="FR")

        records = [record for batch in batches for record in batch]
        assert [len(batch) for batch in batches[:-1]] == [7] * (len(batches) - 1)
        assert len(aggregates) >= 3
        assert any(c.subscriptions and c.subscriptions[0].installed_items for c in aggregates)
        assert [doc(r) for r in records] == [doc(a) for a in aggregates]
        assert [r.version for r in records] == [a.version for a in aggregates]
        assert loader.contacts_by_id(session, [aggregates[-1].id]) == [records[-1]]


def test_communication_records_give_the_documents_of_the_orm_aggregates(demo):
    engine = demo
    with build_sessionmaker(engine)() as session:
        aggregates = session.scalars(
            select(Communication)
            .order_by(Communication.id)
            .options(
                selectinload(Communication.references),
                selectinload(Communication.contact).selectinload(Contact.ar_accounts),
            )
        ).all()
        records = [record for batch in loader.iter_communication_batches(session, batch_size=7) for record in batch]
        assert any(c.references for c in aggregates)
        assert [communication_document(r, contact=r.contact) for r in records] == [
            communication_document(a, contact=a.contact) for a in aggregates
        ]
        assert [r.version for r in records] == [a.version for a in aggregates]
        ids = [aggregates[0].id, aggregates[-1].id]
        assert loader.communications_by_id(session, ids) == [records[0], records[-1]]


def test_a_batch_holds_no_secret(demo):
    engine = demo
    with build_sessionmaker(engine)() as session:
        tokens = [t for batch in loader.iter_contact_batches(session, 100) for c in batch for t in c.access_tokens]
    assert tokens
    assert all(not hasattr(token, "secret_hash") for token in tokens)
