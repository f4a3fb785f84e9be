"""`promise_broken` on the real engine, after the sync: promises logged, patched and deleted through the API reach
the index with the outbox, and the criterion holds within one account, for the day of the search."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from indexer.rebuild import rebuild
from indexer.sync import OutboxSync
from service.app import create_app
from service.auth.service import add_user
from service.db.session import build_engine, build_sessionmaker
from service.models import Communication, Promise
from service.models.enums import UserRole
from tests.conftest import bearer
from tests.service.search.test_receivables_search import account, company, item

TODAY = datetime.now(UTC).date()
TEN_DAYS_AGO = datetime.combine(TODAY - timedelta(days=10), datetime.min.time(), tzinfo=UTC)


def call(contact_id: int, number: str, amount: str, promised_on: str) -> dict[str, Any]:
    reference = {"qualifier": "account", "reference_id": number}
    return {
        "contact_id": contact_id,
        "direction": "incoming",
        "channel": "phone",
        "topic": "Promise to pay",
        "interaction_at": TEN_DAYS_AGO.isoformat(),
        "actions": [{"action": "promise_to_pay", "amount": amount, "promised_on": promised_on, "reference": reference}],
    }


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


@pytest.fixture
async def promised(make_database, database, settings, os_client, run_prefix):
    db = make_database(database.backend, "promises")
    own = settings.model_copy(update={"database_url": db.url, "index_prefix": f"{run_prefix}-pr-{database.backend}"})
    engine = build_engine(own)
    with build_sessionmaker(engine).begin() as session:
        token = add_user(session, "agent", UserRole.AGENT, "BU01")[1]
        paid = item("PAY-5", due_in=-5, open_amount="0", kind="payment", amount=Decimal("-100"))
        paid.issued_on = TODAY - timedelta(days=5)
        contacts = [
            company("Acme Wholesale", "BU01", account("AR-100"), account("AR-101")),
            company("Borel Frères", "BU01", account("AR-200")),
            # A promise made ten days ago for two days ago, paid by then: kept, never broken.
            company("Cazal SARL", "BU01", account("AR-300", paid)),
        ]
        session.add_all(contacts)
        session.flush()
        kept = Communication(
            contact_id=contacts[2].id,
            created_by="agent",
            interaction_at=TEN_DAYS_AGO,
            direction="incoming",
            channel="phone",
            topic="Promise to pay",
            status="open",
            keywords=[],
        )
        session.add(kept)
        session.add(
            Promise(
                communication=kept,
                ar_account_id=contacts[2].ar_accounts[0].id,
                amount=Decimal("100.00"),
                currency="EUR",
                promised_on=TODAY - timedelta(days=2),
                created_by="agent",
                created_at=TEN_DAYS_AGO,
            )
        )
        ids = {c.company_name: c.id for c in contacts}
    rebuild(settings=own, engine=engine, client=os_client)
    outbox = OutboxSync(settings=own, engine=engine, client=os_client)

    def sync() -> int:
        claimed = outbox.drain().claimed
        os_client.indices.refresh(index=f"{own.index_prefix}-*")
        return claimed

    app = create_app(own)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://contact-lookup.test") as client:
            yield client, bearer(token), ids, sync
    engine.dispose()
    os_client.indices.delete(index=f"{own.index_prefix}-*", params={"expand_wildcards": "all"})


async def advanced(client, headers, criteria: dict[str, Any]) -> list[str]:
    response = await client.post("/api/search/advanced", json={"accounts_receivable": criteria}, headers=headers)
    assert response.status_code == 200, response.text
    return sorted(i["display_name"] for i in response.json()["items"])


async def test_promise_broken_follows_promises_logged_patched_and_deleted_after_the_sync(promised):
    client, headers, ids, sync = promised
    assert await advanced(client, headers, {"promise_broken": True}) == [], "the paid promise is kept"

    response = await client.post(
        "/api/communications", json=call(ids["Acme Wholesale"], "AR-100", "80.00", day(-2)), headers=headers
    )
    assert response.status_code == 201, response.text
    broken = response.json()
    response = await client.post(
        "/api/communications", json=call(ids["Borel Frères"], "AR-200", "50.00", day(3)), headers=headers
    )
    assert response.status_code == 201, response.text
    pending = response.json()
    assert sync() >= 2
    assert await advanced(client, headers, {"promise_broken": True}) == ["Acme Wholesale"]
    assert await advanced(client, headers, {"promise_broken": True, "account_number": "AR-100"}) == ["Acme Wholesale"]
    assert await advanced(client, headers, {"promise_broken": True, "account_number": "AR-101"}) == [], "one account"
    assert await advanced(client, headers, {"promise_broken": False}) == [
        "Acme Wholesale",
        "Borel Frères",
        "Cazal SARL",
    ]
    assert await advanced(client, headers, {"promise_broken": False, "account_number": "AR-100"}) == []

    # The pending promise moved to a date already passed: broken from the day after it.
    body = {"actions": [call(0, "AR-200", "50.00", day(-1))["actions"][0]]}
    etag = {**headers, "If-Match": f'"{pending["version"]}"'}
    response = await client.patch(f"/api/communications/{pending['id']}", json=body, headers=etag)
    assert response.status_code == 200, response.text
    # The broken promise's communication deleted: its promise goes with it.
    etag = {**headers, "If-Match": f'"{broken["version"]}"'}
    response = await client.delete(f"/api/communications/{broken['id']}", headers=etag)
    assert response.status_code == 204, response.text
    sync()
    assert await advanced(client, headers, {"promise_broken": True}) == ["Borel Frères"]
    assert await advanced(client, headers, {"promise_broken": False}) == ["Acme Wholesale", "Cazal SARL"]
