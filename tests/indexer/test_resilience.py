"""The mirror survives the real world: a worker killed mid-batch, writes during a rebuild, an engine restart."""

import os
import random
import signal
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import func, select

from indexer.rebuild import rebuild
from indexer.sync import OutboxSync, start_background, wait_until_drained
from indexer.verify import verify
from service.db.session import build_sessionmaker
from service.demo.loader import load_demo_data
from service.models import Contact, OutboxEntry
from service.opensearch.client import build_client


def assert_mirrored(settings, engine, client):
    results = verify(settings=settings, engine=engine, client=client)
    assert all(d.clean for d in results.values()), {a: d.lines(a) for a, d in results.items()}


def touch_contacts(engine, ids, *, tag):
    """One ORM transaction per contact, as API writes would be."""
    sessions = build_sessionmaker(engine)
    for contact_id in ids:
        with sessions.begin() as session:
            session.get(Contact, contact_id).category = tag


def pending(engine):
    with build_sessionmaker(engine)() as session:
        return session.scalar(select(func.count()).select_from(OutboxEntry))


@pytest.fixture
def populated(own, os_client):
    settings, engine = own
    load_demo_data(engine, contacts=1500, seed=11, users=["agent"])
    rebuild(settings=settings, engine=engine, client=os_client)
    return settings, engine


def test_sync_worker_killed_mid_batch_loses_nothing_after_restart(populated, os_client, database):
    settings, engine = populated
    with build_sessionmaker(engine)() as session:
        ids = session.scalars(select(Contact.id)).all()
    touch_contacts(engine, ids, tag="residential-2")
    before = pending(engine)
    env = {
        **os.environ,
        "CONTACT_LOOKUP_DATABASE_URL": settings.database_url,
        "CONTACT_LOOKUP_OPENSEARCH_URL": settings.opensearch_url,
        "CONTACT_LOOKUP_INDEX_PREFIX": settings.index_prefix,
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "index", "sync"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while pending(engine) > before * 0.7 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    assert 0 < pending(engine) < before, "the worker was killed while entries were still pending"

    once = subprocess.run(
        [sys.executable, "-m", "service.cli", "index", "sync", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert once.returncode == 0, once.stderr
    assert pending(engine) == 0
    verified = subprocess.run(
        [sys.executable, "-m", "service.cli", "index", "verify"], env=env, capture_output=True, text=True, timeout=120
    )
    assert verified.returncode == 0, verified.stdout
    assert "index matches the database" in verified.stdout


def test_writes_made_during_a_rebuild_are_not_lost(populated, os_client):
    settings, engine = populated
    with build_sessionmaker(engine)() as session:
        ids = session.scalars(select(Contact.id)).all()
    thread, stop = start_background(settings=settings, engine=engine, client=build_client(settings))
    try:
        rebuilding = threading.Thread(
            target=rebuild,
            kwargs={"settings": settings, "engine": engine, "client": build_client(settings), "drain_outbox": False},
        )
        rebuilding.start()
        touched = 0
        rng = random.Random(5)
        while rebuilding.is_alive():
            touch_contacts(engine, rng.sample(ids, 5), tag=f"during-{touched}")
            touched += 5
        rebuilding.join()
        touch_contacts(engine, rng.sample(ids, 5), tag="after")
        assert touched > 0
        assert wait_until_drained(engine, timeout_s=30)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert_mirrored(settings, engine, os_client)


def test_engine_stopped_and_restarted_during_sync_loses_nothing(own, outage_node, database):
    node = outage_node
    settings, engine = own
    settings = settings.model_copy(update={"opensearch_url": node.url})
    client = build_client(settings)
    try:
        rebuild(settings=settings, engine=engine, client=client)
        worker = OutboxSync(settings=settings, engine=engine, client=client)
        stop = threading.Event()
        thread = threading.Thread(target=worker.run, args=(stop,), kwargs={"max_backoff_s": 1.0})
        thread.start()
        with build_sessionmaker(engine)() as session:
            ids = session.scalars(select(Contact.id)).all()
        touch_contacts(engine, ids, tag="before-outage")
        node.stop()
        touch_contacts(engine, ids, tag="during-outage")
        time.sleep(2)
        assert pending(engine) > 0
        node.start()
        assert wait_until_drained(engine, timeout_s=60)
        stop.set()
        thread.join(timeout=10)
        assert_mirrored(settings, engine, client)
        hits = client.search(index=settings.contacts_alias, body={"query": {"term": {"category": "during-outage"}}})
        assert hits["hits"]["total"]["value"] == len(ids)
    finally:
        node.start()
        client.indices.delete(index=f"{settings.index_prefix}-*", params={"expand_wildcards": "all"})
        client.close()
