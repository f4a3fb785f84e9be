"""/ready and /metrics report the outbox lag and the sync throughput, read from the database."""

import itertools
from datetime import UTC, datetime

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select, update

from indexer.rebuild import rebuild
from indexer.sync import OutboxSync
from search_definitions.catalogue import MAPPING_VERSION
from service.app import create_app
from service.db.session import build_engine, build_sessionmaker
from service.models import OutboxEntry
from tests.support.builders import make_contact

_counter = itertools.count()


@pytest.fixture
async def monitored(make_database, database, settings, os_client, run_prefix):
    """An app on a database of its own with its indices built, so its outbox starts empty."""
    db = make_database(database.backend, "observability")
    prefix = f"{run_prefix}-ob{next(_counter)}"
    own = settings.model_copy(update={"database_url": db.url, "index_prefix": prefix})
    engine = build_engine(own)
    rebuild(settings=own, engine=engine, client=os_client)
    app = create_app(own)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://contact-lookup.test") as client:
            yield client, own, engine
    engine.dispose()
    os_client.indices.delete(index=f"{prefix}-*", params={"expand_wildcards": "all"})


def add_contacts(engine, count):
    with build_sessionmaker(engine).begin() as session:
        for _ in range(count):
            make_contact(session)


def park_one(engine):
    with build_sessionmaker(engine).begin() as session:
        first = session.scalar(select(OutboxEntry.id).order_by(OutboxEntry.id).limit(1))
        session.execute(update(OutboxEntry).where(OutboxEntry.id == first).values(parked=True))


async def gauges(client):
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
        if sample.name.startswith(("contact_lookup_outbox_", "contact_lookup_sync_"))
    }


async def test_ready_shows_outbox_lag_and_sync_throughput_as_they_change(monitored, os_client):
    client, settings, engine = monitored
    ready = (await client.get("/ready")).json()
    assert ready["status"] == "ready"
    assert ready["outbox"] == {"pending": 0, "oldest_pending_age_s": None, "parked": 0}
    assert ready["sync"] == {
        "passes": 0,
        "documents": 0,
        "documents_per_second": None,
        "last_pass_at": None,
        "last_pass_documents": None,
    }

    add_contacts(engine, 3)
    park_one(engine)
    ready = (await client.get("/ready")).json()
    assert ready["status"] == "ready", "lag informs; it does not make the instance unready"
    assert (ready["outbox"]["pending"], ready["outbox"]["parked"]) == (2, 1)
    assert 0 <= ready["outbox"]["oldest_pending_age_s"] < 60

    before = datetime.now(UTC)
    OutboxSync(settings=settings, engine=engine, client=os_client).drain()
    ready = (await client.get("/ready")).json()
    assert ready["outbox"] == {"pending": 0, "oldest_pending_age_s": None, "parked": 1}
    sync = ready["sync"]
    # Two contacts, each written to the contacts index and to the quick index.
    assert (sync["passes"], sync["documents"], sync["last_pass_documents"]) == (1, 4, 4)
    assert sync["documents_per_second"] > 0
    assert datetime.fromisoformat(sync["last_pass_at"]) >= before


async def test_metrics_answers_the_lag_gauges_in_prometheus_text_format(monitored, os_client):
    client, settings, engine = monitored
    idle = await gauges(client)
    assert idle == {
        "contact_lookup_outbox_pending_entries": 0.0,
        "contact_lookup_outbox_oldest_pending_age_seconds": 0.0,
        "contact_lookup_outbox_parked_entries": 0.0,
    }, "no throughput gauge before the first pass"

    add_contacts(engine, 2)
    park_one(engine)
    lagging = await gauges(client)
    assert lagging["contact_lookup_outbox_pending_entries"] == 1.0
    assert lagging["contact_lookup_outbox_parked_entries"] == 1.0
    assert lagging["contact_lookup_outbox_oldest_pending_age_seconds"] > 0

    OutboxSync(settings=settings, engine=engine, client=os_client).drain()
    synced = await gauges(client)
    assert synced["contact_lookup_outbox_pending_entries"] == 0.0
    assert synced["contact_lookup_sync_last_pass_documents"] == 2.0  # one contact, in two indices
    assert synced["contact_lookup_sync_documents_per_second"] > 0
    assert abs(synced["contact_lookup_sync_last_pass_timestamp_seconds"] - datetime.now(UTC).timestamp()) < 60


async def test_an_index_built_by_an_older_release_serves_on_ready_with_the_pending_upgrade_said(monitored, os_client):
    """It serves until `index rebuild` swaps in this release's (the sync worker keeps both current): `/ready` stays
    200 and says the upgrade is pending, until the rebuild."""
    client, settings, engine = monitored
    os_client.indices.put_mapping(index=settings.contacts_alias, body={"_meta": {"mapping_version": 1}})
    response = await client.get("/ready")
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert checks["opensearch"]["upgrade"] == f"rebuild pending: index mapping 1, this release {MAPPING_VERSION}"
    assert checks[f"alias:{settings.contacts_alias}"] == {
        "ok": True,
        "upgrade": f"built with mapping version 1, this release {MAPPING_VERSION}",
    }
    assert checks[f"alias:{settings.communications_alias}"] == {"ok": True}

    rebuild(settings=settings, engine=engine, client=os_client)
    rebuilt = await client.get("/ready")
    assert rebuilt.status_code == 200 and "upgrade" not in rebuilt.json()["checks"]["opensearch"]


async def test_a_deployment_without_the_quick_index_is_not_ready_until_rebuilt(monitored, os_client):
    """Built before quick search had an index of its own: quick lookups would fail, so the instance is not ready."""
    client, settings, engine = monitored
    os_client.indices.delete(index=",".join(os_client.indices.get_alias(name=settings.quick_alias)))
    response = await client.get("/ready")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks[f"alias:{settings.quick_alias}"] == {"ok": False, "detail": "missing; run an index rebuild"}
    assert checks[f"alias:{settings.contacts_alias}"] == {"ok": True}
    assert response.json()["detail"] == f"alias:{settings.quick_alias}: missing; run an index rebuild"

    rebuild(settings=settings, engine=engine, client=os_client)
    assert "detail" not in (await client.get("/ready")).json()
