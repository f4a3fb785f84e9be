"""Engine and session factories built from Settings (SQLite pragmas, PostgreSQL pool)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from service.settings import Settings


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def build_engine(settings: Settings, **overrides: Any) -> Engine:
    """One engine per process; SQLite gets WAL and foreign keys so it behaves like a server database."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **overrides)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # A database that does not answer fails a request within seconds (a 503) instead of hanging a worker:
    # bounded connect and pool waits; pre-ping replaces connections a restarted server dropped.
    options: dict[str, Any] = {
        "pool_size": 10,
        "max_overflow": 10,
        "pool_pre_ping": True,
        "pool_timeout": 5,
        "connect_args": {"connect_timeout": settings.database_connect_timeout_s},
    }
    options.update(overrides)
    return create_engine(url, **options)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def build_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
