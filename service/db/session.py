"""Engine and session factories built from Settings (SQLite pragmas, PostgreSQL pool)."""

from __future__ import annotations

from collections.abc import Mapping
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
    # bounded connect and pool waits; pre-ping replaces connections a restarted server dropped. The pool is per
    # process: (pool_size + max_overflow) x processes must stay under the server's max_connections.
    options: dict[str, Any] = {
        "pool_size": settings.database_pool_size,
        "max_overflow": settings.database_max_overflow,
        "pool_pre_ping": True,
        "pool_timeout": settings.database_pool_timeout_s,
        "connect_args": _connect_args(settings, url.query),
    }
    options.update(overrides)
    return create_engine(url, **options)


def _connect_args(settings: Settings, query: Mapping[str, Any]) -> dict[str, Any]:
    """libpq parameters; what the URL's query names (sslmode, sslrootcert, application_name, options) wins."""
    args: dict[str, Any] = {"connect_timeout": settings.database_connect_timeout_s}
    if "application_name" not in query:
        args["application_name"] = settings.database_application_name
    if settings.database_statement_timeout_ms and "options" not in query:
        args["options"] = f"-c statement_timeout={settings.database_statement_timeout_ms}"
    return args


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def build_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
