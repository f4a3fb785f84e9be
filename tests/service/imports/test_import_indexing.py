"""Imported rows reach the search engine the way every write does: through the outbox and the sync worker."""

from indexer.rebuild import rebuild
from indexer.sync import OutboxSync
from tests.service.imports.conftest import call, person


def hits(client, index, query):
    client.indices.refresh(index=index)
    return client.search(index=index, body={"query": query})["hits"]["hits"]


def test_imported_contacts_and_communications_are_searchable_after_the_outbox_drains(target, os_client):
    settings = target.settings
    rebuild(settings=settings, engine=target.engine, client=os_client)
    target.run(target.file("contacts.csv", "kind,external_id,last_name,business_unit", "person,CRM-0,Roux,BU01"))
    other = {"phones": [{"type": "mobile", "number": "06 98 76 54 32"}], "first_name": None}
    target.run(target.file("contacts.jsonl", person("CRM-1"), person("CRM-2", **other)))
    target.run(target.file("communications.jsonl", call("CALL-1", "CRM-1")))
    pending = target.outbox()
    sync = OutboxSync(settings=settings, engine=target.engine, client=os_client)
    assert sync.drain().claimed == pending == 5 and target.outbox() == 0

    found = hits(os_client, settings.contacts_alias, {"term": {"phone_numbers": "33612345678"}})
    assert [h["_source"]["external_id"] for h in found] == ["CRM-1"]
    found = hits(os_client, settings.contacts_alias, {"term": {"reference_ids": "inv2025004211"}})
    assert [h["_source"]["display_name"] for h in found] == ["Marie Lefèvre"]
    found = hits(os_client, settings.contacts_alias, {"term": {"names": "roux"}})
    assert [h["_source"]["external_id"] for h in found] == ["CRM-0"]
    found = hits(os_client, settings.communications_alias, {"term": {"created_by": "amelie.roux"}})
    assert [(h["_source"]["topic"], h["_source"]["contact_display_name"]) for h in found] == [
        ("Disputed invoice", "Marie Lefèvre")
    ]

    changed = [person("CRM-1", last_name="Lefèvre-Dubois"), person("CRM-2", **other)]
    target.run(target.file("contacts-v2.jsonl", *changed))
    assert sync.drain().claimed == 2, "the renamed contact and its communication, which carries its name"
    found = hits(os_client, settings.contacts_alias, {"term": {"last_name": "lefevre-dubois"}})
    assert [h["_source"]["external_id"] for h in found] == ["CRM-1"]
    found = hits(os_client, settings.communications_alias, {"term": {"created_by": "amelie.roux"}})
    assert [h["_source"]["contact_display_name"] for h in found] == ["Marie Lefèvre-Dubois"]
