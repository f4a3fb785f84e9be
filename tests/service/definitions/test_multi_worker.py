"""Activation reaches every worker process of a running multi-worker server within a second, no restart."""

import time

import httpx

from search_definitions.loader import load_shipped
from service.auth.service import add_user
from service.db.session import build_engine, build_sessionmaker
from service.models.enums import UserRole
from tests.support.server import running_server

WORKERS = 3


def fresh_get(url, headers):
    """A new connection each time, so the kernel hands requests to different worker processes."""
    with httpx.Client(headers=headers, timeout=10) as client:
        return client.get(url)


def test_activation_is_seen_by_every_worker_within_one_second(make_database, database, settings, scenario):
    own = make_database(database.backend, "workers")
    engine = build_engine(settings.model_copy(update={"database_url": own.url}))
    with build_sessionmaker(engine).begin() as session:
        admin = {"Authorization": f"Bearer {add_user(session, 'admin', UserRole.ADMIN)[1]}"}
        agent = {"Authorization": f"Bearer {add_user(session, 'agent', UserRole.AGENT)[1]}"}
    engine.dispose()
    env = {
        "CONTACT_LOOKUP_DATABASE_URL": own.url,
        "CONTACT_LOOKUP_OPENSEARCH_URL": settings.opensearch_url,
        "CONTACT_LOOKUP_INDEX_PREFIX": settings.index_prefix,
        "CONTACT_LOOKUP_HOME": str(settings.home),
    }
    reordered = load_shipped("default").model_dump(mode="json")
    reordered.update(name="Phone first", quick_search_fields=["phone", "reference_number", "name"])

    with running_server(env, workers=WORKERS) as url:
        active = f"{url}/api/definitions/active"
        for _ in range(WORKERS * 8):
            assert fresh_get(active, agent).json()["definition"]["name"] == "Customer care"
        with httpx.Client(headers=admin, timeout=10) as client:
            created = client.post(f"{url}/api/definitions", json=reordered).json()
            assert client.post(f"{url}/api/definitions/{created['id']}/activate").status_code == 200
        time.sleep(1.0)
        seen = [[f["key"] for f in fresh_get(active, agent).json()["quick_search_fields"]] for _ in range(WORKERS * 10)]
        assert all(order == ["phone", "reference_number", "name"] for order in seen)
        refused = httpx.post(
            f"{url}/api/search/quick", json={"field": "email", "operator": "=", "value": "x@y.z"}, headers=agent
        )
        assert refused.status_code == 422
        assert "allowed: phone, reference_number, name" in refused.json()["detail"]
