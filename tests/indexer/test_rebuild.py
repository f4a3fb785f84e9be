"""Rebuilds on the real engine: fresh index, verified, swapped atomically, leftovers pruned."""

from indexer import aliases
from indexer.rebuild import rebuild


def test_rebuild_swaps_the_alias_to_a_fresh_index_and_prunes_the_previous_one(own, os_client):
    settings, engine = own
    first = rebuild(settings=settings, engine=engine, client=os_client)
    second = rebuild(settings=settings, engine=engine, client=os_client)
    alias = settings.contacts_alias
    assert first.indices[alias] != second.indices[alias]
    assert aliases.indices_of(os_client, alias) == [second.indices[alias]]
    assert first.indices[alias] in second.pruned
    assert not os_client.indices.exists(index=first.indices[alias])
    assert second.contacts == 6
    assert os_client.count(index=alias)["count"] == 6
    assert os_client.count(index=settings.communications_alias)["count"] == 1


def test_a_killed_rebuild_leaves_the_old_index_serving_and_the_next_one_cleans_up(own, os_client):
    settings, engine = own
    serving = rebuild(settings=settings, engine=engine, client=os_client).indices[settings.contacts_alias]
    from indexer.mappings import contacts_index_body

    half_built = aliases.new_index_name(settings.contacts_alias)
    aliases.create(os_client, half_built, contacts_index_body(), loading=True)
    aliases.mark_building(os_client, settings.contacts_alias, half_built)
    assert aliases.indices_of(os_client, settings.contacts_alias) == [serving]

    report = rebuild(settings=settings, engine=engine, client=os_client)
    assert half_built in report.pruned and serving in report.pruned
    assert aliases.indices_of(os_client, settings.contacts_alias) == [report.indices[settings.contacts_alias]]


def test_documents_carry_the_row_version_as_external_version(own, os_client):
    settings, engine = own
    rebuild(settings=settings, engine=engine, client=os_client)
    hit = os_client.search(index=settings.contacts_alias, body={"version": True, "size": 1})["hits"]["hits"][0]
    assert hit["_version"] == 1
