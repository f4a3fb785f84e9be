"""One real OpenSearch node for a test session: reuse CONTACT_LOOKUP_OPENSEARCH_URL, else start a throwaway one.

Where a Docker engine runs and CONTACT_LOOKUP_TEST_USE_TESTCONTAINERS=1, testcontainers can provide it instead.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

from service.opensearch import local_node
from service.settings import Settings

TESTCONTAINERS_IMAGE = "opensearchproject/opensearch:2.19.1"


class ThrowawayNode:
    """A node in its own folder; it can be killed and restarted on the same port and data (outage tests)."""

    def __init__(self, root: Path, *, settings: Settings | None = None) -> None:
        self.root = root
        self.settings = settings or Settings(home=root)
        self.port = local_node.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._process, _ = local_node.launch(
            self.settings, data_dir=self.root / "data", log_dir=self.root / "logs", port=self.port
        )
        local_node.wait_until_ready(
            self.url, process=self._process, log_file=self.root / "logs" / "console.log", timeout_s=180
        )

    def stop(self) -> None:
        if self._process is not None:
            local_node.terminate(self._process.pid)
            self._process.wait()
            self._process = None

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None


def _testcontainers_url() -> tuple[str, Callable[[], None]] | None:
    if os.environ.get("CONTACT_LOOKUP_TEST_USE_TESTCONTAINERS") != "1":
        return None
    try:
        from testcontainers.opensearch import OpenSearchContainer
    except ImportError:
        return None
    container = OpenSearchContainer(TESTCONTAINERS_IMAGE, security_enabled=False)
    container.start()
    host = container.get_container_host_ip()
    port = container.get_exposed_port(9200)
    return f"http://{host}:{port}", container.stop


def opensearch_url_for_tests(root: Path) -> tuple[str, Callable[[], None]]:
    configured = os.environ.get("CONTACT_LOOKUP_OPENSEARCH_URL")
    if configured:
        local_node.wait_until_ready(configured, process=None, log_file=Path("/dev/null"), timeout_s=60)
        return configured, lambda: None
    containers = _testcontainers_url()
    if containers is not None:
        return containers
    node = ThrowawayNode(root)
    node.start()
    return node.url, node.stop
