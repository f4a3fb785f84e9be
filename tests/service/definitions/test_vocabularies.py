"""Vocabularies in stored definitions: kept with every version, rolled back with it, exported and imported as YAML;
a version stored before the lists existed loads with none (free text), and the active definition's action field
lists its additional actions."""

from sqlalchemy import select, update

from search_definitions import store
from search_definitions.loader import dump_yaml, parse_yaml
from service.db.session import build_engine, build_sessionmaker
from service.models.definition import DefinitionVersion
from tests.service.definitions.test_admin_api import body, create

LISTS = {
    "topics": [{"code": "billing", "label": "Billing question"}],
    "customer_responses": [{"code": "promised_payment", "label": None}],
    "additional_actions": [{"code": "left_message", "label": "Left a message"}],
}


async def test_lists_are_kept_with_each_version_and_rolled_back_with_it(api):
    created = await create(api, name="Collectors", **LISTS)
    assert {k: created["definition"][k] for k in LISTS} == LISTS
    path = f"/api/definitions/{created['id']}"
    changed = {**LISTS, "topics": [*LISTS["topics"], {"code": "disputed_invoice", "label": None}]}
    saved = await api.client.put(path, json=body(name="Collectors", **changed), headers=api.admin)
    assert saved.status_code == 200, saved.text
    history = (await api.client.get(f"{path}/history", headers=api.admin)).json()
    assert [[t["code"] for t in v["definition"]["topics"]] for v in history] == [
        ["billing", "disputed_invoice"],
        ["billing"],
    ]
    rolled = await api.client.post(f"{path}/rollback", json={"version": 1}, headers=api.admin)
    assert rolled.json()["definition"]["topics"] == LISTS["topics"]
    stored = store_definition(api, created["id"])
    assert parse_yaml(dump_yaml(stored)) == stored, "an export imports as the same definition"


def store_definition(api, definition_id):
    with build_sessionmaker(build_engine(api.settings))() as session:
        return store.get(session, definition_id).definition


async def test_a_version_stored_before_the_lists_loads_with_none(api):
    created = await create(api, name="Old care")
    engine = build_engine(api.settings)
    with build_sessionmaker(engine).begin() as session:
        row = session.scalar(select(DefinitionVersion).where(DefinitionVersion.definition_id == created["id"]))
        old = {k: v for k, v in row.body.items() if k not in LISTS}
        session.execute(update(DefinitionVersion).where(DefinitionVersion.id == row.id).values(body=old))
    engine.dispose()
    read = await api.client.get(f"/api/definitions/{created['id']}", headers=api.admin)
    assert read.status_code == 200, read.text
    assert [read.json()["definition"][k] for k in LISTS] == [[], [], []]


async def test_the_active_definitions_action_field_offers_its_additional_actions(api):
    created = await create(api, name="Collectors", **LISTS)
    activated = await api.client.post(f"/api/definitions/{created['id']}/activate", headers=api.admin)
    assert activated.status_code == 200, activated.text
    active = (await api.client.get("/api/definitions/active", headers=api.agent)).json()
    action = next(f for f in active["advanced_search_fields"]["communications"] if f["key"] == "action")
    assert action["values"][-1] == "left_message" and "call" in action["values"]
    assert active["definition"]["customer_responses"] == LISTS["customer_responses"]
