"""The first-look path end to end: `contact-lookup run`, then the printed request finds the contact by phone."""

import os
import shlex
import subprocess
import sys
import time

import httpx

from tests.support.server import free_port


def test_run_prints_a_working_phone_search_and_the_console_address(tmp_path, opensearch_url, run_prefix):
    port = free_port()
    env = {
        **os.environ,
        "CONTACT_LOOKUP_HOME": str(tmp_path),
        "CONTACT_LOOKUP_OPENSEARCH_URL": opensearch_url,
        "CONTACT_LOOKUP_INDEX_PREFIX": f"{run_prefix}-run",
    }
    command = [sys.executable, "-m", "service.cli", "run", "--port", str(port), "--contacts", "300"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        lines = []
        deadline = time.monotonic() + 240
        while not any(line.startswith("curl ") for line in lines):
            assert time.monotonic() < deadline, lines
            line = process.stdout.readline()
            assert line or process.poll() is None, f"run exited early: {lines}"
            lines.append(line.strip())
        comment = next(line for line in lines if line.startswith("# find "))
        curl = shlex.split(next(line for line in lines if line.startswith("curl ")))
        headers = dict(h.split(": ", 1) for h in (curl[i + 1] for i, a in enumerate(curl) if a == "-H"))
        body = curl[curl.index("-d") + 1]
        for _ in range(100):
            try:
                response = httpx.post(curl[-1], content=body, headers=headers, timeout=5)
                break
            except httpx.ConnectError:
                time.sleep(0.2)
        assert response.status_code == 200, response.text
        expected = comment.removeprefix("# find ").split(" (stored as")[0]
        assert [item["display_name"] for item in response.json()["items"]] == [expected]
        assert lines[-1].startswith("curl ") and any(line.startswith("demo-agent token: ") for line in lines)
        console = next(line for line in lines if line.startswith("agent console: ")).split()[2]
        assert httpx.get(console, timeout=5).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_run_stops_the_local_node_it_started_when_terminated(tmp_path):
    """A service manager stops `run` with SIGTERM; the engine it launched must not outlive it."""
    from service.opensearch import local_node
    from service.settings import Settings

    env = {k: v for k, v in os.environ.items() if k != "CONTACT_LOOKUP_OPENSEARCH_URL"}
    env["CONTACT_LOOKUP_HOME"] = str(tmp_path)
    command = [sys.executable, "-m", "service.cli", "run", "--port", str(free_port()), "--contacts", "20"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + 240
        while not (line := process.stdout.readline()).startswith("curl "):
            assert line or process.poll() is None, "run exited early"
            assert time.monotonic() < deadline
        node = local_node.status(Settings(home=tmp_path))
        assert node is not None and local_node.is_alive(node)
        process.terminate()
        assert process.wait(timeout=60) == 128 + 15
        assert not local_node.is_alive(node)
    finally:
        if process.poll() is None:
            process.kill()
        local_node.stop(Settings(home=tmp_path))
