"""Audit entries leave the request path at once; a thread of their own writes them, several to an INSERT.

Handing each entry to a worker thread and inserting it alone cost a phone lookup more CPU than the lookup itself
(a thread wake-up, a transaction, and the interpreter lock fought over while the next request ran). Here the event
loop only appends to a list; the thread waits a moment for company (`gather_s`), then writes what has gathered
through the `AuditWriter`, which keeps and logs what the database refuses, as before.

The trail lags a lookup by at most `gather_s` plus one INSERT. Readers that must see every lookup answered before
them (GET /api/audit) call `settle` first. An entry is lost only if the process dies within that lag; the queue
is bounded like the writer's backlog (in entries and in bytes), and an entry pushed out of it is logged in full at
CRITICAL and counted (`dropped`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import Any

from service.audit.writer import DEFAULT_BACKLOG_BYTES, AuditWriter, dump, size_of

log = logging.getLogger(__name__)


class AuditQueue:
    def __init__(
        self, writer: AuditWriter, *, gather_s: float, limit: int, limit_bytes: int = DEFAULT_BACKLOG_BYTES
    ) -> None:
        self._writer = writer
        self._gather_s = gather_s
        self._limit = limit
        self._limit_bytes = limit_bytes
        self._entries: deque[dict[str, Any]] = deque()
        self._sizes: deque[int] = deque()
        self._bytes = 0
        self._dropped = 0
        self._changed = threading.Condition()
        self._hurry = threading.Event()
        self._submitted = 0
        self._attempted = 0
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)

    @property
    def pending(self) -> int:
        """Entries not in the database yet: queued, or kept by the writer while the database refuses them."""
        return len(self._entries) + self._writer.pending

    @property
    def dropped(self) -> int:
        """Entries pushed out of the full queue or the writer's full backlog, each logged in full at CRITICAL."""
        return self._dropped + self._writer.dropped

    def start(self) -> None:
        self._thread.start()

    def submit(self, entry: dict[str, Any]) -> None:
        """Never blocks: called on the event loop once the answer has gone out."""
        size = size_of(entry)
        with self._changed:
            self._entries.append(entry)
            self._sizes.append(size)
            self._bytes += size
            self._submitted += 1
            while len(self._entries) > 1 and (
                len(self._entries) > max(self._limit, 1) or self._bytes > self._limit_bytes
            ):
                self._bytes -= self._sizes.popleft()
                self._dropped += 1
                log.critical("audit queue full, entry dropped: %s", dump(self._entries.popleft()))
            self._changed.notify()

    def settle(self, timeout_s: float) -> bool:
        """Blocking: True once every entry submitted before the call has been offered to the database."""
        deadline = time.monotonic() + timeout_s
        with self._changed:
            target = self._submitted
            self._hurry.set()
            while self._attempted < target:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._thread.is_alive():
                    return False
                self._changed.wait(remaining)
        return True

    def close(self, timeout_s: float) -> None:
        """At shutdown: write what is queued, then one last try for the writer's backlog (what still fails there
        is logged in full). Entries the thread did not take (it never started, or is stuck) are written here."""
        with self._changed:
            self._closing = True
            self._hurry.set()
            self._changed.notify()
        if self._thread.is_alive():
            self._thread.join(timeout_s)
        with self._changed:
            left = self._take()
        if left:
            self._writer.write(left)
        self._writer.flush()

    def _take(self) -> list[dict[str, Any]]:
        """Everything queued (the caller holds the lock)."""
        batch = list(self._entries)
        self._entries.clear()
        self._sizes.clear()
        self._bytes = 0
        return batch

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._entries and not self._closing:
                    self._changed.wait()
                if not self._entries:
                    return
            if not self._closing:
                self._hurry.wait(self._gather_s)
            with self._changed:
                batch = self._take()
                upto = self._submitted
                self._hurry.clear()
            try:
                self._writer.write(batch)
            except Exception:
                # A defect, not the database refusing: the entries are still logged, and the thread lives on.
                log.exception("audit batch not written: %s", [dump(entry) for entry in batch])
            with self._changed:
                self._attempted = upto
                self._changed.notify_all()
