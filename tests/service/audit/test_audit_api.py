"""Every lookup leaves one audit entry (who, what, which contacts, how it ended); admins read the trail."""

import itertools
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from service.app import create_app
from service.auth.service import add_user
from service.models.enums import UserRole
from tests.conftest import bearer

_names = itertools.count()


@pytest.fixture
def caller(db_sessions, scenario):
    """A user of its own, so its entries are exactly this test's."""
    name = f"auditee-{next(_names)}-{uuid.uuid4().hex[:6]}"
    with db_sessions.begin() as session:
        _, token = add_user(session, name, UserRole.AGENT)
    return name, bearer(token)


async def trail(app_client, scenario, **filters):
    params = {k: v for k, v in filters.items() if v is not None}
    response = await app_client.get("/api/audit", params=params, headers=bearer(scenario.tokens["admin"]))
    assert response.status_code == 200, response.text
    return response.json()


async def test_quick_search_is_audited_with_its_criteria_and_the_contacts_it_returned(app_client, scenario, caller):
    name, headers = caller
    body = {"field": "name", "operator": "like", "value": "Ma%"}
    found = await app_client.post("/api/search/quick", json=body, headers=headers)
    assert found.status_code == 200
    [entry] = (await trail(app_client, scenario, user=name))["items"]
    assert entry["endpoint"] == "quick_search" and entry["outcome"] == "ok" and entry["status_code"] == 200
    assert entry["criteria"] == body
    assert sorted(entry["contact_ids"]) == sorted([scenario.ids["marie"], scenario.ids["maria"]])
    assert entry["total"] == 2 and entry["role"] == "agent" and entry["path"] == "/api/search/quick"


async def test_advanced_search_records_its_criteria(app_client, scenario, caller):
    name, headers = caller
    body = {"address": {"scope": "billing", "city": "Paris"}, "size": 5}
    assert (await app_client.post("/api/search/advanced", json=body, headers=headers)).status_code == 200
    [entry] = (await trail(app_client, scenario, user=name, endpoint="advanced_search"))["items"]
    assert entry["criteria"] == body
    assert scenario.ids["marie"] in entry["contact_ids"]


async def test_opening_a_context_is_audited_and_found_by_contact_id(app_client, scenario, caller):
    name, headers = caller
    contact_id = scenario.ids["elodie"]
    assert (await app_client.get(f"/api/contacts/{contact_id}/context", headers=headers)).status_code == 200
    entries = (await trail(app_client, scenario, contact_id=contact_id, endpoint="contact_context"))["items"]
    mine = [e for e in entries if e["user"] == name]
    assert len(mine) == 1 and mine[0]["contact_ids"] == [contact_id]
    assert mine[0]["criteria"] == {"contact_id": contact_id}


async def test_recent_communications_are_audited_with_the_contacts_they_showed(app_client, scenario):
    agent = bearer(scenario.tokens["agent"])
    before = datetime.now(UTC) - timedelta(seconds=1)
    assert (await app_client.get("/api/communications/recent", headers=agent)).status_code == 200
    entries = await trail(app_client, scenario, user="agent", endpoint="recent_communications", **{"from": before})
    entry = entries["items"][0]
    assert scenario.ids["marie"] in entry["contact_ids"] and scenario.ids["mona"] in entry["contact_ids"]


async def test_a_refused_lookup_is_audited_with_its_outcome_and_reason(app_client, scenario, caller):
    name, headers = caller
    refused = await app_client.post("/api/search/quick", json={"field": "city", "value": "Paris"}, headers=headers)
    assert refused.status_code == 422
    foreign = await app_client.get("/api/contacts/424242/context", headers=headers)
    assert foreign.status_code == 404
    entries = (await trail(app_client, scenario, user=name))["items"]
    assert [(e["endpoint"], e["outcome"], e["status_code"]) for e in entries] == [
        ("contact_context", "rejected", 404),
        ("quick_search", "rejected", 422),
    ]
    assert entries[0]["contact_ids"] == [] and entries[0]["criteria"] == {"contact_id": 424242}
    assert "not a quick-search field" in entries[1]["detail"]


