"""Full rebuild: fresh versioned indices, loaded from the database, verified, then swapped in atomically.

Searches keep using the old index until the single alias update; a rebuild killed halfway leaves the old
index serving, and the next rebuild prunes what it left behind. While an index is being built it carries
a `-building` alias, so the sync worker writes live changes into it as well: changes made during the
rebuild are not lost (external versions keep whichever write is newer).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from opensearchpy import OpenSearch
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from indexer import aliases, bulk, loader, mappings
from indexer.documents import communication_document, contact_document
from service.db.session import build_sessionmaker
from service.progress import progress_bar
from service.settings import Settings


class RebuildError(RuntimeError):
    pass


@dataclass(slots=True)
class RebuildReport:
    contacts: int = 0
    communications: int = 0
    seconds: float = 0.0
    indices: dict[str, str] = field(default_factory=dict)
    pruned: list[str] = field(default_factory=list)

    @property
    def contacts_per_second(self) -> float:
        return self.contacts / self.seconds if self.seconds else 0.0


def contact_actions(session: Session, index: str, batch_size: int, advance: Callable[[int], None]) -> Iterator[dict]:
    for batch in loader.iter_contact_batches(session, batch_size):
        references = loader.reference_ids_by_contact(session, [c.id for c in batch])
        for contact in batch:
            document = contact_document(contact, reference_ids=references.get(contact.id, ()))
            yield bulk.index_action(index, contact.id, contact.version, document)
        advance(len(batch))


def communication_actions(
    session: Session, index: str, batch_size: int, advance: Callable[[int], None]
) -> Iterator[dict]:
    for batch in loader.iter_communication_batches(session, batch_size):
        for communication in batch:
            document = communication_document(communication, contact=communication.contact)
            yield bulk.index_action(index, communication.id, communication.version, document)
        advance(len(batch))


def _build(
    *,
    client: OpenSearch,
    settings: Settings,
    session: Session,
    alias: str,
    body: dict[str, Any],
    total: int,
    actions: Callable[[Session, str, int, Callable[[int], None]], Iterator[dict]],
    progress: bool,
) -> tuple[str, int]:
    index = aliases.new_index_name(alias)
    aliases.create(client, index, body, loading=True)
    aliases.mark_building(client, alias, index)
    with progress_bar(f"indexing {alias}", total, enabled=progress) as advance:
        report = bulk.write(client, actions(session, index, settings.load_batch_size, advance), settings=settings)
    if not report.ok:
        client.indices.delete(index=index)
        raise RebuildError(f"{len(report.failed)} documents failed: " + "; ".join(report.first_errors()))
    aliases.finish_loading(client, index, mappings.REFRESH_INTERVAL)
    sent = report.written + report.stale
    indexed = client.count(index=index)["count"]
    if indexed != sent:
        client.indices.delete(index=index)
        raise RebuildError(f"{index} holds {indexed} documents but {sent} were written; the alias was not moved")
    return index, indexed


def rebuild(
    *, settings: Settings, engine: Engine, client: OpenSearch, progress: bool = False, drain_outbox: bool = True
) -> RebuildReport:
    """Build, verify and swap both indices; then replay what the outbox holds, so no change made meanwhile
    waits for the next sync pass."""
    started = time.perf_counter()
    report = RebuildReport()
    sessions = build_sessionmaker(engine)
    plan = (
        (settings.contacts_alias, mappings.contacts_index_body(), loader.count_contacts, contact_actions),
        (
            settings.communications_alias,
            mappings.communications_index_body(),
            loader.count_communications,
            communication_actions,
        ),
    )
    built: dict[str, tuple[str, int]] = {}
    for alias, body, count, actions in plan:
        with sessions() as session:
            built[alias] = _build(
                client=client,
                settings=settings,
                session=session,
                alias=alias,
                body=body,
                total=count(session),
                actions=actions,
                progress=progress,
            )
    for alias, (index, _count) in built.items():
        aliases.swap(client, alias, index)
        report.pruned += aliases.prune(client, alias, keep=index)
        report.indices[alias] = index
    if drain_outbox:
        from indexer.sync import OutboxSync

        OutboxSync(settings=settings, engine=engine, client=client).drain()
    report.contacts = built[settings.contacts_alias][1]
    report.communications = built[settings.communications_alias][1]
    report.seconds = time.perf_counter() - started
    return report
