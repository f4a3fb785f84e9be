"""When each API token was last used, written beside the requests, at most once a minute per token.

A request only notes the user in memory (no I/O, no lock held for long); a thread of its own writes what was
noted in one UPDATE every `interval_s`. A token used a thousand times a minute costs one write a minute, and a
database that refuses the write costs a log line, never a request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from service.auth import repository

log = logging.getLogger(__name__)

INTERVAL_S = 60.0


class LastUsed:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        interval_s: float = INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._interval_s = interval_s
        self._clock = clock
        self._lock = threading.Lock()
        self._noted: dict[int, float] = {}
        self._pending: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="token-last-used", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def note(self, user_id: int) -> None:
        """Never blocks on I/O: called on the event loop for every request an API token authenticates."""
        now = self._clock()
        with self._lock:
            last = self._noted.get(user_id)
            if last is not None and now - last < self._interval_s:
                return
            self._noted[user_id] = now
            self._pending.add(user_id)

    def write(self) -> int:
        """Blocking: writes what was noted since the last write; how many tokens it marked."""
        with self._lock:
            pending, self._pending = self._pending, set()
        if not pending:
            return 0
        try:
            with self._sessions.begin() as session:
                repository.mark_used(session, pending, datetime.now(UTC))
        except SQLAlchemyError:
            log.warning("could not write when %d tokens were last used; retried with the next write", len(pending))
            with self._lock:
                self._pending |= pending
            return 0
        return len(pending)

    def close(self, timeout_s: float) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)
        self.write()

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            self.write()
