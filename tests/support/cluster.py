"""A real three-node OpenSearch cluster on loopback for the tests: three processes of the integ-test distribution.

Each node has its own HTTP and transport ports, data, logs and config folders, and a small heap; they find each
other through `discovery.seed_hosts` and elect a cluster manager among `cluster.initial_cluster_manager_nodes`
(https://docs.opensearch.org/2.19/tuning-your-cluster/). A node can be killed outright, as a crash would, and
started again on the same ports and data.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import httpx

from service.opensearch import local_node
from service.settings import Settings

NODES = 3
HEAP = "384m"
READY_TIMEOUT_S = 180.0


class Cluster:
    def __init__(self, root: Path, *, nodes: int = NODES, heap: str = HEAP) -> None:
        self.root = root
        self.settings = Settings(home=root, opensearch_heap=heap)
        self.names = [f"contact-lookup-node-{i}" for i in range(nodes)]
        self.http_ports = [local_node.free_port() for _ in range(nodes)]
        self.transport_ports = [local_node.free_port() for _ in range(nodes)]
        self.cluster_name = f"contact-lookup-cluster-{uuid.uuid4().hex[:8]}"
        self._processes: list[subprocess.Popen[bytes] | None] = [None] * nodes

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.http_ports]

    @property
    def url(self) -> str:
        """Every node, as `CONTACT_LOOKUP_OPENSEARCH_URL` takes them."""
        return ",".join(self.urls)

    def _launch(self, i: int) -> None:
        node = self.root / self.names[i]
        self._processes[i], _ = local_node.launch(
            self.settings,
            data_dir=node / "data",
            log_dir=node / "logs",
            port=self.http_ports[i],
            options={
                "discovery.type": None,
                "cluster.name": self.cluster_name,
                "node.name": self.names[i],
                "transport.port": str(self.transport_ports[i]),
                "discovery.seed_hosts": ",".join(f"127.0.0.1:{port}" for port in self.transport_ports),
                "cluster.initial_cluster_manager_nodes": ",".join(self.names),
            },
        )

    def start(self) -> None:
        """Start every node not running; returns once all of them have joined and the cluster is not red."""
        for i, process in enumerate(self._processes):
            if process is None or process.poll() is not None:
                self._launch(i)
        try:
            self._wait_for_nodes(len(self.names))
        except BaseException:
            self.stop()
            raise

    def _wait_for_nodes(self, count: int) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            for i, process in enumerate(self._processes):
                if process is not None and process.poll() is not None:
                    raise local_node.NodeError(f"{self.names[i]} exited with {process.returncode}:\n{self.tail(i)}")
            for url in self.urls:
                with contextlib.suppress(httpx.HTTPError, ValueError):
                    health = httpx.get(
                        f"{url}/_cluster/health",
                        params={"wait_for_nodes": str(count), "wait_for_status": "yellow", "timeout": "2s"},
                        timeout=5.0,
                    ).json()
                    if health.get("number_of_nodes") == count and health.get("status") in ("green", "yellow"):
                        return
            time.sleep(0.5)
        raise local_node.NodeError(
            f"the cluster did not gather {count} nodes in {READY_TIMEOUT_S:.0f} s:\n{self.tail(0)}"
        )

    def tail(self, i: int) -> str:
        log = self.root / self.names[i] / "logs" / local_node.CONSOLE_LOG
        with contextlib.suppress(OSError):
            return "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        return "(no log)"

    def running(self) -> list[int]:
        return [i for i, p in enumerate(self._processes) if p is not None and p.poll() is None]

    def cluster_manager(self) -> int:
        """Which node is the elected cluster manager (asked of any live node)."""
        for i in self.running():
            with contextlib.suppress(httpx.HTTPError, ValueError, IndexError):
                rows = httpx.get(f"{self.urls[i]}/_cat/cluster_manager", params={"format": "json"}, timeout=5).json()
                return self.names.index(rows[0]["node"])
        raise local_node.NodeError("no live node names a cluster manager")

    def kill(self, i: int) -> None:
        """SIGKILL one node's whole process group, as a crash would."""
        process = self._processes[i]
        if process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            self._processes[i] = None

    def stop(self) -> None:
        """Stop exactly the processes this cluster started."""
        for i, process in enumerate(self._processes):
            if process is not None:
                local_node.terminate(process.pid)  # SIGTERM, then SIGKILL if still running after 30 s
                process.wait()
                self._processes[i] = None
