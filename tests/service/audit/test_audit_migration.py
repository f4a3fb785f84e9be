"""Migration 0009 on a trail that already holds entries: they stay, read as the lookups they were."""

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import column, insert, select, table

from service.db.migrate import alembic_config, upgrade
from service.db.session import build_engine, build_sessionmaker
from service.models import AuditEntry
from service.settings import Settings
from tests.support.builders import audit_entry


def test_entries_written_before_the_migration_read_as_reads_of_no_communication(make_database, database):
    engine = build_engine(Settings(database_url=make_database(database.backend, "audit-migration").url))
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")
    old = audit_entry("before-0009") | {"at": datetime(2026, 11, 30, tzinfo=UTC)}
    before = table("audit_log", *(column(name, AuditEntry.__table__.c[name].type) for name in old))
    with engine.begin() as connection:
        connection.execute(insert(before), [old])
    upgrade(engine)
    with build_sessionmaker(engine)() as session:
        [entry] = session.scalars(select(AuditEntry))
    assert (entry.user_name, entry.action, entry.communication_ids, entry.changed) == ("before-0009", "read", [], [])
    assert entry.contact_unit is None and entry.contact_ids == [7]
    engine.dispose()
