"""An audit entry the database refuses is kept and written later, or logged in full: never lost silently."""

import logging

import pytest
from sqlalchemy import select

from service.audit.writer import AuditWriter
from service.db.migrate import upgrade
from service.db.session import build_engine, build_sessionmaker
from service.models import AuditEntry
from service.settings import Settings
from tests.support.builders import audit_entry


def writer_on_an_unmigrated_database(tmp_path, backlog=10):
    """A database without the audit table refuses every insert, as one that is down would."""
    engine = build_engine(Settings(database_url=f"sqlite:///{tmp_path / 'audit.db'}"))
    return engine, AuditWriter(build_sessionmaker(engine), backlog=backlog)


def written(engine):
    with build_sessionmaker(engine)() as session:
        return list(session.scalars(select(AuditEntry.user_name).order_by(AuditEntry.id)))


def test_a_refused_entry_is_logged_kept_and_written_with_the_next_one(tmp_path, caplog):
    engine, writer = writer_on_an_unmigrated_database(tmp_path)
    with caplog.at_level(logging.ERROR, logger="service.audit.writer"):
        assert writer.write([audit_entry("first")]) is False
    assert writer.pending == 1
    assert "audit entry not written yet" in caplog.text and '"user_name": "first"' in caplog.text
    upgrade(engine)
    assert writer.write([audit_entry("second")]) is True
    assert writer.pending == 0
    assert written(engine) == ["first", "second"]


def test_a_full_backlog_logs_each_entry_it_drops_at_critical(tmp_path, caplog):
    _engine, writer = writer_on_an_unmigrated_database(tmp_path, backlog=1)
    with caplog.at_level(logging.CRITICAL, logger="service.audit.writer"):
        writer.write([audit_entry("oldest")])
        writer.write([audit_entry("newest")])
    assert writer.pending == 1
    dropped = [r.getMessage() for r in caplog.records if r.levelno == logging.CRITICAL]
    assert len(dropped) == 1 and '"user_name": "oldest"' in dropped[0]


def test_shutdown_writes_the_backlog_or_logs_what_it_could_not(tmp_path, caplog):
    engine, writer = writer_on_an_unmigrated_database(tmp_path)
    writer.write([audit_entry("kept")])
    with caplog.at_level(logging.CRITICAL, logger="service.audit.writer"):
        assert writer.flush() is False
    assert "audit entry lost at shutdown" in caplog.text and '"user_name": "kept"' in caplog.text
    writer.write([audit_entry("again")])
    upgrade(engine)
    assert writer.flush() is True
    assert written(engine) == ["again"]


def test_an_entry_the_database_refuses_for_its_content_is_logged_and_does_not_block_the_others(tmp_path, caplog):
    engine, writer = writer_on_an_unmigrated_database(tmp_path)
    upgrade(engine)
    broken = audit_entry("broken") | {"user_name": None}
    with caplog.at_level(logging.CRITICAL, logger="service.audit.writer"):
        assert writer.write([broken]) is False
    assert writer.pending == 0
    assert "audit entry refused by the database" in caplog.text and '"endpoint": "quick_search"' in caplog.text
    assert writer.write([audit_entry("after")]) is True
    assert written(engine) == ["after"]


def test_a_write_that_fails_for_a_defect_logs_the_backlog_it_was_retrying(tmp_path, caplog, monkeypatch):
    """The caller of a failed write knows the entries it handed over; the writer alone knows its backlog."""
    engine, writer = writer_on_an_unmigrated_database(tmp_path)
    writer.write([audit_entry("kept")])
    upgrade(engine)

    def defect(_session, _entries):
        raise TypeError("a bug in the insert")

    monkeypatch.setattr("service.audit.repository.insert", defect)
    with caplog.at_level(logging.CRITICAL, logger="service.audit.writer"), pytest.raises(TypeError):
        writer.write([audit_entry("fresh")])
    lost = [r.getMessage() for r in caplog.records if r.levelno == logging.CRITICAL]
    assert len(lost) == 1 and "audit entry lost to a failed write" in lost[0] and '"user_name": "kept"' in lost[0]
    assert writer.pending == 0
