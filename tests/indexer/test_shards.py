"""INDEX_SHARDS_* decide each new index's primary shards; the rebuilt indices hold every document whatever the count."""

from indexer.verify import verify
from tests.indexer.conftest import build


def test_each_index_is_created_with_the_shards_its_setting_names(own, os_client):
    settings, engine = own
    sharded = settings.model_copy(
        update={"index_shards_contacts": 2, "index_shards_quick": 1, "index_shards_communications": 3}
    )
    report = build(sharded, engine, os_client)
    shards = {
        alias: int(os_client.indices.get_settings(index=index)[index]["settings"]["index"]["number_of_shards"])
        for alias, index in report.indices.items()
    }
    assert shards == {settings.contacts_alias: 2, settings.quick_alias: 1, settings.communications_alias: 3}
    results = verify(settings=sharded, engine=engine, client=os_client)
    assert all(d.clean for d in results.values()), {a: d.lines(a) for a, d in results.items()}
