"""One real OpenSearch node for a test session: reuse CONTACT_LOOKUP_OPENSEARCH_URL, else start a throwaway one.

Where a Docker engine answers and CONTACT_LOOKUP_TEST_USE_TESTCONTAINERS=1, testcontainers provides it instead.
The throwaway node never touches the user's node.json: it lives in the test session's temporary folder.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

from service.opensearch import local_node
from service.settings import Settings

READY_TIMEOUT_S = local_node.START_TIMEOUT_S


class ThrowawayNode:
    """A node in its own folder that keeps its port and data across restarts (outage tests stop and kill it)."""

    def __init__(self, root: Path, *, settings: Settings | None = None, port: int | None = None) -> None:
        self.root = root
        self.settings = settings or Settings(home=root)
        self.port = port or local_node.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_file = root / "logs" / local_node.CONSOLE_LOG
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start (or restart) on the same port and data folder; returns once the cluster is yellow."""
        if self._process is not None:
            return
        self._process, _ = local_node.launch(
            self.settings, data_dir=self.root / "data", log_dir=self.root / "logs", port=self.port
        )
        try:
            local_node.wait_until_ready(
                self.url, process=self._process, log_file=self.log_file, timeout_s=READY_TIMEOUT_S
            )
        except local_node.NodeError:
            self.kill()
            raise

    def stop(self) -> None:
        """Graceful shutdown (SIGTERM to the node's process group, SIGKILL after 30 s)."""
        if self._process is not None:
            local_node.terminate(self._process.pid)
            self._process.wait()
            self._process = None

    def kill(self) -> None:
        """SIGKILL the whole process group, as a crash would."""
        if self._process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()
            self._process = None


def _docker_answers() -> bool:
    try:
        import docker

        return bool(docker.from_env(timeout=5).ping())
    except Exception:
        return False


def _testcontainers_url(settings: Settings) -> tuple[str, Callable[[], None]] | None:
    if os.environ.get("CONTACT_LOOKUP_TEST_USE_TESTCONTAINERS") != "1":
        return None
    try:
        from testcontainers.opensearch import OpenSearchContainer
    except ImportError:
        return None
    if not _docker_answers():
        return None
    image = f"opensearchproject/opensearch:{settings.opensearch_version}"
    # Since 2.12 `plugins.security.disabled` alone still runs the demo installer, which demands an admin
    # password and blocks the start (testcontainers-python#772); the entrypoint's own switches avoid it.
    container = (
        OpenSearchContainer(image, security_enabled=False)
        .with_env("DISABLE_SECURITY_PLUGIN", "true")
        .with_env("DISABLE_INSTALL_DEMO_CONFIG", "true")
        .with_env("OPENSEARCH_JAVA_OPTS", f"-Xms{settings.opensearch_heap} -Xmx{settings.opensearch_heap}")
        .with_env("cluster.routing.allocation.disk.threshold_enabled", "false")
    )
    container.start()
    url = f"http://{container.get_container_host_ip()}:{container.get_exposed_port(9200)}"
    try:
        local_node.wait_until_ready(url, process=None, log_file=Path("/dev/null"), timeout_s=READY_TIMEOUT_S)
    except local_node.NodeError:
        container.stop()
        raise
    return url, container.stop


def opensearch_url_for_tests(tmp_root: Path) -> tuple[str, Callable[[], None]]:
    """The session's cluster URL and how to stop it (a no-op for a cluster the session did not start)."""
    configured = os.environ.get("CONTACT_LOOKUP_OPENSEARCH_URL")
    if configured:
        local_node.wait_until_ready(configured, process=None, log_file=Path("/dev/null"), timeout_s=60)
        return configured, lambda: None
    settings = Settings(home=tmp_root)
    containers = _testcontainers_url(settings)
    if containers is not None:
        return containers
    node = ThrowawayNode(tmp_root, settings=settings)
    node.start()
    return node.url, node.stop
