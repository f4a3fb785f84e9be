"""New definition keys get defaults, and versions already stored keep what they said."""

from sqlalchemy import update

from search_definitions.loader import load_shipped
from service.db.session import build_engine, build_sessionmaker
from service.models.definition import DefinitionVersion


async def test_a_definition_posted_without_limit_or_operator_lists_all_and_preselects_exact_match(api):
    data = load_shipped("default").model_dump(mode="json") | {"name": "Terse"}
    del data["recent_communications_limit"], data["default_operator"]
    created = await api.client.post("/api/definitions", json=data, headers=api.admin)
    assert created.status_code == 201, created.text
    definition = created.json()["definition"]
    assert (definition["recent_communications_limit"], definition["default_operator"]) == (None, "=")


async def test_the_active_definition_tells_the_console_which_operator_to_preselect(api):
    data = load_shipped("default").model_dump(mode="json") | {"name": "Like first", "default_operator": "like"}
    created = await api.client.post("/api/definitions", json=data, headers=api.admin)
    assert created.status_code == 201, created.text
    path = f"/api/definitions/{created.json()['id']}"
    assert (await api.client.post(f"{path}/activate", headers=api.admin)).status_code == 200
    active = await api.client.get("/api/definitions/active", headers=api.agent)
    assert active.json()["definition"]["default_operator"] == "like"

    refused = await api.client.put(path, json=data | {"default_operator": "~"}, headers=api.admin)
    assert refused.status_code == 422
    assert "default_operator" in refused.text


async def test_a_version_stored_by_an_earlier_release_keeps_its_limit_and_preselects_exact_match(api):
    data = load_shipped("default").model_dump(mode="json") | {"name": "Stored earlier"}
    created = await api.client.post("/api/definitions", json=data, headers=api.admin)
    assert created.status_code == 201, created.text
    definition_id = created.json()["id"]
    earlier = {key: value for key, value in data.items() if key != "default_operator"}
    engine = build_engine(api.settings)
    try:
        with build_sessionmaker(engine).begin() as session:
            session.execute(
                update(DefinitionVersion).where(DefinitionVersion.definition_id == definition_id).values(body=earlier)
            )
    finally:
        engine.dispose()

    read = await api.client.get(f"/api/definitions/{definition_id}", headers=api.admin)
    assert read.status_code == 200, read.text
    definition = read.json()["definition"]
    assert (definition["recent_communications_limit"], definition["default_operator"]) == (20, "=")
