"""Audit writes: one INSERT per lookup, after the answer; an entry the database refuses is kept, never dropped
without a trace.

A refused entry stays in memory and goes in with the next write (one multi-row INSERT), up to
`Settings.audit_backlog` entries; each one is also logged in full at ERROR when it is first refused, so even a
worker that dies before the database is back leaves it in its log. Entries pushed out of a full backlog are
logged again at CRITICAL.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import deque
from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from service.audit import repository

log = logging.getLogger(__name__)


class AuditWriter:
    def __init__(self, sessions: sessionmaker[Session], *, backlog: int) -> None:
        self._sessions = sessions
        self._backlog = backlog
        self._pending: deque[dict[str, Any]] = deque()
        self._lock = threading.Lock()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def write(self, entry: dict[str, Any]) -> bool:
        """Blocking (call it from a worker thread): True when the entry and any backlog are in the database."""
        with self._lock:
            batch = [*self._pending, entry]
            self._pending.clear()
        if self._insert(batch):
            return True
        log.error("audit entry not written yet, kept for a retry: %s", _dump(entry))
        self._keep(batch)
        return False

    def flush(self) -> bool:
        """At shutdown: one last try for the backlog; what still fails is logged in full."""
        with self._lock:
            batch = list(self._pending)
            self._pending.clear()
        if not batch or self._insert(batch):
            return True
        for entry in batch:
            log.critical("audit entry lost at shutdown (database unavailable): %s", _dump(entry))
        return False

    def _insert(self, batch: Sequence[dict[str, Any]]) -> bool:
        try:
            with self._sessions.begin() as session:
                repository.insert(session, batch)
        except SQLAlchemyError as exc:
            log.warning("audit insert failed: %s", str(exc).splitlines()[0][:200])
            return False
        return True

    def _keep(self, batch: Sequence[dict[str, Any]]) -> None:
        with self._lock:
            self._pending.extendleft(reversed(batch))
            while len(self._pending) > self._backlog:
                log.critical("audit backlog full, entry dropped: %s", _dump(self._pending.popleft()))


def _dump(entry: dict[str, Any]) -> str:
    return json.dumps(entry, default=str, ensure_ascii=False)
