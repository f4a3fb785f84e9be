"""The collector's call history: communications searched by customer response (folded, like the topic), by the
collector of the contact's accounts (which follows a change of an account's collector) and by the item reference."""

import httpx
import pytest
from sqlalchemy import select

from indexer.rebuild import rebuild
from indexer.sync import OutboxSync
from service.app import create_app
from service.auth.service import add_user
from service.db.session import build_sessionmaker
from service.models import ARAccount, Contact
from service.models.enums import UserRole
from tests.conftest import bearer
from tests.indexer.conftest import own  # noqa: F401  (the fixture: a database and indices of this test's own)


@pytest.fixture
async def desk(own, os_client):  # noqa: F811
    settings, engine = own
    rebuild(settings=settings, engine=engine, client=os_client)
    with build_sessionmaker(engine).begin() as session:
        token = add_user(session, "desk-bu01", UserRole.AGENT, "BU01")[1]
        ids = dict(session.execute(select(Contact.first_name, Contact.id)).all())
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://contact-lookup.test") as client:
            yield Desk(client, bearer(token), settings, engine, os_client, ids)


class Desk:
    def __init__(self, client, headers, settings, engine, os_client, ids):
        self.client, self.headers, self.settings, self.engine, self.os_client = (
            client,
            headers,
            settings,
            engine,
            os_client,
        )
        self.ids = ids

    async def log(self, first_name, **fields):
        payload = {"contact_id": self.ids[first_name], "direction": "outgoing", "channel": "phone", **fields}
        response = await self.client.post("/api/communications", json=payload, headers=self.headers)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def sync(self):
        report = OutboxSync(settings=self.settings, engine=self.engine, client=self.os_client).drain()
        assert report.parked == 0

    async def search(self, **criteria):
        response = await self.client.post(
            "/api/communications/search", json={"criteria": criteria}, headers=self.headers
        )
        assert response.status_code == 200, response.text
        return sorted((item["contact_display_name"], item["topic"]) for item in response.json()["items"])


async def test_communications_are_found_by_customer_response_folded_like_the_topic(desk):
    await desk.log("Marie", topic="Reminder", customer_response="Refusé de payer")
    await desk.log("Mona", topic="Reminder", customer_response="Promised payment")
    desk.sync()
    assert await desk.search(customer_response="refuse de PAYER") == [("Marie Lefèvre", "Reminder")]
    assert await desk.search(customer_response="promised%") == [("Mona Schäfer", "Reminder")]
    assert await desk.search(customer_response="%pay%") == [("Marie Lefèvre", "Reminder"), ("Mona Schäfer", "Reminder")]


async def test_the_collectors_call_history_follows_a_change_of_the_accounts_collector(desk):
    await desk.log(
        "Marie", topic="Reminder", references=[{"qualifier": "transaction", "reference_id": "INV-2026-000310"}]
    )
    desk.sync()
    marie = [("Marie Lefèvre", "Disputed invoice"), ("Marie Lefèvre", "Reminder")]
    assert await desk.search(collector="amelie roux") == marie
    assert await desk.search(collector="Amélie%") == marie
    assert await desk.search(collector="Amélie Roux", transaction_reference="inv 2026.000310") == [marie[1]]
    assert await desk.search(transaction_reference="INV2026000310") == [marie[1]]

    with build_sessionmaker(desk.engine).begin() as session:
        account = session.scalar(select(ARAccount).where(ARAccount.number == "AR-000100"))
        account.collector = "Bruno Petit"
        mona = session.get(Contact, desk.ids["Mona"])
        session.add(
            ARAccount(
                contact_id=mona.id,
                business_unit=mona.business_unit,
                number="AR-000300",
                name="Mona Schäfer",
                balance=0,
                currency="EUR",
                status="active",
                credit_hold=False,
                dunning_excluded=False,
                collector="Amélie Roux",
                is_primary=True,
            )
        )
    desk.sync()
    assert await desk.search(collector="Bruno Petit") == marie
    assert await desk.search(collector="Amélie Roux") == [("Mona Schäfer", "Collection call")]

    with build_sessionmaker(desk.engine).begin() as session:
        session.delete(session.scalar(select(ARAccount).where(ARAccount.number == "AR-000300")))
    desk.sync()
    assert await desk.search(collector="Amélie Roux") == []
