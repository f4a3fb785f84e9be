"""A real three-node cluster with one replica: the cluster manager killed -9 while agents work through the real
server loses no lookup (every lookup 200, every write 201 or 200) and no write (`index verify` finds the index equal
to the database). The figures of each run are printed (`-s` shows them)."""

import asyncio
import dataclasses
import os
import subprocess
import sys
import time

from indexer.rebuild import rebuild
from indexer.sync import wait_until_drained
from service.db.session import build_engine
from service.demo.loader import load_demo_data
from service.opensearch.client import build_client
from service.settings import Settings
from tests.conftest import POSTGRES_ENV
from tests.support import traffic
from tests.support.server import running_server

AGENTS = 4
LOAD_S = 8.0
MAX_REQUESTS = 1200
KILL_AFTER_S = 2.5
THINK_S = 0.02


def test_a_node_killed_under_agent_load_loses_no_lookup_and_no_write(cluster, make_database, test_root, run_prefix):
    backend = "postgresql" if os.environ.get(POSTGRES_ENV) else "sqlite"
    db = make_database(backend, "cluster")
    own = Settings(
        home=test_root / "home",
        database_url=db.url,
        opensearch_url=cluster.url,
        index_prefix=f"{run_prefix}-cluster",
        index_replicas=1,
    )
    env = {
        "CONTACT_LOOKUP_DATABASE_URL": own.database_url,
        "CONTACT_LOOKUP_OPENSEARCH_URL": own.opensearch_url,
        "CONTACT_LOOKUP_INDEX_PREFIX": own.index_prefix,
        "CONTACT_LOOKUP_INDEX_REPLICAS": "1",
        "CONTACT_LOOKUP_HOME": str(own.home),
        "CONTACT_LOOKUP_RATE_LIMIT_PER_S": "0",
        "CONTACT_LOOKUP_SYNC_MAX_BACKOFF_S": "1",
    }
    engine = build_engine(own)
    client = build_client(own)
    try:
        load_demo_data(engine, contacts=300, seed=11, users=["amelie.roux"])
        target = traffic.prepare_target(engine, url="", agents=AGENTS)
        report = rebuild(settings=own, engine=engine, client=client)
        for index in report.indices.values():
            health = client.cluster.health(index=index)
            assert health["status"] == "green" and health["active_shards"] == 2, health
        victim = cluster.cluster_manager()
        with running_server(env, workers=2) as url:
            samples, killed_at = asyncio.run(_load_killing_a_node(cluster, victim, target, url))
            drained = wait_until_drained(engine, timeout_s=60)
        verified = subprocess.run(
            [sys.executable, "-m", "service.cli", "index", "verify"],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        client.indices.delete(index=f"{own.index_prefix}-*", params={"expand_wildcards": "all"})
        client.close()
        engine.dispose()

    lookups = [s for s in samples if s.operation not in traffic.WRITES]
    writes = [s for s in samples if s.operation in traffic.WRITES]
    after_kill = [s for s in samples if s.finished_at > killed_at + 0.5]
    print(
        f"\nkilled {cluster.names[victim]} (cluster manager) {KILL_AFTER_S} s into {LOAD_S} s of {AGENTS} agents: "
        f"lookups sent {len(lookups)}, answered 200 {sum(s.status == 200 for s in lookups)}; "
        f"writes sent {len(writes)}, answered 2xx {sum(s.status in (200, 201) for s in writes)}; "
        f"requests after the kill {len(after_kill)}; index verify: {verified.stdout.strip().splitlines()[-1:]}"
    )
    assert drained, "the server's sync worker did not drain the outbox on the two remaining nodes"
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert all(s.status == 200 for s in lookups), {s.status: s.error for s in lookups if s.status != 200}
    expected = {"log_communication": 201, "patch_contact": 200}
    assert all(s.status == expected[s.operation] for s in writes), [
        (s.operation, s.status, s.error) for s in writes if s.status not in (200, 201)
    ]
    assert len([s for s in after_kill if s.operation not in traffic.WRITES]) >= 50, "the load went on after the kill"
    assert any(s.operation in traffic.WRITES for s in after_kill), "writes made after the kill were checked too"


async def _load_killing_a_node(cluster, victim, target, url):
    target = dataclasses.replace(target, url=url)
    load = asyncio.create_task(
        traffic.run(target, concurrency=AGENTS, duration_s=LOAD_S, max_requests=MAX_REQUESTS, think_s=THINK_S)
    )
    await asyncio.sleep(KILL_AFTER_S)
    await asyncio.to_thread(cluster.kill, victim)
    killed_at = time.monotonic()
    return await load, killed_at
