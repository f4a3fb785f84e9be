"""The documents and index actions of the database's rows, made one way for every writer and reader of the index.

The rebuild's load, the sync worker's passes, the settling of a version conflict and `index verify` all build a
row's document (and take its external version) here, so what one of them writes is what the others expect.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from indexer import bulk, loader
from indexer.documents import (
    communication_document,
    communication_version,
    contact_document,
    contact_version,
    quick_document,
)
from indexer.records import CommunicationRecord, ContactRecord
from service.progress import Advance
from service.settings import Settings

Document = dict[str, Any]


def whole_contact(contact: ContactRecord, references: Mapping[int, Sequence[str]], settings: Settings) -> Document:
    """The contacts index's document; the quick index's is cut from it (`quick_document`)."""
    return contact_document(
        contact, reference_ids=references.get(contact.id, ()), phone_region=settings.default_phone_region
    )


def communication(record: CommunicationRecord) -> Document:
    return communication_document(record, contact=record.contact)


def contact_action(index: str, contact: ContactRecord, document: Document) -> dict[str, Any]:
    return bulk.index_action(index, contact.id, contact_version(contact), document)


def communication_action(index: str, record: CommunicationRecord, document: Document) -> dict[str, Any]:
    return bulk.index_action(index, record.id, communication_version(record), document)


def contacts_with_documents(
    session: Session, settings: Settings, advance: Advance | None = None
) -> Iterator[tuple[ContactRecord, Document]]:
    """Every contact in id order with its whole document, in keyset batches."""
    for batch in loader.iter_contact_batches(session, settings.load_batch_size):
        references = loader.reference_ids_by_contact(session, [c.id for c in batch])
        for contact in batch:
            yield contact, whole_contact(contact, references, settings)
        if advance is not None:
            advance(len(batch))


def communications_with_documents(
    session: Session, settings: Settings, advance: Advance | None = None
) -> Iterator[tuple[CommunicationRecord, Document]]:
    for batch in loader.iter_communication_batches(session, settings.load_batch_size):
        for record in batch:
            yield record, communication(record)
        if advance is not None:
            advance(len(batch))


def contact_actions(session: Session, index: str, settings: Settings, advance: Advance) -> Iterator[dict[str, Any]]:
    for contact, document in contacts_with_documents(session, settings, advance):
        yield contact_action(index, contact, document)


def quick_actions(session: Session, index: str, settings: Settings, advance: Advance) -> Iterator[dict[str, Any]]:
    """The contacts' actions, each document cut to what the quick index holds (`documents.quick_document`)."""
    for contact, document in contacts_with_documents(session, settings, advance):
        yield contact_action(index, contact, quick_document(document))


def communication_actions(
    session: Session, index: str, settings: Settings, advance: Advance
) -> Iterator[dict[str, Any]]:
    for record, document in communications_with_documents(session, settings, advance):
        yield communication_action(index, record, document)
