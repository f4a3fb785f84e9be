"""The active definition as every API worker sees it.

Each worker caches the active snapshot and, at most every `max_age_s`, asks the database one cheap
question (the activation stamp); only when the stamp changed does it reload the definitions. So an
activation reaches every worker process within `max_age_s`, without a restart or a message bus.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from search_definitions import store
from search_definitions.schema import Definition
from search_definitions.store import ActiveSnapshot


class ActiveDefinition:
    def __init__(self, sessions: sessionmaker[Session], *, fallback: Definition, max_age_s: float) -> None:
        self._sessions = sessions
        self._fallback = fallback
        self._max_age_s = max_age_s
        self._lock = threading.Lock()
        self._snapshot: ActiveSnapshot | None = None
        self._checked_at = 0.0
        self._clock: Callable[[], float] = time.monotonic

    def get(self, business_unit: str | None = None) -> Definition:
        snapshot = self._current()
        return snapshot.for_business_unit(business_unit) or self._fallback

    def recall(self, business_unit: str | None = None) -> Definition | None:
        """No I/O: the definition while the snapshot is fresh, None when `get` must ask the database."""
        snapshot = self._snapshot
        if snapshot is None or not self._fresh():
            return None
        return snapshot.for_business_unit(business_unit) or self._fallback

    def invalidate(self) -> None:
        with self._lock:
            self._checked_at = 0.0

    def _current(self) -> ActiveSnapshot:
        if self._snapshot is not None and self._fresh():
            return self._snapshot
        with self._lock:
            if self._snapshot is None or not self._fresh():
                with self._sessions() as session:
                    if self._snapshot is None or store.active_stamp(session) != self._snapshot.stamp:
                        self._snapshot = store.active_snapshot(session)
                self._checked_at = self._clock()
            return self._snapshot

    def _fresh(self) -> bool:
        return self._clock() - self._checked_at < self._max_age_s
