"""An interrupted import resumes from its checkpoint and converges to the state of one uninterrupted run."""

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from service.db.session import build_engine, build_sessionmaker
from service.imports.readers import UnusableFile
from service.models import Contact, ImportCheckpoint, OutboxEntry
from tests.service.imports.conftest import person

LINES = 4000


def line(n):
    """A contact without access tokens: hashing a secret costs more than the rest of the line."""
    return person(f"CRM-{n:05d}", first_name=f"Marie{n}", access_tokens=[])


def checkpoint(engine):
    with build_sessionmaker(engine)() as session:
        found = session.scalars(select(ImportCheckpoint)).all()
    return [(c.source, c.line) for c in found]


def state(engine):
    """Every contact with its lists, without database ids or times, and the outbox as the documents it names."""
    with build_sessionmaker(engine)() as session:
        contacts = session.scalars(
            select(Contact)
            .order_by(Contact.external_id)
            .options(
                selectinload(Contact.phones),
                selectinload(Contact.emails),
                selectinload(Contact.addresses),
                selectinload(Contact.ar_accounts),
            )
        ).all()
        rows = [
            (
                c.external_id,
                c.first_name,
                c.last_name,
                c.business_unit,
                c.version,
                [(p.number, p.e164, p.is_primary) for p in c.phones],
                [e.address for e in c.emails],
                [(a.street, a.city, a.country) for a in c.addresses],
                [(a.number, a.name, a.currency) for a in c.ar_accounts],
            )
            for c in contacts
        ]
        outbox = session.execute(select(OutboxEntry.entity, OutboxEntry.entity_id)).all()
        external = {c.id: c.external_id for c in contacts}
    return rows, sorted((entity, external[entity_id]) for entity, entity_id in outbox)


def test_a_resumed_import_skips_the_lines_its_checkpoint_names_and_forgets_it_when_done(target):
    path = target.file("contacts.jsonl", *(line(n) for n in range(10)))
    with build_sessionmaker(target.engine).begin() as session:
        session.add(ImportCheckpoint(source=str(path.resolve()), fingerprint="x", line=6))
    with pytest.raises(UnusableFile, match="checkpoint at line 6 is of another file"):
        target.run(path, resume=True)

    report = target.run(path, batch_size=4)
    assert (report.created, report.skipped) == (10, 0), "without --resume the file is read from line 1"
    assert checkpoint(target.engine) == [], "a finished file leaves no checkpoint"


def test_a_checkpoint_is_committed_with_each_batch(target, monkeypatch):
    from service.imports import importer

    path = target.file("contacts.jsonl", *(line(n) for n in range(10)))
    calls = 0
    real = importer._write

    def failing_third_batch(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, "_write", failing_third_batch)
    with pytest.raises(KeyboardInterrupt):
        target.run(path, batch_size=3)
    assert checkpoint(target.engine) == [(str(path.resolve()), 6)]
    assert len(target.contacts()) == 6
    monkeypatch.setattr(importer, "_write", real)

    report = target.run(path, batch_size=3, resume=True)
    assert (report.skipped, report.created, report.unchanged) == (6, 4, 0)
    assert sorted(target.contacts()) == [f"CRM-{n:05d}" for n in range(10)]


def test_an_import_killed_with_sigkill_and_resumed_stores_what_one_uninterrupted_run_stores(
    target, make_database, database
):
    path = target.file("contacts.jsonl", *(line(n) for n in range(LINES)))
    env = {**os.environ, "CONTACT_LOOKUP_DATABASE_URL": target.settings.database_url}
    command = [sys.executable, "-m", "service.cli", "import", str(path), "--no-progress", "--batch-size", "100"]
    killed = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(at >= 1000 for _, at in checkpoint(target.engine)):
        assert killed.poll() is None, "the import ended before it could be killed: make the file larger"
        time.sleep(0.05)
    killed.send_signal(signal.SIGKILL)
    assert killed.wait(10) == -signal.SIGKILL
    [(_, reached)] = checkpoint(target.engine)
    assert 1000 <= reached < LINES
    assert len(target.contacts()) >= reached

    resumed = subprocess.run([*command, "--resume"], env=env, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert checkpoint(target.engine) == []

    other = build_engine(
        target.settings.model_copy(update={"database_url": make_database(database.backend, "once").url})
    )
    try:
        once_env = {**env, "CONTACT_LOOKUP_DATABASE_URL": other.url.render_as_string(hide_password=False)}
        once = subprocess.run(command, env=once_env, capture_output=True, text=True, timeout=300)
        assert once.returncode == 0, once.stderr
        mine, theirs = state(target.engine), state(other)
        assert len(mine[0]) == LINES
        assert mine == theirs
    finally:
        other.dispose()
