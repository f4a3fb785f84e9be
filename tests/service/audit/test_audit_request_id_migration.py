"""Migration 0012 on a trail that already holds entries: they stay (without a request id), new ones hold theirs,
and the downgrade takes the column away again."""

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import column, insert, inspect, select, table

from service.db.migrate import alembic_config, upgrade
from service.db.session import build_engine, build_sessionmaker
from service.models import AuditEntry
from service.settings import Settings
from tests.support.builders import audit_entry


def downgrade(engine, revision):
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_existing_entries_keep_and_new_entries_hold_the_request_id(make_database, database):
    engine = build_engine(Settings(database_url=make_database(database.backend, "audit-request-id").url))
    downgrade(engine, "0007")
    assert "request_id" not in {c["name"] for c in inspect(engine).get_columns("audit_log")}
    old = audit_entry("before-0012") | {"at": datetime(2026, 11, 30, tzinfo=UTC)}
    before = table("audit_log", *(column(name, AuditEntry.__table__.c[name].type) for name in old))
    with engine.begin() as connection:
        connection.execute(insert(before), [old])
    upgrade(engine)
    with build_sessionmaker(engine).begin() as session:
        session.add(AuditEntry(**audit_entry("after-0012"), request_id="req-1"))
    with build_sessionmaker(engine)() as session:
        entries = {e.user_name: e.request_id for e in session.scalars(select(AuditEntry))}
        found = session.scalars(select(AuditEntry.user_name).where(AuditEntry.request_id == "req-1")).all()
    assert entries == {"before-0012": None, "after-0012": "req-1"}
    assert found == ["after-0012"]
    indexes = {index["name"] for index in inspect(engine).get_indexes("audit_log")}
    assert "ix_audit_log_request_id" in indexes
    downgrade(engine, "0007")
    assert "request_id" not in {c["name"] for c in inspect(engine).get_columns("audit_log")}
    engine.dispose()
