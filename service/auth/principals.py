"""Who a bearer token belongs to, remembered for a moment per worker.

Every lookup starts by authenticating; asking the database each time would put a query, a session and a thread
hop in front of every search. A known token is trusted for `max_age_s` (like the active definition), so a token
rotated or a user removed stops working within that time in every worker, without a restart or a message bus.
Unknown tokens are never remembered: a flood of bad tokens cannot fill memory, and a new user works at once.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from service.auth.service import Principal, authenticate_hash, bearer_hash


class KnownPrincipals:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        max_age_s: float,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._max_age_s = max_age_s
        self._max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._known: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    def recall(self, authorization: str | None) -> Principal | None:
        """No I/O: the principal when this token was checked less than `max_age_s` ago (401 when malformed)."""
        token_hash = bearer_hash(authorization)
        with self._lock:
            known = self._known.get(token_hash)
        if known is None or self._clock() - known[1] >= self._max_age_s:
            return None
        return known[0]

    def load(self, authorization: str | None) -> Principal:
        """Blocking (call it from a worker thread): asks the database and remembers a valid token."""
        token_hash = bearer_hash(authorization)
        with self._sessions() as session:
            principal = authenticate_hash(session, token_hash)
        with self._lock:
            self._known[token_hash] = (principal, self._clock())
            self._known.move_to_end(token_hash)
            while len(self._known) > self._max_entries:
                self._known.popitem(last=False)
        return principal
