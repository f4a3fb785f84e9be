"""The engine killed and restarted while agents keep working on a real server over loopback: every request is
answered (200/201, or 503 with Retry-After while the engine is away), searches recover without a restart, and
no write is lost: the index equals the database once the outbox has drained."""

import asyncio
import dataclasses
import os
import time

from sqlalchemy import func, select

from indexer.rebuild import rebuild
from indexer.sync import wait_until_drained
from indexer.verify import verify
from service.db.session import build_engine, build_sessionmaker
from service.demo.loader import load_demo_data
from service.models import Communication
from service.opensearch.client import build_client
from service.settings import Settings
from tests.conftest import POSTGRES_ENV
from tests.support import traffic
from tests.support.server import running_server

CONCURRENCY = 6
THINK_S = 0.05


def test_engine_killed_under_load_answers_every_request_and_loses_no_write(
    outage_node, make_database, test_root, run_prefix
):
    """Runs once per test run, on PostgreSQL when configured (production's database), else on SQLite."""
    backend = "postgresql" if os.environ.get(POSTGRES_ENV) else "sqlite"
    db = make_database(backend, "load")
    own = Settings(
        home=test_root / "home",
        database_url=db.url,
        opensearch_url=outage_node.url,
        index_prefix=f"{run_prefix}-load",
    )
    engine = build_engine(own)
    client = build_client(own)
    try:
        load_demo_data(engine, contacts=400, seed=5, users=["amelie.roux"])
        target = traffic.prepare_target(engine, url="", agents=4)
        rebuild(settings=own, engine=engine, client=client)
        env = {
            "CONTACT_LOOKUP_DATABASE_URL": own.database_url,
            "CONTACT_LOOKUP_OPENSEARCH_URL": own.opensearch_url,
            "CONTACT_LOOKUP_INDEX_PREFIX": own.index_prefix,
            "CONTACT_LOOKUP_HOME": str(own.home),
            "CONTACT_LOOKUP_RATE_LIMIT_PER_S": "0",
            "CONTACT_LOOKUP_SYNC_MAX_BACKOFF_S": "1",
        }
        with running_server(env, workers=2) as url:
            samples, killed_at, back_at = asyncio.run(_load_through_an_engine_restart(outage_node, target, url))
            drained = wait_until_drained(engine, timeout_s=60)
        assert drained, "the server's sync worker did not drain the outbox after the engine came back"
        results = verify(settings=own, engine=engine, client=client)
        assert all(d.clean for d in results.values()), {a: d.lines(a) for a, d in results.items()}
        with build_sessionmaker(engine)() as session:
            logged = session.scalar(
                select(func.count()).select_from(Communication).where(Communication.topic.like("Load call %"))
            )
    finally:
        outage_node.start()
        client.indices.delete(index=f"{own.index_prefix}-*", params={"expand_wildcards": "all"})
        client.close()
        engine.dispose()

    unanswered = [s for s in samples if s.status is None]
    assert not unanswered, unanswered[:5]
    assert {s.status for s in samples} <= {200, 201, 503}, {s.status: s.error for s in samples if s.status != 200}
    unavailable = [s for s in samples if s.status == 503]
    assert unavailable and all(s.retry_after for s in unavailable)
    assert all(s.operation not in traffic.WRITES for s in unavailable), "writes never need the engine"
    during = [s for s in samples if killed_at + 1 < s.finished_at < back_at]
    assert any(s.status == 503 for s in during)
    settled = [s for s in samples if s.finished_at > back_at + 2]
    assert settled and all(s.status in (200, 201) for s in settled), "searches recover without a restart"
    assert logged == sum(1 for s in samples if s.operation == "log_communication" and s.status == 201)


async def _load_through_an_engine_restart(node, target, url):
    target = dataclasses.replace(target, url=url)
    stop = asyncio.Event()
    load = asyncio.create_task(traffic.run(target, concurrency=CONCURRENCY, duration_s=180, think_s=THINK_S, stop=stop))
    await asyncio.sleep(3)
    node.kill()
    killed_at = time.monotonic()
    await asyncio.sleep(4)
    await asyncio.to_thread(node.start)
    back_at = time.monotonic()
    await asyncio.sleep(5)
    stop.set()
    samples = await load
    statuses = traffic.summarise(samples, seconds=time.monotonic() - killed_at + 3).by_status
    print(f"engine killed at +3 s and back {back_at - killed_at:.1f} s later; answers: {statuses}")
    return samples, killed_at, back_at
