"""The audit queue takes entries off the request path and writes them in batches, without losing any."""

import logging
import time

import pytest
from sqlalchemy import func, select

from service.audit.background import AuditQueue
from service.audit.writer import AuditWriter
from service.db.migrate import upgrade
from service.db.session import build_engine, build_sessionmaker
from service.models import AuditEntry
from service.settings import Settings
from tests.support.builders import audit_entry as entry


class CountingWriter(AuditWriter):
    """Records the size of every batch it is asked to write."""

    def __init__(self, *args, fail_first=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.batches = []
        self.fail_first = fail_first

    def write(self, entries):
        self.batches.append(len(entries))
        if self.fail_first:
            self.fail_first = False
            raise RuntimeError("a defect")
        return super().write(entries)


@pytest.fixture
def database(tmp_path):
    engine = build_engine(Settings(database_url=f"sqlite:///{tmp_path / 'audit.db'}"))
    upgrade(engine)
    yield engine
    engine.dispose()


def rows(engine):
    with build_sessionmaker(engine)() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry))


def queue_on(engine, *, gather_s, limit=100, fail_first=False):
    writer = CountingWriter(build_sessionmaker(engine), backlog=limit, fail_first=fail_first)
    return writer, AuditQueue(writer, gather_s=gather_s, limit=limit)


def test_entries_submitted_together_go_in_one_insert(database):
    writer, queue = queue_on(database, gather_s=0.2)
    queue.start()
    for n in range(25):
        queue.submit(entry(f"agent-{n}"))
    assert queue.settle(timeout_s=5)
    assert rows(database) == 25
    assert writer.batches == [25]
    queue.close(timeout_s=5)


def test_settle_hurries_the_thread_instead_of_waiting_out_the_gathering(database):
    _writer, queue = queue_on(database, gather_s=30)
    queue.start()
    queue.submit(entry("agent"))
    started = time.monotonic()
    assert queue.settle(timeout_s=10)
    assert time.monotonic() - started < 5
    assert rows(database) == 1
    queue.close(timeout_s=5)


def test_close_writes_what_is_still_queued(database):
    _writer, queue = queue_on(database, gather_s=30)
    queue.start()
    for n in range(3):
        queue.submit(entry(f"agent-{n}"))
    queue.close(timeout_s=10)
    assert rows(database) == 3
    assert queue.pending == 0


def test_close_writes_the_entries_of_a_queue_whose_thread_never_ran(database):
    _writer, queue = queue_on(database, gather_s=0)
    queue.submit(entry("queued"))
    queue.close(timeout_s=1)
    assert rows(database) == 1


def test_a_full_queue_drops_the_oldest_entry_and_logs_it_in_full(database, caplog):
    _writer, queue = queue_on(database, gather_s=0, limit=2)  # not started: nothing drains it
    with caplog.at_level(logging.CRITICAL, logger="service.audit.background"):
        for name in ("oldest", "middle", "newest"):
            queue.submit(entry(name))
    assert queue.pending == 2
    assert "audit queue full" in caplog.text and "oldest" in caplog.text
    assert not queue.settle(timeout_s=0.1)


def test_a_defect_in_one_batch_is_logged_and_the_thread_goes_on(database, caplog):
    writer, queue = queue_on(database, gather_s=0, fail_first=True)
    queue.start()
    with caplog.at_level(logging.ERROR, logger="service.audit.background"):
        queue.submit(entry("lost-to-a-bug"))
        assert queue.settle(timeout_s=5)
    assert "lost-to-a-bug" in caplog.text
    queue.submit(entry("after"))
    assert queue.settle(timeout_s=5)
    assert rows(database) == 1 and len(writer.batches) == 2
    queue.close(timeout_s=5)
