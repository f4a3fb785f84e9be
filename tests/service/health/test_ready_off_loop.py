"""/ready checks the database in a worker thread with a timeout: a database that accepts connections and never
answers makes /ready a quick 503 naming it, while the worker's other requests are answered meanwhile."""

import asyncio
import time

import httpx

from service.app import create_app
from service.db.session import build_engine, build_sessionmaker
from service.settings import Settings
from tests.support.blackhole import hung_server


async def test_other_requests_are_answered_while_the_readiness_database_check_hangs(settings):
    own = settings.model_copy(update={"ready_check_timeout_s": 1.0})
    app = create_app(own)
    with hung_server() as database:
        port = database.url.rsplit(":", 1)[1]
        hung = build_engine(
            Settings(database_url=f"postgresql+psycopg://lookup@127.0.0.1:{port}/lookup", database_connect_timeout_s=5)
        )
        async with app.router.lifespan_context(app):
            state = app.state.contact_lookup
            state.engine, state.sessions = hung, build_sessionmaker(hung)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://contact-lookup.test") as client:
                started = time.monotonic()
                probe = asyncio.create_task(client.get("/ready"))
                await asyncio.sleep(0.3)  # the probe now waits on the database (or, on the loop, blocks it)
                health = await client.get("/health")
                health_s = time.monotonic() - started  # from the probe's start: a blocked loop answers late
                ready = await probe
                ready_s = time.monotonic() - started
        hung.dispose()
    assert health.status_code == 200 and health_s < 0.9, health_s
    assert ready.status_code == 503, ready.text
    assert ready.json()["checks"]["database"] == {"ok": False, "detail": "database did not answer within 1 s"}
    assert "database: database did not answer within 1 s" in ready.json()["detail"]
    assert ready.json()["outbox"] is None
    assert ready_s < 2.5, ready_s  # one timeout: the outbox figures do not wait on the same database again
