"""One rebuild at a time: a second is refused before it touches the engine, and a killed holder frees the lock."""

import signal
import subprocess
import sys
import time

import pytest

from indexer import aliases
from indexer.rebuild_lock import RebuildRunning, rebuild_lock
from tests.indexer.conftest import build, cli_env

HOLD = """
import sys, time
from indexer.rebuild_lock import rebuild_lock
from service.db.session import build_engine
from service.settings import Settings

settings = Settings()
with rebuild_lock(build_engine(settings), settings.index_prefix):
    print("held", flush=True)
    time.sleep(600)
"""


def test_a_rebuild_while_another_runs_is_refused_and_creates_no_index(own, os_client):
    settings, engine = own
    with rebuild_lock(engine, settings.index_prefix):
        with pytest.raises(RebuildRunning, match=f"another rebuild of the '{settings.index_prefix}' indices"):
            build(settings, engine, os_client)
        assert aliases.versions_of(os_client, settings.contacts_alias) == []
        assert not os_client.indices.exists_alias(name=aliases.building_alias(settings.contacts_alias))
    first = build(settings, engine, os_client)
    assert first.contacts > 0
    assert build(settings, engine, os_client).contacts == first.contacts, "the lock is released after each rebuild"


def test_the_lock_is_per_index_prefix(own, os_client):
    settings, engine = own
    with rebuild_lock(engine, f"{settings.index_prefix}-other"):
        assert build(settings, engine, os_client).contacts > 0


def test_the_cli_refuses_a_second_rebuild_naming_the_holder_and_a_killed_holder_frees_the_lock(own, os_client):
    settings, engine = own
    env = cli_env(settings)
    holder = subprocess.Popen([sys.executable, "-c", HOLD], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        refused = subprocess.run(
            [sys.executable, "-m", "service.cli", "index", "rebuild", "--no-progress"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert refused.returncode == 1
        assert "another rebuild" in refused.stderr
        if settings.database_url.startswith("sqlite"):
            assert f"pid {holder.pid}" in refused.stderr
        assert aliases.versions_of(os_client, settings.contacts_alias) == []
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)

    wait_for_the_lock(engine, settings)
    assert build(settings, engine, os_client).contacts > 0


def wait_for_the_lock(engine, settings) -> None:
    """PostgreSQL ends a dead client's session (and its advisory lock) once it reads the closed socket."""
    deadline = time.monotonic() + 10
    while True:
        try:
            with rebuild_lock(engine, settings.index_prefix):
                return
        except RebuildRunning:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
