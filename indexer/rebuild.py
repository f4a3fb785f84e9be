"""Full rebuild: a fresh versioned index per alias, loaded from the database, verified, then swapped in.

Searches keep using the old index until the single `_aliases` call; an index that fails (item errors,
a count that does not match the database, any exception) is deleted and the alias is left alone. A
rebuild killed outright leaves its index behind with the old one still serving; the next rebuild prunes
it. While an index is loading it carries the `-building` alias, so a sync worker can write live changes
into it as well (external versions keep whichever write is newer); before each swap and after the last
one the rebuild drains the outbox itself, so changes committed while it loaded are neither lost nor late
when no worker runs. One rebuild runs at a time
(`rebuild_lock`): of two, only the younger would get the live writes, and the older swapping last would
serve an index that missed them.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import TransportError
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from indexer import aliases, bulk, loader, mappings
from indexer.actions import communication_actions, contact_actions, quick_actions
from indexer.rebuild_lock import rebuild_lock
from indexer.sync import OutboxSync, current_digests, in_flight_dropped
from service.db.session import build_sessionmaker
from service.models.outbox import COMMUNICATION, CONTACT
from service.progress import Advance, progress_bar
from service.settings import Settings

VERIFY_ATTEMPTS = 3
VERIFY_DELAY_S = 1.0

Actions = Callable[[Session, str, Settings, Advance], Iterator[dict[str, Any]]]


class RebuildError(RuntimeError):
    pass


@dataclass(slots=True)
class RebuildReport:
    contacts: int = 0
    communications: int = 0
    seconds: float = 0.0
    indices: dict[str, str] = field(default_factory=dict)
    pruned: list[str] = field(default_factory=list)
    drained: int = 0

    @property
    def contacts_per_second(self) -> float:
        return self.contacts / self.seconds if self.seconds else 0.0


@dataclass(frozen=True, slots=True)
class _Target:
    alias: str
    body: dict[str, Any]
    count: Callable[[Session], int]
    actions: Actions
    # The outbox entries that can still change this index's count: a contact's entry deletes its communications.
    pending: tuple[str, ...]


def rebuild(
    *, settings: Settings, engine: Engine, client: OpenSearch, progress: bool = False, drain_outbox: bool = True
) -> RebuildReport:
    """Rebuild the contacts index, the quick index, then the communications index; each alias moves only once its
    index is whole. The quick index reads the contacts from the database again rather than sharing one stream with
    the contacts index: each index is then loaded, verified and swapped on its own, as before.

    `drain_outbox=False` leaves pending outbox entries to a running sync worker. A second rebuild of the same
    indices while one runs raises `RebuildRunning` before touching the engine (`rebuild_lock`).
    """
    with rebuild_lock(engine, settings.index_prefix):
        return _rebuild(settings=settings, engine=engine, client=client, progress=progress, drain_outbox=drain_outbox)


def _rebuild(
    *, settings: Settings, engine: Engine, client: OpenSearch, progress: bool, drain_outbox: bool
) -> RebuildReport:
    started = time.perf_counter()
    sessions = build_sessionmaker(engine)
    report = RebuildReport()
    targets = (
        _Target(
            settings.contacts_alias,
            mappings.contacts_index_body(shards=settings.index_shards_contacts),
            loader.count_contacts,
            contact_actions,
            (CONTACT,),
        ),
        _Target(
            settings.quick_alias,
            mappings.quick_index_body(shards=settings.index_shards_quick),
            loader.count_contacts,
            quick_actions,
            (CONTACT,),
        ),
        _Target(
            settings.communications_alias,
            mappings.communications_index_body(shards=settings.index_shards_communications),
            loader.count_communications,
            communication_actions,
            (COMMUNICATION, CONTACT),
        ),
    )
    sync = OutboxSync(settings=settings, engine=engine, client=client) if drain_outbox else None
    for target in targets:
        index, documents = _build(target, settings=settings, sessions=sessions, client=client, progress=progress)
        if sync is not None:
            # Changes committed during the load, written through the building alias before it serves: the
            # index swapped in is not behind the one it replaces, even for a moment.
            report.drained += sync.drain().claimed
        aliases.swap_alias(client, target.alias, index)
        report.pruned += aliases.prune(client, target.alias, keep=index)
        report.indices[target.alias] = index
        if target.alias == settings.contacts_alias:
            report.contacts = documents
        elif target.alias == settings.communications_alias:
            report.communications = documents
    if sync is not None:
        report.drained += sync.drain().claimed
    report.seconds = time.perf_counter() - started
    return report


def _build(
    target: _Target, *, settings: Settings, sessions: sessionmaker[Session], client: OpenSearch, progress: bool
) -> tuple[str, int]:
    """Create, load, refresh and verify a new index; on any failure it is deleted before the error propagates."""
    index = aliases.new_index_name(target.alias)
    aliases.create_index(client, index, target.body, loading=True)
    try:
        aliases.mark_building(client, target.alias, index)
        with sessions() as session:
            total = target.count(session)
            with progress_bar(f"indexing {target.alias}", total, enabled=progress) as advance:
                actions = target.actions(session, index, settings, advance)
                written = bulk.write(
                    client,
                    actions,
                    settings=settings,
                    require_alias=False,
                    max_failures=bulk.MAX_ERRORS_SHOWN,
                    pipeline=True,
                )
        if written.conflicts:
            written.resolve(_unsettled(client, settings, sessions, written.conflicts))
        if not written.ok:
            errors = "; ".join(written.first_errors())
            raise RebuildError(f"{index}: {len(written.failed)} documents failed, the alias was not moved: {errors}")
        aliases.finish_loading(client, index, mappings.REFRESH_INTERVAL, replicas=settings.index_replicas)
        try:
            aliases.wait_until_green(client, index, settings.index_green_timeout_s)
        except aliases.NotGreen as exc:
            raise RebuildError(
                f"{exc}; the alias was not moved (CONTACT_LOOKUP_INDEX_REPLICAS={settings.index_replicas}, "
                f"CONTACT_LOOKUP_INDEX_GREEN_TIMEOUT_S={settings.index_green_timeout_s:g})"
            ) from exc
        return index, _verified_count(client, index, sessions, target)
    except BaseException:
        with contextlib.suppress(TransportError):
            client.indices.delete(index=index, params={"ignore_unavailable": "true"})
        raise


def _unsettled(
    client: OpenSearch, settings: Settings, sessions: sessionmaker[Session], conflicts: set[bulk.Key]
) -> dict[bulk.Key, str]:
    """A fresh index refuses a document only where a sync worker wrote that id through the building alias; the
    conflict is a success once the index holds what the database holds now, or while a newer change of that row
    still waits in the outbox (the drain before the swap delivers it). A worker writing meanwhile gets a moment to
    settle, as for the count; what still differs fails the rebuild, named."""
    mismatched: dict[bulk.Key, str] = {}
    for attempt in range(VERIFY_ATTEMPTS):
        if attempt:
            time.sleep(VERIFY_DELAY_S)
        with sessions() as session:
            expected = current_digests(session, settings, conflicts)
            mismatched = in_flight_dropped(session, settings, bulk.unsettled(client, conflicts, expected))
        if not mismatched:
            break
    return mismatched


def _verified_count(client: OpenSearch, index: str, sessions: sessionmaker[Session], target: _Target) -> int:
    """The index must hold the database's rows, give or take the changes still waiting in the outbox: a sync
    worker writing meanwhile delivers those through the building alias before or after the swap, so agents who
    never stop writing cannot hold a rebuild back. Nothing pending means exactly the database's count; a gap
    wider than what is pending is a loss, and fails. The database is counted before and after the index, and the
    outbox last, so a change delivered in between is counted on one side or the other."""
    for attempt in range(VERIFY_ATTEMPTS):
        if attempt:
            time.sleep(VERIFY_DELAY_S)
        client.indices.refresh(index=index)
        with sessions() as session:
            before = target.count(session)
        indexed = int(client.count(index=index)["count"])
        with sessions() as session:
            after = target.count(session)
            pending = loader.count_pending(session, target.pending)
        if min(before, after) - pending <= indexed <= max(before, after) + pending:
            return indexed
    waiting = f" ({pending} outbox entries pending)" if pending else ""
    raise RebuildError(
        f"{index} holds {indexed} documents but the database has {after}{waiting}; the alias was not moved"
    )
