"""One rebuild at a time per database and index prefix.

Two rebuilds running at once each load an index of their own, but only the younger one gets the live
writes of the sync worker (the building alias follows it); if the older finishes last, its swap brings back
an index that missed them. So a rebuild takes this lock first and a second one is refused, naming the
holder. The lock dies with the process that holds it (a killed rebuild never leaves it behind): on
PostgreSQL a session-level advisory lock on a connection held for the rebuild; on SQLite, whose database is
a local file, an exclusive `flock` on a file beside it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import zlib
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, text


class RebuildRunning(RuntimeError):
    """Another rebuild of the same indices holds the lock."""


def _holder() -> str:
    return f"pid {os.getpid()} on {socket.gethostname()}"


@contextlib.contextmanager
def rebuild_lock(engine: Engine, index_prefix: str) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with _advisory_lock(engine, index_prefix):
            yield
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield  # a private in-memory database: no other process can rebuild from it
        return
    with _file_lock(Path(f"{database}.{index_prefix}.rebuild-lock"), index_prefix):
        yield


def advisory_key(index_prefix: str) -> int:
    """A stable signed 64-bit key; `hashtext` would do too, but this one is the same in every release of both."""
    return zlib.crc32(f"contact-lookup rebuild {index_prefix}".encode()) - 2**31


@contextlib.contextmanager
def _advisory_lock(engine: Engine, index_prefix: str) -> Iterator[None]:
    key = advisory_key(index_prefix)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if not connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar():
            unsigned = key & 0xFFFFFFFFFFFFFFFF
            who = connection.execute(
                text(
                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1"
                    " AND classid = CAST(:high AS oid) AND objid = CAST(:low AS oid)"
                    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                ),
                {"high": unsigned >> 32, "low": unsigned & 0xFFFFFFFF},
            ).scalar()
            where = f" (database session pid {who})" if who else ""
            raise RebuildRunning(f"another rebuild of the '{index_prefix}' indices is running{where}; wait for it")
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})


@contextlib.contextmanager
def _file_lock(path: Path, index_prefix: str) -> Iterator[None]:
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            who = handle.read().strip() or "another process"
            raise RebuildRunning(
                f"another rebuild of the '{index_prefix}' indices is running ({who}, holding {path}); wait for it"
            ) from None
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(_holder())
            handle.flush()
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)
