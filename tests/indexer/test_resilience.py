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
from service.db.session import build_engine, build_sessionmaker
from service.demo.loader import load_demo_data
from service.models import Contact, OutboxEntry
from service.opensearch.client import build_client
from service.settings import Settings
from tests.conftest import POSTGRES_ENV
from tests.indexer.conftest import cli_env
from tests.support import sync_worker
from tests.support.scenario import build


def assert_mirrored(settings, engine, client):
    results = verify(settings=settings, engine=engine, client=client)
    assert all(d.clean for d in results.values()), {a: d.lines(a) for a, d in results.items()}


def touch_contacts(engine, ids, *, tag):
    """One ORM transaction per contact, as API writes would be."""
    sessions = build_sessionmaker(engine)
    for contact_id in ids:
        with sessions.begin() as session:
            session.get(Contact, contact_id).category = tag


def touch_in_one_transaction(engine, ids, *, tag):
    with build_sessionmaker(engine).begin() as session:
        for contact in session.scalars(select(Contact).where(Contact.id.in_(ids))):
            contact.category = tag


def spawn_worker(env):
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "index", "sync"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def drain_once_in_a_fresh_process(env):
    once = subprocess.run(
        [sys.executable, "-m", "service.cli", "index", "sync", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert once.returncode == 0, once.stderr


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
    env = cli_env(settings)
    worker = spawn_worker(env)
    deadline = time.monotonic() + 60
    while pending(engine) > before * 0.7 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    assert 0 < pending(engine) < before, "the worker was killed while entries were still pending"

    drain_once_in_a_fresh_process(env)
    assert pending(engine) == 0
    verified = subprocess.run(
        [sys.executable, "-m", "service.cli", "index", "verify"], env=env, capture_output=True, text=True, timeout=120
    )
    assert verified.returncode == 0, verified.stdout
    assert "index matches the database" in verified.stdout


KILLS = 20
ROUND_WRITES = 600
MAX_BLIND_DELAY_S = 2.5


def seconds_to_drain(engine, context, settings, *, timeout_s=60):
    """From starting a worker to an empty queue: claims, bulks and acknowledgements."""
    started = time.monotonic()
    worker = sync_worker.start(context, settings)
    try:
        while pending(engine) and time.monotonic() - started < timeout_s:
            time.sleep(0.01)
        return time.monotonic() - started
    finally:
        worker.kill()
        worker.join()


def wait_for_progress(engine, before, *, timeout_s):
    """Until the worker has acknowledged its first batch (the queue shrank), or the timeout."""
    deadline = time.monotonic() + timeout_s
    while pending(engine) >= before and time.monotonic() < deadline:
        time.sleep(0.005)


@pytest.fixture
def populated_once(make_database, test_root, opensearch_url, run_prefix, os_client):
    """Once per test run rather than per backend (the single-kill test covers both): on PostgreSQL when it is
    configured, production's database with its `SKIP LOCKED` claims, else on SQLite."""
    backend = "postgresql" if os.environ.get(POSTGRES_ENV) else "sqlite"
    settings = Settings(
        home=test_root / "home",
        database_url=make_database(backend, "kills").url,
        opensearch_url=opensearch_url,
        index_prefix=f"{run_prefix}-kills",
    )
    engine = build_engine(settings)
    with build_sessionmaker(engine).begin() as session:
        build(session)
    load_demo_data(engine, contacts=1500, seed=11, users=["agent"])
    rebuild(settings=settings, engine=engine, client=os_client)
    yield settings, engine
    engine.dispose()
    os_client.indices.delete(index=f"{settings.index_prefix}-*", params={"expand_wildcards": "all"})


def test_sync_worker_killed_at_random_points_twenty_times_leaves_the_index_equal_to_the_database(
    populated_once, os_client
):
    """Half the kills land at a random instant of a worker's life (measured first), mostly before or during its first
    claim and bulk; the other half just after it acknowledged its first batch, in the middle of the next. Writes
    keep arriving meanwhile. Whatever a dead worker claimed but did not acknowledge is pending again, so one last
    drain makes the index equal the database. Workers are forked from a pre-loaded server, so twenty kills take
    seconds, not minutes of interpreter start-ups."""
    settings, engine = populated_once
    with build_sessionmaker(engine)() as session:
        ids = session.scalars(select(Contact.id).order_by(Contact.id)).all()
    meanwhile_ids, round_ids = ids[:100], ids[100:]
    context = sync_worker.forkserver()
    rng = random.Random(2026)
    touch_in_one_transaction(engine, rng.sample(round_ids, ROUND_WRITES), tag="calibration")
    life_s = seconds_to_drain(engine, context, settings)
    stop = threading.Event()

    def keep_writing():
        """On contacts of its own: two writers on one contact would be an optimistic-version conflict."""
        writes = random.Random(7)
        while not stop.wait(0.1):
            touch_in_one_transaction(engine, writes.sample(meanwhile_ids, 10), tag=f"meanwhile-{writes.randrange(999)}")

    writer = threading.Thread(target=keep_writing)
    writer.start()
    started = time.monotonic()
    mid_queue = 0
    try:
        for kill in range(KILLS):
            touch_in_one_transaction(engine, rng.sample(round_ids, ROUND_WRITES), tag=f"round-{kill}")
            before = pending(engine)
            worker = sync_worker.start(context, settings)
            if kill % 2:
                wait_for_progress(engine, before, timeout_s=10 * life_s)
                time.sleep(rng.uniform(0, 0.3))
            else:
                time.sleep(rng.uniform(0, min(1.2 * life_s, MAX_BLIND_DELAY_S)))
            worker.kill()
            worker.join()
            assert worker.exitcode == -signal.SIGKILL
            mid_queue += 0 < pending(engine) < before
    finally:
        stop.set()
        writer.join()
    elapsed = time.monotonic() - started
    print(f"{KILLS} kills in {elapsed:.0f} s (a worker's life: {life_s:.1f} s); {mid_queue} left it part-drained")
    assert mid_queue >= KILLS // 4, "kills are meant to land part way through the queue too"
    drain_once_in_a_fresh_process(cli_env(settings))
    assert pending(engine) == 0
    assert_mirrored(settings, engine, os_client)


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