async def test_a_search_while_the_engine_is_down_is_audited_as_unavailable(settings, scenario, caller):
    name, headers = caller
    down = create_app(settings.model_copy(update={"opensearch_url": "http://127.0.0.1:9"}))
    async with down.router.lifespan_context(down):
        transport = httpx.ASGITransport(app=down)
        async with httpx.AsyncClient(transport=transport, base_url="http://contact-lookup.test") as client:
            body = {"field": "phone", "operator": "=", "value": "06 12 34 56 78"}
            response = await client.post("/api/search/quick", json=body, headers=headers)
            assert response.status_code == 503 and response.headers["retry-after"]
            audit = await client.get("/api/audit", params={"user": name}, headers=bearer(scenario.tokens["admin"]))
            [entry] = audit.json()["items"]
    assert entry["outcome"] == "unavailable" and entry["status_code"] == 503
    assert entry["criteria"] == body and entry["contact_ids"] == [] and entry["total"] is None
    assert "search engine" in entry["detail"]


async def test_requests_without_a_valid_token_and_health_checks_leave_no_entry(app_client, scenario, caller):
    name, _ = caller
    assert (await app_client.post("/api/search/quick", json={"field": "name", "value": "x"})).status_code == 401
    assert (await app_client.get("/health")).status_code == 200
    assert (await trail(app_client, scenario, user=name))["items"] == []


async def test_agents_cannot_read_the_audit_trail(app_client, scenario):
    response = await app_client.get("/api/audit", headers=bearer(scenario.tokens["agent"]))
    assert response.status_code == 403
    assert response.json() == {"detail": "this action needs the admin role"}


async def test_trail_pages_newest_first_and_filters_by_time(app_client, scenario, caller):
    name, headers = caller
    start = datetime.now(UTC)
    for value in ("a", "b", "c"):
        body = {"field": "name", "operator": "=", "value": value}
        assert (await app_client.post("/api/search/quick", json=body, headers=headers)).status_code == 200
    first = await trail(app_client, scenario, user=name, size=2)
    assert [e["criteria"]["value"] for e in first["items"]] == ["c", "b"] and first["next"]
    second = await trail(app_client, scenario, user=name, size=2, after=first["next"])
    assert [e["criteria"]["value"] for e in second["items"]] == ["a"] and second["next"] is None
    assert len((await trail(app_client, scenario, user=name, **{"from": start.isoformat()}))["items"]) == 3
    later = (start + timedelta(hours=1)).isoformat()
    assert (await trail(app_client, scenario, user=name, **{"from": later}))["items"] == []
    assert (await trail(app_client, scenario, user=name, to=start.isoformat()))["items"] == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "from must not be after to"),
        ({"size": 1000}, "size must be at most 100"),
        ({"endpoint": "everything"}, "quick_search"),
        ({"contact_id": "0"}, "greater than or equal to 1"),
        ({"from": "yesterday"}, "datetime"),
        ({"after": 2**70}, "less than or equal to 9223372036854775807"),
        ({"user": "ag\x00ent"}, "must not contain NUL"),
    ],
)
async def test_bad_audit_filters_are_a_422_naming_the_problem(app_client, scenario, params, message):
    response = await app_client.get("/api/audit", params=params, headers=bearer(scenario.tokens["admin"]))
    assert response.status_code == 422
    assert message in response.text


async def test_a_search_with_a_nan_amount_is_audited_with_the_nan_as_null(app_client, scenario, caller):
    """Python's JSON reader takes NaN, PostgreSQL's jsonb does not: the criteria are stored as JSON-mode data."""
    name, headers = caller
    content = b'{"accounts_receivable": {"balance": NaN}}'
    response = await app_client.post(
        "/api/search/advanced", content=content, headers=headers | {"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    [entry] = (await trail(app_client, scenario, user=name))["items"]
    assert entry["criteria"] == {"accounts_receivable": {"balance": None}}
    assert entry["outcome"] == "rejected"
