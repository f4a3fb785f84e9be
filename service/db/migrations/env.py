"""Alembic environment: the URL comes from the caller's Settings, never from an ini file."""

from alembic import context
from sqlalchemy import Connection

import service.models  # noqa: F401  (registers every table)
from service.db.base import Base

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    from service.db.session import build_engine
    from service.settings import Settings

    engine = build_engine(Settings(database_url=config.get_main_option("sqlalchemy.url") or ""))
    with engine.begin() as conn:
        _run(conn)
