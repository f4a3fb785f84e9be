"""On a real three-node cluster a rebuild swaps an alias only onto a green index: replicas the cluster cannot
place fail the rebuild loudly after the settings' timeout, the new index is dropped, and the old one serves on."""

import os
import subprocess
import sys
import time

from indexer import aliases
from indexer.rebuild import rebuild
from service.db.session import build_engine, build_sessionmaker
from service.opensearch.client import build_client
from service.settings import Settings
from tests.support import scenario


def test_a_rebuild_waits_for_green_and_refuses_to_swap_onto_an_index_that_cannot_be(
    cluster, make_database, test_root, run_prefix
):
    db = make_database("sqlite", "green")
    own = Settings(
        home=test_root / "home",
        database_url=db.url,
        opensearch_url=cluster.url,
        index_prefix=f"{run_prefix}-green",
        index_replicas=2,
        index_shards_communications=2,
    )
    engine = build_engine(own)
    client = build_client(own)
    try:
        with build_sessionmaker(engine).begin() as session:
            scenario.build(session)
        first = rebuild(settings=own, engine=engine, client=client)
        serving = first.indices[own.contacts_alias]
        # Two replicas on three nodes: every copy placed, and the swap came only once they all were.
        assert client.cluster.health(index=serving)["status"] == "green"
        assert client.cluster.health(index=first.indices[own.communications_alias])["active_primary_shards"] == 2

        env = {
            **os.environ,
            "CONTACT_LOOKUP_DATABASE_URL": own.database_url,
            "CONTACT_LOOKUP_OPENSEARCH_URL": own.opensearch_url,
            "CONTACT_LOOKUP_INDEX_PREFIX": own.index_prefix,
            "CONTACT_LOOKUP_HOME": str(own.home),
            "CONTACT_LOOKUP_INDEX_REPLICAS": "3",  # four copies of each shard, three nodes to hold them
            "CONTACT_LOOKUP_INDEX_GREEN_TIMEOUT_S": "2",
        }
        started = time.monotonic()
        refused = subprocess.run(
            [sys.executable, "-m", "service.cli", "index", "rebuild", "--no-progress"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        elapsed = time.monotonic() - started
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert "yellow after 2 s" in refused.stderr and "the alias was not moved" in refused.stderr, refused.stderr
        assert "Traceback" not in refused.stderr
        assert elapsed < 60, elapsed
        assert aliases.indices_of(client, own.contacts_alias) == [serving]
        assert aliases.versions_of(client, own.contacts_alias) == [serving], "the refused index was dropped"
    finally:
        client.indices.delete(index=f"{own.index_prefix}-*", params={"expand_wildcards": "all"})
        client.close()
        engine.dispose()
