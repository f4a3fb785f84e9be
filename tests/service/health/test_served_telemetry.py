"""The real `contact-lookup serve --workers 2`: metrics summed over both workers, uvicorn's access lines and the
sync worker's warnings as JSON lines carrying the request id."""

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from service.db.session import build_engine, build_sessionmaker
from tests.support.builders import make_contact
from tests.support.server import _wait_until_healthy, free_port

MAX_REQUESTS = 200


@pytest.fixture(scope="module")
def served(make_database, test_root):
    """Two workers on a database with one contact waiting in the outbox, and an engine that refuses connections:
    the sync worker beside the API has something to warn about (the API answers /health and /metrics without it)."""
    db = make_database("sqlite", "served-telemetry")
    engine = build_engine_for(db.url)
    with build_sessionmaker(engine).begin() as session:
        make_contact(session)
    engine.dispose()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **{k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"},
        "CONTACT_LOOKUP_HOME": str(test_root / "served-telemetry"),
        "CONTACT_LOOKUP_DATABASE_URL": db.url,
        "CONTACT_LOOKUP_OPENSEARCH_URL": "http://127.0.0.1:9",
        "CONTACT_LOOKUP_LOG_FORMAT": "json",
        "CONTACT_LOOKUP_SYNC_MAX_BACKOFF_S": "1",
    }
    command = [sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--workers", "2"]
    with tempfile.NamedTemporaryFile(suffix=".log") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            _wait_until_healthy(process, url, log, 60)
            yield url, Path(log.name)
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def build_engine_for(url):
    from service.settings import Settings

    return build_engine(Settings(database_url=url))


def scrape(url):
    response = httpx.get(f"{url}/metrics", timeout=10)
    assert response.status_code == 200, response.text
    return [s for family in text_string_to_metric_families(response.text) for s in family.samples]


def json_lines(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.startswith("{")]


def test_two_workers_metrics_are_summed_whichever_worker_answers(served):
    url, _ = served
    route = {"method": "GET", "route": "/health", "status": "200"}
    before = sum(s.value for s in scrape(url) if s.name == "contact_lookup_http_requests_total" and s.labels == route)
    sent = 0
    pids: set[str] = set()
    while sent < MAX_REQUESTS and len(pids) < 2:
        for _ in range(10):  # a new connection each: the kernel spreads them over the workers
            assert httpx.get(f"{url}/health", timeout=5).status_code == 200
            sent += 1
        pids = {s.labels.get("pid") for s in scrape(url) if s.name == "contact_lookup_worker_resident_memory_bytes"} - {
            None
        }
    assert len(pids) == 2, f"both workers answered within {sent} requests"
    for _ in range(3):  # each scrape may be answered by either worker: all see the same sum
        counted = sum(
            s.value for s in scrape(url) if s.name == "contact_lookup_http_requests_total" and s.labels == route
        )
        assert counted - before == sent


def test_access_lines_are_json_and_carry_the_request_id(served):
    url, log = served
    request_id = f"served-{uuid.uuid4().hex[:12]}"
    response = httpx.get(f"{url}/health", headers={"X-Request-ID": request_id}, timeout=5)
    assert response.headers["x-request-id"] == request_id
    deadline = time.monotonic() + 10
    while True:
        access = [line for line in json_lines(log) if line.get("request_id") == request_id]
        if access or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    [line] = access
    assert line["logger"] == "uvicorn.access" and "GET /health" in line["message"]


def test_the_sync_workers_warnings_are_json_lines(served):
    _, log = served
    deadline = time.monotonic() + 30
    while True:
        warned = [line for line in json_lines(log) if line.get("logger") == "indexer.sync"]
        if warned or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert warned, log.read_text()[-3000:]
    # A refused connection is logged as a failed pass (with its traceback in `exc_info`), an outage the sync
    # recognises as "sync paused": either way through the configured handler, not Python's last resort.
    assert warned[0]["level"] in ("WARNING", "ERROR")
    assert warned[0]["message"].startswith(("sync paused", "sync pass failed"))
    assert warned[0]["request_id"] == "-"
