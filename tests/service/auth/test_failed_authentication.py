"""Failed authentications: budgeted per client address and per token prefix (429 with Retry-After), free of any
database query when the token cannot be valid, counted in the metrics, and audited once per address and minute."""

import contextlib
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import event, select

from service.app import create_app
from service.auth.last_used import LastUsed
from service.auth.service import add_user
from service.auth.tokens import new_token
from service.models.audit import AuditEntry
from service.models.enums import UserRole
from service.models.user import User
from tests.conftest import bearer


@contextlib.asynccontextmanager
async def served(settings, **update):
    app = create_app(settings.model_copy(update={"auth_failures_burst": 3, "auth_failures_per_minute": 6, **update}))
    async with app.router.lifespan_context(app):

        def client(address="127.0.0.2"):
            transport = httpx.ASGITransport(app=app, client=(address, 40000))
            return httpx.AsyncClient(transport=transport, base_url="http://contact-lookup.test")

        yield app.state.contact_lookup, client


class Queries:
    """Counts the SQL statements the app's engine runs."""

    def __init__(self, engine):
        self.count = 0
        self.engine = engine
        event.listen(engine, "before_cursor_execute", self.seen)

    def seen(self, *args):
        self.count += 1

    def close(self):
        event.remove(self.engine, "before_cursor_execute", self.seen)


async def test_an_address_that_keeps_failing_gets_a_429_with_retry_after_even_for_a_valid_token(settings, scenario):
    async with served(settings) as (_, client), client() as guesser, client("127.0.0.3") as other:
        for _ in range(3):
            assert (await guesser.get("/api/me", headers=bearer(new_token()))).status_code == 401
        limited = await guesser.get("/api/me", headers=bearer(scenario.tokens["agent"]))
        assert limited.status_code == 429
        assert int(limited.headers["Retry-After"]) >= 1 and "failed authentications" in limited.json()["detail"]
        assert (await other.get("/api/me", headers=bearer(scenario.tokens["agent"]))).status_code == 200


async def test_guesses_at_one_token_prefix_from_many_addresses_are_limited_by_the_prefix(settings, scenario):
    prefix = scenario.tokens["agent"][:8]
    async with served(settings) as (_, client):
        for i in range(3):
            async with client(f"127.0.1.{i}") as guesser:
                guess = prefix + new_token()[8:]
                assert (await guesser.get("/api/me", headers=bearer(guess))).status_code == 401
        async with client("127.0.1.9") as next_guesser:
            response = await next_guesser.get("/api/me", headers=bearer(prefix + new_token()[8:]))
            assert response.status_code == 429 and "Retry-After" in response.headers


async def test_a_token_that_cannot_be_valid_costs_no_database_query(settings, scenario):
    async with served(settings, auth_failures_per_minute=0) as (state, client):
        queries = Queries(state.engine)
        try:
            async with client() as caller:
                for header in ("Bearer not-a-token", "Bearer " + "x" * 500, "Basic YWxhZGRpbg==", "Bearer a.b.c"):
                    assert (await caller.get("/api/me", headers={"Authorization": header})).status_code == 401
                assert queries.count == 0
                assert (await caller.get("/api/me", headers=bearer(new_token()))).status_code == 401
                assert queries.count == 1
        finally:
            queries.close()


async def test_every_failure_is_counted_in_the_metrics_by_reason(settings, scenario):
    async with served(settings) as (_, client), client() as caller:
        await caller.get("/api/me")
        await caller.get("/api/me", headers=bearer("short"))
        await caller.get("/api/me", headers=bearer(new_token()))
        await caller.get("/api/me", headers=bearer(new_token()))
        metrics = (await caller.get("/metrics")).text
    assert 'contact_lookup_failed_authentications_total{reason="missing"} 1.0' in metrics
    assert 'contact_lookup_failed_authentications_total{reason="malformed"} 1.0' in metrics
    assert 'contact_lookup_failed_authentications_total{reason="unknown"} 1.0' in metrics
    assert 'contact_lookup_failed_authentications_total{reason="limited"} 1.0' in metrics


async def test_the_audit_gets_one_entry_per_address_and_minute_not_one_per_failure(settings, scenario, db_sessions):
    address = "127.0.2.1"
    async with served(settings, auth_failures_burst=100) as (state, client):
        async with client(address) as caller:
            for _ in range(25):
                await caller.get("/api/contacts/1", headers=bearer(new_token()))
        state.failures.flush(everything=True)
        assert state.audit.settle(10)
    with db_sessions() as session:
        entries = session.scalars(
            select(AuditEntry).where(
                AuditEntry.endpoint == "failed_authentication", AuditEntry.path == "/api/contacts/1"
            )
        ).all()
    assert len(entries) == 1
    (entry,) = entries
    assert (entry.total, entry.status_code, entry.criteria) == (
        25,
        401,
        {"address": address, "reasons": {"unknown": 25}},
    )


async def test_last_used_is_written_at_most_once_a_minute_and_not_on_the_request_path(settings, scenario, db_sessions):
    with db_sessions.begin() as session:
        user, token = add_user(session, "last-used-ivy", UserRole.AGENT)
        user_id = user.id
    async with served(settings) as (state, client):
        async with client() as caller:
            for _ in range(3):
                assert (await caller.get("/api/me", headers=bearer(token))).status_code == 200
        with db_sessions() as session:
            assert session.get(User, user_id).last_used_at is None  # noted in memory, not written by the request
        assert state.last_used.write() == 1
        assert state.last_used.write() == 0
    with db_sessions() as session:
        assert datetime.now(UTC) - session.get(User, user_id).last_used_at < timedelta(minutes=1)


def test_a_token_used_again_within_the_minute_is_noted_once(db_sessions):
    now = [0.0]
    last_used = LastUsed(db_sessions, interval_s=60, clock=lambda: now[0])
    for _ in range(100):
        last_used.note(7)
    assert last_used._pending == {7}
    last_used._pending.clear()
    now[0] = 59.0
    last_used.note(7)
    assert last_used._pending == set()
    now[0] = 60.0
    last_used.note(7)
    assert last_used._pending == {7}


async def test_an_expired_api_token_is_a_401_on_the_next_request(settings, scenario, db_sessions):
    with db_sessions.begin() as session:
        _, token = add_user(session, "expired-eve", UserRole.AGENT, expires_in=timedelta(seconds=-1))
    async with served(settings) as (_, client), client() as caller:
        response = await caller.get("/api/me", headers=bearer(token))
    assert response.status_code == 401 and "expired" in response.json()["detail"]
