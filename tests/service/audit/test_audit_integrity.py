"""The trail cannot be made unreadable (lone surrogates) or filled with junk (refused requests keep a bounded
summary; the memory backlog is bounded in bytes)."""

import json
import logging
import uuid

import pytest
from sqlalchemy import select

from service.audit import repository
from service.audit.background import AuditQueue
from service.audit.writer import AuditWriter
from service.auth.service import add_user
from service.db.session import build_engine, build_sessionmaker
from service.models import AuditEntry
from service.models.enums import UserRole
from service.settings import Settings
from tests.conftest import bearer
from tests.support.builders import audit_entry

JSON = {"Content-Type": "application/json"}
MAX_CRITERIA_BYTES = 2048  # issue 20: a refused request leaves at most 2 KB


@pytest.fixture
def caller(db_sessions, scenario):
    name = f"integrity-{uuid.uuid4().hex[:8]}"
    with db_sessions.begin() as session:
        _, token = add_user(session, name, UserRole.AGENT)
    return name, bearer(token)


async def trail(app_client, scenario, **params):
    response = await app_client.get("/api/audit", params=params, headers=bearer(scenario.tokens["admin"]))
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def test_a_lone_surrogate_in_a_quick_search_is_a_422_naming_the_value_and_the_trail_stays_readable(
    app_client, scenario, caller
):
    name, headers = caller
    content = b'{"field":"name","operator":"=","value":"x\\udfff"}'
    response = await app_client.post("/api/search/quick", content=content, headers=headers | JSON)
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith("value: contains a lone surrogate")
    [entry] = await trail(app_client, scenario, user=name)
    assert entry["outcome"] == "rejected" and entry["criteria"]["value"] == "x\ufffd"
    assert (await app_client.get("/api/audit", headers=bearer(scenario.tokens["admin"]))).status_code == 200


@pytest.mark.parametrize(
    ("path", "content", "where"),
    [
        ("/api/search/advanced", b'{"contact": {"last_name": "Lef\\ud800"}}', "contact.last_name"),
        ("/api/search/advanced", b'{"contact": {"\\udfffkey": "x"}}', "contact.\ufffdkey"),
        ("/api/communications/search", b'{"criteria": {"topic": "a\\udc00b"}}', "criteria.topic"),
    ],
)
async def test_a_lone_surrogate_anywhere_in_a_search_is_a_422_naming_where(
    app_client, scenario, caller, path, content, where
):
    name, headers = caller
    response = await app_client.post(path, content=content, headers=headers | JSON)
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith(f"{where}: contains a lone surrogate")
    [entry] = await trail(app_client, scenario, user=name)
    assert "\ufffd" in json.dumps(entry["criteria"], ensure_ascii=False)


async def test_an_entry_stored_with_a_lone_surrogate_still_reads_back(app_client, scenario, db_sessions):
    """As an older version wrote it: the JSON escape `\\udfff` is kept by SQLite and by PostgreSQL's json type."""
    name = f"stored-{uuid.uuid4().hex[:8]}"
    raw = audit_entry(name) | {"criteria": {"field": "name", "value": "x\udfff", "\ud800": ["\udc00"]}}
    with db_sessions.begin() as session:
        repository.insert(session, [raw])
    [entry] = await trail(app_client, scenario, user=name)
    assert entry["criteria"] == {"field": "name", "value": "x\ufffd", "\ufffd": ["\ufffd"]}
    assert (await app_client.get("/api/audit", headers=bearer(scenario.tokens["admin"]))).status_code == 200


async def test_a_refused_search_with_a_megabyte_of_junk_keys_leaves_at_most_two_kilobytes(
    app_client, scenario, caller, db_sessions
):
    name, headers = caller
    junk = {f"junk{n:06d}": "x" * 40 for n in range(15_000)}
    content = json.dumps({"contact": junk}).encode()
    assert len(content) > 800_000
    response = await app_client.post("/api/search/advanced", content=content, headers=headers | JSON)
    assert response.status_code == 422
    [entry] = await trail(app_client, scenario, user=name)
    assert entry["outcome"] == "rejected"
    criteria = entry["criteria"]
    assert len(json.dumps(criteria, ensure_ascii=False).encode()) <= MAX_CRITERIA_BYTES
    assert criteria["truncated"] is True and criteria["bytes"] >= 800_000
    assert criteria["keys"][0] == "contact.junk000000" and criteria["head"].startswith('{"contact":{"junk000000"')
    with db_sessions() as session:
        stored = session.scalar(select(AuditEntry.criteria).where(AuditEntry.user_name == name))
    assert len(json.dumps(stored).encode()) <= MAX_CRITERIA_BYTES


async def test_an_accepted_search_keeps_its_validated_criteria_whole(app_client, scenario, caller):
    name, headers = caller
    body = {"contact": {f"{key}": "Lef%" for key in ("last_name",)}, "size": 5}
    assert (await app_client.post("/api/search/advanced", json=body, headers=headers)).status_code == 200
    [entry] = await trail(app_client, scenario, user=name)
    assert entry["criteria"] == body


def big_entry(user: str, size: int = 10_000) -> dict:
    return audit_entry(user) | {"criteria": {"field": "name", "value": "x" * size}}


def unmigrated(tmp_path):
    engine = build_engine(Settings(database_url=f"sqlite:///{tmp_path / 'down.db'}"))
    return engine, build_sessionmaker(engine)


def test_the_writers_backlog_is_bounded_in_bytes_and_counts_what_it_drops(tmp_path, caplog):
    engine, sessions = unmigrated(tmp_path)
    writer = AuditWriter(sessions, backlog=10_000, backlog_bytes=50_000)
    with caplog.at_level(logging.CRITICAL, logger="service.audit.writer"):
        for n in range(20):
            assert writer.write([big_entry(f"held-{n}")]) is False
    assert writer.pending_bytes <= 50_000 and 1 <= writer.pending <= 5
    assert writer.dropped == 20 - writer.pending
    assert "audit backlog full" in caplog.text and "held-0" in caplog.text
    engine.dispose()


def test_the_queue_is_bounded_in_bytes_and_counts_what_it_drops(tmp_path, caplog):
    engine, sessions = unmigrated(tmp_path)
    queue = AuditQueue(AuditWriter(sessions, backlog=10_000), gather_s=0, limit=10_000, limit_bytes=50_000)
    with caplog.at_level(logging.CRITICAL, logger="service.audit.background"):
        for n in range(20):
            queue.submit(big_entry(f"queued-{n}"))  # not started: nothing drains it
    assert 1 <= queue.pending <= 5 and queue.dropped == 20 - queue.pending
    assert "audit queue full" in caplog.text and "queued-0" in caplog.text
    engine.dispose()


def test_the_app_bounds_its_audit_backlog_by_the_bytes_setting():
    assert Settings(audit_backlog_bytes=1234).audit_backlog_bytes == 1234
    assert Settings().audit_backlog_bytes == 16 * 1024 * 1024
