"""Near-real-time sync: drain the outbox into the index, at least once, without ever losing a change.

Each pass claims the oldest pending entries (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so several workers
share the queue), coalesces them per document, rebuilds every document from the database's current
state, and bulk-writes it with its row version as external version. Entries are deleted only after
their documents were written; a document the engine refuses is retried with backoff and parked after
`MAX_ATTEMPTS`, so a poison entry never blocks the queue. Never "rows after the last id seen": a
transaction that commits late would be skipped forever (ARCHITECTURE.md, rules of the house).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError as EngineConnectionError
from opensearchpy.exceptions import ConnectionTimeout, TransportError
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from indexer import actions as indexed
from indexer import aliases, bulk, loader
from indexer.documents import fitted, quick_document
from indexer.mappings import DIGEST_FIELD
from search_definitions.catalogue import MAPPING_VERSION
from service.db.base import utcnow
from service.db.session import build_sessionmaker
from service.models.communication import Communication
from service.models.outbox import COMMUNICATION, CONTACT, OutboxEntry
from service.models.sync_pass import KEEP_PASSES, SyncPass
from service.settings import Settings

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BATCH_SIZE = 500
REFRESH_AT_ONCE = 50


@dataclass(frozen=True, slots=True)
class Claimed:
    ids: list[int]
    contacts: dict[int, list[int]]
    communications: dict[int, list[int]]
    deleted_versions: dict[tuple[str, int], int]


@dataclass(slots=True)
class PassReport:
    claimed: int = 0
    written: int = 0
    deleted: int = 0
    retried: int = 0
    parked: int = 0
    seconds: float = 0.0


class EngineUnavailable(RuntimeError):
    """The whole pass failed on the engine; nothing was acknowledged, the entries stay pending."""


def _claim(session: Session, batch_size: int) -> Claimed:
    statement = (
        select(OutboxEntry)
        .where(OutboxEntry.parked.is_(False), OutboxEntry.available_at <= utcnow())
        .order_by(OutboxEntry.id)
        .limit(batch_size)
    )
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    contacts: dict[int, list[int]] = {}
    communications: dict[int, list[int]] = {}
    deleted: dict[tuple[str, int], int] = {}
    ids = []
    for entry in session.scalars(statement):
        ids.append(entry.id)
        target = contacts if entry.entity == CONTACT else communications
        target.setdefault(entry.entity_id, []).append(entry.id)
        if entry.deleted_version is not None:
            key = (entry.entity, entry.entity_id)
            deleted[key] = max(deleted.get(key, 0), entry.deleted_version)
    return Claimed(ids=ids, contacts=contacts, communications=communications, deleted_versions=deleted)


class OutboxSync:
    def __init__(self, *, settings: Settings, engine: Engine, client: OpenSearch) -> None:
        self._settings = settings
        self._sessions = build_sessionmaker(engine)
        self._client = client
        self._locking = engine.dialect.name == "postgresql"
        # Concrete index -> the properties of its older mapping, or None for this release's: an index's mapping
        # never changes (strict, never updated), so it is asked once per index.
        self._older: dict[str, dict[str, Any] | None] = {}

    def drain_once(self, batch_size: int = BATCH_SIZE) -> PassReport:
        """One pass; on PostgreSQL the claimed rows stay locked until their outcome is recorded."""
        started = time.perf_counter()
        with self._sessions() as session:
            claimed = _claim(session, batch_size)
            if not self._locking:
                session.rollback()
            if not claimed.ids:
                return PassReport()
            report = PassReport(claimed=len(claimed.ids))
            failed = self._write(session, claimed, report)
            self._acknowledge(session, claimed, failed, report)
            report.seconds = round(time.perf_counter() - started, 6)
            _record(session, report)
            session.commit()
            return report

    def drain(self, batch_size: int = BATCH_SIZE) -> PassReport:
        """Until nothing is pending (used after a rebuild and by `index sync --once`)."""
        total = PassReport()
        while (step := self.drain_once(batch_size)).claimed:
            total.claimed += step.claimed
            total.written += step.written
            total.deleted += step.deleted
            total.retried += step.retried
            total.parked += step.parked
            total.seconds += step.seconds
            if step.claimed == step.retried + step.parked:
                break
        return total

    def _write(self, session: Session, claimed: Claimed, report: PassReport) -> dict[tuple[str, int], str]:
        actions: list[dict[str, Any]] = []
        # The live alias plus any index a rebuild is filling, so no change is lost during a rebuild.
        settings = self._settings
        targets = aliases.write_targets(
            self._client, settings.contacts_alias, settings.quick_alias, settings.communications_alias
        )
        contact_targets = targets[settings.contacts_alias]
        quick_targets = targets[settings.quick_alias]
        communication_targets = targets[settings.communications_alias]
        orphaned: list[tuple[int, int]] = []
        names = [name for names in targets.values() for name in names]
        older, behind = self._older_mappings(names)
        # The actions whose documents were cut to an older mapping, with the whole ones, for `_rewrite_if_swapped`.
        cut: list[dict[str, Any]] = []

        contacts = {c.id: c for c in loader.contacts_by_id(session, list(claimed.contacts))}
        references = loader.reference_ids_by_contact(session, list(contacts))
        for contact_id in claimed.contacts:
            contact = contacts.get(contact_id)
            version = claimed.deleted_versions.get((CONTACT, contact_id))
            if contact is not None:
                whole = indexed.whole_contact(contact, references, settings)
                for indices, doc in ((contact_targets, whole), (quick_targets, quick_document(whole))):
                    for index in indices:
                        actions.append(indexed.contact_action(index, contact, _fit(doc, older.get(index))))
                        if index in older:
                            cut.append(indexed.contact_action(index, contact, doc))
            elif version is not None:
                actions += [bulk.delete_action(index, contact_id, version) for index in contact_targets + quick_targets]
                orphaned.append((contact_id, version))

        communications = {c.id: c for c in loader.communications_by_id(session, list(claimed.communications))}
        for communication_id in claimed.communications:
            communication = communications.get(communication_id)
            version = claimed.deleted_versions.get((COMMUNICATION, communication_id))
            for index in communication_targets:
                if communication is not None:
                    doc = indexed.communication(communication)
                    actions.append(indexed.communication_action(index, communication, _fit(doc, older.get(index))))
                    if index in older:
                        cut.append(indexed.communication_action(index, communication, doc))
                elif version is not None:
                    actions.append(bulk.delete_action(index, communication_id, version))

        # A contact deleted and created again under its id (an explicit id) in one pass: the old one's
        # communications went with it, the new one's stay.
        recreated = [contact_id for (entity, contact_id) in claimed.deleted_versions if entity == CONTACT]
        recreated = [contact_id for contact_id in recreated if contact_id in contacts]
        try:
            # An agent who saves and searches again expects to find the change: a small pass is made visible
            # at once; a large one (an import) waits for the refresh interval rather than making tiny segments.
            visible_now = len(actions) <= REFRESH_AT_ONCE
            result = bulk.write(self._client, actions, settings=self._settings, refresh=visible_now)
            if cut:
                self._rewrite_if_swapped(cut, behind, result, refresh=visible_now)
            if result.conflicts:
                # An older mapping keeps no digest: there a conflict means what it meant then, the index holds this
                # version or a newer one (the rebuild that replaces it compares content).
                legacy = {index for index, properties in self._older.items() if properties is not None}
                checked = {key for key in result.conflicts if key[0] not in legacy}
                expected = current_digests(session, self._settings, checked)
                mismatched = bulk.unsettled(self._client, checked, expected) if checked else {}
                result.resolve(in_flight_dropped(session, self._settings, mismatched, claimed=claimed.ids))
            kept = _communications_kept(session, recreated)
            left_behind = {
                (CONTACT, contact_id): error
                for contact_id in [contact_id for contact_id, _version in orphaned] + recreated
                if (
                    error := bulk.delete_communications_of(
                        self._client, contact_id, communication_targets, kept=kept, settings=settings
                    )
                )
            }
        except (EngineConnectionError, ConnectionTimeout) as exc:
            raise EngineUnavailable(str(exc)) from exc
        except TransportError as exc:
            if exc.status_code in (429, 502, 503, 504) or not isinstance(exc.status_code, int):
                raise EngineUnavailable(str(exc)) from exc
            raise
        report.written = result.written + result.stale
        report.deleted = len(orphaned)
        # Failures name the concrete index: `{alias}-{timestamp}` (`aliases.new_index_name`).
        communications_prefix = self._settings.communications_alias + "-"
        failed = {
            (COMMUNICATION if index.startswith(communications_prefix) else CONTACT, int(doc_id)): error
            for (index, doc_id), error in result.failed.items()
        }
        return failed | left_behind

    def _older_mappings(self, names: list[str]) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
        """Per alias of `names` (the live and building aliases), the older mapping of the index behind it, if an
        older release built it: while an upgrade's rebuild is pending the live indices are the old ones, and the
        building ones this release's; both are kept current, each with documents its mapping takes. Also the
        index behind each alias, as it was when asked."""
        behind = aliases.concrete_indices(self._client, names)
        unknown = sorted({index for index in behind.values() if index not in self._older})
        if unknown:
            found = aliases.older_mappings(self._client, unknown, version=MAPPING_VERSION)
            self._older |= {index: found.get(index) for index in unknown}
        older = {alias: props for alias, index in behind.items() if (props := self._older.get(index)) is not None}
        return older, behind

    def _rewrite_if_swapped(
        self,
        cut: list[dict[str, Any]],
        fitted_for: dict[str, str],
        result: bulk.BulkReport,
        *,
        refresh: bool,
    ) -> None:
        """A rebuild that swapped an alias between the lookup of its index and the write sent the documents cut to
        the old mapping into this release's index, at their version: rewrite them whole there.

        `external_gte` lets the same version replace the cut document (the database's content at a version is one
        content); a newer one there is a conflict like any other. The new index is named, not aliased: it
        serves, so no rebuild deletes it meanwhile.
        """
        older, now = self._older_mappings(sorted({action["_index"] for action in cut}))
        moved = {alias: index for alias, index in now.items() if index != fitted_for.get(alias) and alias not in older}
        actions = [
            action | {"_index": moved[action["_index"]], "version_type": "external_gte"}
            for action in cut
            if action["_index"] in moved
        ]
        if not actions:
            return
        log.info("an alias was swapped during a sync pass: %d documents rewritten whole", len(actions))
        rewritten = bulk.write(self._client, actions, settings=self._settings, require_alias=False, refresh=refresh)
        # The same documents through the building alias, gone with the swap, failed: moot now.
        moot = {
            (name, action["_id"])
            for action in cut
            if (alias := action["_index"]) in moved
            for name in (aliases.building_alias(alias), moved[alias])
        }
        result.failed = {key: error for key, error in result.failed.items() if key not in moot} | rewritten.failed
        result.conflicts |= rewritten.conflicts

    def _acknowledge(
        self, session: Session, claimed: Claimed, failed: dict[tuple[str, int], str], report: PassReport
    ) -> None:
        failed_entries = {
            entry_id: error
            for (entity, entity_id), error in failed.items()
            for entry_id in (claimed.contacts if entity == CONTACT else claimed.communications).get(entity_id, [])
        }
        done = [entry_id for entry_id in claimed.ids if entry_id not in failed_entries]
        if done:
            session.execute(delete(OutboxEntry).where(OutboxEntry.id.in_(done)))
        for entry_id, error in failed_entries.items():
            entry = session.get(OutboxEntry, entry_id)
            if entry is None:
                continue
            entry.attempts += 1
            entry.last_error = error[:2000]
            if entry.attempts >= MAX_ATTEMPTS:
                entry.parked = True
                report.parked += 1
                log.error("parked outbox entry %s (%s %s): %s", entry.id, entry.entity, entry.entity_id, error)
            else:
                entry.available_at = utcnow() + timedelta(seconds=min(2**entry.attempts, 300))
                report.retried += 1

    def run(self, stop: threading.Event, *, idle_s: float = 0.2, max_backoff_s: float | None = None) -> None:
        """Loop until `stop` is set; an engine or database outage backs off (at most `Settings.sync_max_backoff_s`
        between tries) and recovers by itself."""
        if max_backoff_s is None:
            max_backoff_s = self._settings.sync_max_backoff_s
        backoff = idle_s
        while not stop.is_set():
            try:
                report = self.drain_once()
                backoff = idle_s
                if report.claimed:
                    continue
            except (EngineUnavailable, DBAPIError) as exc:
                backoff = min(max(backoff * 2, 1.0), max_backoff_s)
                log.warning("sync paused for %.1f s: %s", backoff, str(exc).splitlines()[0][:200])
            except Exception:
                backoff = min(max(backoff * 2, 1.0), max_backoff_s)
                log.exception("sync pass failed; retrying in %.1f s", backoff)
            stop.wait(backoff)


def _fit(document: dict[str, Any], properties: dict[str, Any] | None) -> dict[str, Any]:
    return document if properties is None else fitted(document, properties)


def _communications_kept(session: Session, contact_ids: Sequence[int]) -> set[int]:
    if not contact_ids:
        return set()
    found = session.execute(select(Communication.id).where(Communication.contact_id.in_(contact_ids)))
    return set(found.scalars())


def current_digests(
    session: Session, settings: Settings, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], str | None]:
    """The digest of the document the database gives now for each (concrete index, document id), None where it
    has no row: what a version conflict is settled against (`bulk.unsettled`). Read afresh, so a write that
    lost to a newer one of the same row is told from a divergence."""
    kinds = {key: _kind_of(settings, key[0]) for key in keys}
    contact_ids = sorted({int(doc_id) for (_index, doc_id), kind in kinds.items() if kind != COMMUNICATION})
    communication_ids = sorted({int(doc_id) for (_index, doc_id), kind in kinds.items() if kind == COMMUNICATION})
    contacts = {c.id: c for c in loader.contacts_by_id(session, contact_ids)} if contact_ids else {}
    references = loader.reference_ids_by_contact(session, list(contacts)) if contacts else {}
    whole = {
        contact_id: indexed.whole_contact(contact, references, settings) for contact_id, contact in contacts.items()
    }
    communications = {
        c.id: indexed.communication(c)
        for c in (loader.communications_by_id(session, communication_ids) if communication_ids else [])
    }
    expected: dict[tuple[str, str], str | None] = {}
    for key, kind in kinds.items():
        doc_id = int(key[1])
        # The quick index's document carries the whole contact's digest (`documents.quick_document`).
        document = communications.get(doc_id) if kind == COMMUNICATION else whole.get(doc_id)
        expected[key] = None if document is None else document[DIGEST_FIELD]
    return expected


def in_flight_dropped(
    session: Session, settings: Settings, mismatched: dict[tuple[str, str], str], *, claimed: Sequence[int] = ()
) -> dict[tuple[str, str], str]:
    """The mismatches that are divergences: a document the database changed again since the index's write (an
    outbox entry other than `claimed` still waits for it) is only behind, and that entry brings it current."""
    if not mismatched:
        return mismatched
    wanted = {(_kind_of(settings, index), int(doc_id)) for index, doc_id in mismatched}
    statement = select(OutboxEntry.entity, OutboxEntry.entity_id).where(
        OutboxEntry.parked.is_(False), OutboxEntry.entity_id.in_(sorted({i for _kind, i in wanted}))
    )
    if claimed:
        statement = statement.where(OutboxEntry.id.not_in(list(claimed)))
    waiting = {(entity, entity_id) for entity, entity_id in session.execute(statement)} & wanted
    return {key: error for key, error in mismatched.items() if (_kind_of(settings, key[0]), int(key[1])) not in waiting}


def _kind_of(settings: Settings, index: str) -> str:
    """Which document an index holds, by its name: `{alias}-{timestamp}` (`aliases.new_index_name`) or an alias."""
    if index == settings.communications_alias or index.startswith(settings.communications_alias + "-"):
        return COMMUNICATION
    return CONTACT


def _record(session: Session, report: PassReport) -> None:
    """Throughput for `/ready` and `/metrics`, committed with the acknowledgements; older passes are pruned."""
    session.add(
        SyncPass(
            claimed=report.claimed,
            documents=report.written + report.deleted,
            failed=report.retried + report.parked,
            seconds=report.seconds,
        )
    )
    session.flush()
    newest = select(func.max(SyncPass.id)).scalar_subquery()
    session.execute(delete(SyncPass).where(SyncPass.id <= newest - KEEP_PASSES))


def retry_parked(session: Session) -> int:
    """Put parked entries back in the queue (after the cause was fixed)."""
    result = session.execute(
        update(OutboxEntry).where(OutboxEntry.parked.is_(True)).values(parked=False, attempts=0, available_at=utcnow())
    )
    return result.rowcount or 0


def start_background(
    *, settings: Settings, engine: Engine, client: OpenSearch, name: str = "outbox-sync"
) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    worker = OutboxSync(settings=settings, engine=engine, client=client)
    thread = threading.Thread(target=worker.run, args=(stop,), name=name, daemon=True)
    thread.start()
    return thread, stop


def wait_until_drained(engine: Engine, *, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    sessions = build_sessionmaker(engine)
    while time.monotonic() < deadline:
        with sessions() as session:
            pending = session.scalar(select(OutboxEntry.id).where(OutboxEntry.parked.is_(False)).limit(1))
        if pending is None:
            return True
        time.sleep(0.05)
    return False
