"""GET /api/communications/alerts: the calls carrying an alert action, for the admins of their business unit."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from service.auth.service import add_user
from service.models import AuditEntry
from service.models.enums import UserRole
from tests.conftest import bearer
from tests.service.communications.test_communications_api import call
from tests.service.contacts.conftest import create_contact

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


async def log_call(api, contact_id: int, minutes: int, *actions: str, user: str = "agent-bu01", **fields):
    payload = call(
        contact_id,
        actions=[{"action": a} for a in actions],
        interaction_at=(START + timedelta(minutes=minutes)).isoformat(),
        **fields,
    )
    response = await api.client.post("/api/communications", json=payload, headers=api.as_(user))
    assert response.status_code == 201, response.text
    return response.json()


def unit_admin(api, unit: str) -> dict[str, str]:
    with api.sessions.begin() as session:
        token = add_user(session, f"admin-{unit.lower()}", UserRole.ADMIN, unit)[1]
    return bearer(token)


async def alerts(api, headers, **params):
    response = await api.client.get("/api/communications/alerts", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def two_units(api):
    bu01 = await create_contact(api, subscriptions=[], access_tokens=[])
    bu02 = await create_contact(
        api, business_unit="BU02", external_id="CRM-BU02", id_number="ID-BU02", subscriptions=[], access_tokens=[]
    )
    first = await log_call(api, bu01["id"], 0, "alert", notes="Customer threatens legal action.")
    await log_call(api, bu01["id"], 5, "call")
    second = await log_call(api, bu01["id"], 10, "call", "alert", topic="Escalation")
    other = await log_call(api, bu02["id"], 20, "alert", user="agent-bu02")
    return bu01, first, second, other


async def test_an_admin_of_a_unit_reads_that_units_alerts_newest_first(api):
    bu01, first, second, _ = await two_units(api)
    items = await alerts(api, unit_admin(api, "BU01"))
    assert [i["communication_id"] for i in items] == [second["id"], first["id"]]
    assert items[1] == {
        "communication_id": first["id"],
        "contact_id": bu01["id"],
        "display_name": "Marie Lefèvre",
        "interaction_at": first["interaction_at"],
        "created_by": "agent-bu01",
        "notes": "Customer threatens legal action.",
        "topic": "Disputed invoice",
        "status": "open",
    }
    assert items[0]["topic"] == "Escalation"


async def test_an_admin_bound_to_no_unit_reads_every_units_alerts_and_limit_bounds_the_list(api):
    _, first, second, other = await two_units(api)
    everything = await alerts(api, api.as_("admin"))
    assert [i["communication_id"] for i in everything] == [other["id"], second["id"], first["id"]]
    assert [i["communication_id"] for i in await alerts(api, api.as_("admin"), limit=2)] == [other["id"], second["id"]]
    too_many = await api.client.get("/api/communications/alerts?limit=201", headers=api.as_("admin"))
    assert too_many.status_code == 422 and "limit" in too_many.text


async def test_an_alert_removed_from_the_call_leaves_the_list(api):
    _, first, second, _ = await two_units(api)
    patched = await api.client.patch(
        f"/api/communications/{first['id']}", json={"actions": [{"action": "call"}]}, headers=api.as_("agent-bu01")
    )
    assert patched.status_code == 200, patched.text
    assert [i["communication_id"] for i in await alerts(api, unit_admin(api, "BU01"))] == [second["id"]]


async def test_an_agent_is_refused_in_words_and_the_refusal_is_audited(api):
    await two_units(api)
    response = await api.client.get("/api/communications/alerts", headers=api.as_("agent-bu01"))
    assert response.status_code == 403
    assert response.json()["detail"].startswith("the alert list is for admins")
    entry = await audit_entry(api, "agent-bu01")
    assert entry.status_code == 403


async def test_each_read_of_the_list_is_audited_as_a_lookup_naming_what_it_showed(api):
    bu01, first, second, _ = await two_units(api)
    await alerts(api, unit_admin(api, "BU01"), limit=10)
    entry = await audit_entry(api, "admin-bu01")
    assert (entry.action, entry.criteria, entry.total) == ("read", {"limit": 10}, 2)
    assert entry.contact_ids == [bu01["id"]]
    assert entry.communication_ids == [second["id"], first["id"]]


async def audit_entry(api, user: str) -> AuditEntry:
    """The audit writer runs after the answer, in the background."""
    for _ in range(100):
        with api.sessions() as session:
            entry = session.scalars(
                select(AuditEntry)
                .where(AuditEntry.endpoint == "communication_alerts", AuditEntry.user_name == user)
                .order_by(AuditEntry.id.desc())
            ).first()
        if entry is not None:
            return entry
        await asyncio.sleep(0.05)
    raise AssertionError(f"no audit entry of the alert list for {user}")
