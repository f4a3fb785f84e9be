"""Audit writes: one INSERT for the entries at hand (`background` gathers them); an entry the database cannot
take yet is kept, and none is dropped without a trace.

While the database cannot be reached, an entry stays in memory and goes in with the next write (one multi-row
INSERT), up to `Settings.audit_backlog` entries and `Settings.audit_backlog_bytes` bytes (of their JSON: what an
entry costs is its criteria, not its count); each one is also logged in full at ERROR when it is first refused,
so even a worker that dies before the database is back leaves it in its log. Entries pushed out of a full
backlog are logged again at CRITICAL and counted (`dropped`), and so is one the database refuses for what it holds.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import deque
from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from service.audit import repository

log = logging.getLogger(__name__)

# The database cannot take the entry now (down, unreachable, no connection free, or not migrated yet on SQLite);
# any other refusal is about the entry itself.
UNREACHABLE = (OperationalError, InterfaceError, PoolTimeout)


DEFAULT_BACKLOG_BYTES = 16 * 1024 * 1024


class AuditWriter:
    def __init__(
        self, sessions: sessionmaker[Session], *, backlog: int, backlog_bytes: int = DEFAULT_BACKLOG_BYTES
    ) -> None:
        self._sessions = sessions
        self._backlog = backlog
        self._backlog_bytes = backlog_bytes
        self._pending: deque[tuple[dict[str, Any], int]] = deque()
        self._bytes = 0
        self._dropped = 0
        self._lock = threading.Lock()

    @property
    def pending(self) -> int:
        return len(self._pending)

    @property
    def pending_bytes(self) -> int:
        """What the backlog holds, as the length of its entries' JSON."""
        return self._bytes

    @property
    def dropped(self) -> int:
        """Entries pushed out of a full backlog since the start (each one logged in full at CRITICAL)."""
        return self._dropped

    def write(self, entries: Sequence[dict[str, Any]]) -> bool:
        """Blocking: True when the entries and any backlog are in the database, in one INSERT when it takes them."""
        with self._lock:
            held = list(self._pending)
            self._pending.clear()
            self._bytes = 0
        backlog = [entry for entry, _ in held]
        known = {id(entry): size for entry, size in held}
        batch = [*backlog, *entries]
        try:
            written, unwritten = self._insert(batch)
        except Exception:
            # A defect, not the database: the caller logs the entries it handed over; the backlog is known only here.
            for entry in backlog:
                log.critical("audit entry lost to a failed write: %s", dump(entry))
            raise
        fresh = {id(entry) for entry in entries}
        for kept in unwritten:
            if id(kept) in fresh:
                log.error("audit entry not written yet, kept for a retry: %s", dump(kept))
        self._keep([(entry, known.get(id(entry)) or size_of(entry)) for entry in unwritten])
        return written == len(batch)

    def flush(self) -> bool:
        """At shutdown: one last try for the backlog; what still fails is logged in full."""
        with self._lock:
            batch = [entry for entry, _ in self._pending]
            self._pending.clear()
            self._bytes = 0
        written, unwritten = self._insert(batch) if batch else (0, [])
        for entry in unwritten:
            log.critical("audit entry lost at shutdown (database unavailable): %s", dump(entry))
        return written == len(batch)

    def _insert(self, batch: Sequence[dict[str, Any]]) -> tuple[int, list[dict[str, Any]]]:
        """How many entries went in, and those to try again: all of them while the database is unreachable. An
        entry the database refuses for what it holds is logged in full and not kept (kept, it would fail every later
        batch with it); a batch refused that way is retried entry by entry, so only that entry is set aside."""
        try:
            with self._sessions.begin() as session:
                repository.insert(session, batch)
        except UNREACHABLE as exc:
            log.warning("audit insert failed, database unreachable: %s", str(exc).splitlines()[0][:200])
            return 0, list(batch)
        except SQLAlchemyError as exc:
            if len(batch) > 1:
                results = [self._insert([single]) for single in batch]
                return sum(n for n, _ in results), [entry for _, kept in results for entry in kept]
            reason = str(exc).splitlines()[0][:200]
            log.critical("audit entry refused by the database (%s): %s", reason, dump(batch[0]))
            return 0, []
        return len(batch), []

    def _keep(self, batch: Sequence[tuple[dict[str, Any], int]]) -> None:
        with self._lock:
            self._pending.extendleft(reversed(batch))
            self._bytes += sum(size for _, size in batch)
            while self._pending and (len(self._pending) > self._backlog or self._bytes > self._backlog_bytes):
                entry, size = self._pending.popleft()
                self._bytes -= size
                self._dropped += 1
                log.critical(
                    "audit backlog full (%d entries, %d bytes at most), entry dropped: %s",
                    self._backlog,
                    self._backlog_bytes,
                    dump(entry),
                )


def dump(entry: dict[str, Any]) -> str:
    return json.dumps(entry, default=str, ensure_ascii=False)


def size_of(entry: dict[str, Any]) -> int:
    """What an entry costs held in memory, near enough: the length of its JSON (at least 1, so none is free)."""
    try:
        return max(len(orjson.dumps(entry, default=str)), 1)
    except TypeError:  # an integer beyond 64 bits, which orjson does not write
        return max(len(dump(entry)), 1)
