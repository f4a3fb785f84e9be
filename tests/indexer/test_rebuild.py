"""Rebuilds and writes on the real engine: fresh index, verified, swapped atomically, leftovers pruned.

The query tests run on an index built by the real rebuild, so they prove what the query builder relies
on: which normalizer applies to which query on which field.
"""

import uuid

import pytest
from sqlalchemy import func, select

from indexer import aliases, bulk, loader
from indexer.mappings import contacts_index_body
from indexer.rebuild import RebuildError, rebuild
from service.db.session import build_engine, build_sessionmaker
from service.models import Address, Contact, Email, OutboxEntry
from service.settings import Settings
from tests.indexer.conftest import build
from tests.support.builders import SECRET_HASH, address, make_communication, make_contact, phone


def own_settings(make_database, database, opensearch_url, run_prefix, home, label):
    """A database and an index prefix of the caller's own, so rebuilding disturbs no other test."""
    db = make_database(database.backend, label)
    return Settings(
        home=home,
        database_url=db.url,
        opensearch_url=opensearch_url,
        index_prefix=f"{run_prefix}-{label}{uuid.uuid4().hex[:6]}",
    )


@pytest.fixture
def fresh(make_database, database, opensearch_url, os_client, run_prefix, tmp_path):
    settings = own_settings(make_database, database, opensearch_url, run_prefix, tmp_path, "rb")
    engine = build_engine(settings)
    yield settings, engine, build_sessionmaker(engine)
    engine.dispose()
    os_client.indices.delete(index=f"{settings.index_prefix}-*", params={"expand_wildcards": "all"})


def add_contacts(sessions, count=3):
    with sessions.begin() as session:
        contacts = [make_contact(session) for _ in range(count)]
        make_communication(session, contacts[0])
        return [c.id for c in contacts]


def test_rebuild_points_each_alias_at_exactly_one_complete_new_index(fresh, os_client):
    settings, engine, sessions = fresh
    add_contacts(sessions, 3)
    report = build(settings, engine, os_client)

    assert (report.contacts, report.communications) == (3, 1)
    for alias, expected in (
        (settings.contacts_alias, 3),
        (settings.quick_alias, 3),
        (settings.communications_alias, 1),
    ):
        index = report.indices[alias]
        assert aliases.is_version_of(alias, index)
        assert aliases.indices_of(os_client, alias) == [index]
        assert aliases.indices_of(os_client, aliases.building_alias(alias)) == []
        assert os_client.count(index=alias)["count"] == expected
        assert segment_count(os_client, index) == 1
        index_settings = os_client.indices.get_settings(index=index)[index]["settings"]["index"]
        assert (index_settings["refresh_interval"], index_settings["number_of_replicas"]) == ("1s", "0")


def test_the_quick_index_is_stored_in_name_order_and_pages_by_name(fresh, os_client):
    """Stored in name order on disk: a page sorted by name alone is read in that order, and paging by the last
    name and id seen goes on from there."""
    settings, engine, sessions = fresh
    with sessions.begin() as session:
        for last in ("Zola", "Ärnström", "Bernard", "bernard", "Martin"):
            make_contact(session, first_name="Ana", last_name=last)
    build(settings, engine, os_client)
    index = aliases.current_index(os_client, settings.quick_alias)
    stored = os_client.indices.get_settings(index=index)[index]["settings"]["index"]["sort"]
    assert stored == {"field": ["display_name_sort", "contact_id"], "order": ["asc", "asc"]}

    body = {"query": {"match_all": {}}, "sort": [{"display_name_sort": "asc"}, {"contact_id": "asc"}], "size": 3}
    first = os_client.search(index=settings.quick_alias, body=body)["hits"]["hits"]
    rest = os_client.search(index=settings.quick_alias, body={**body, "search_after": first[-1]["sort"]})
    names = [hit["_source"]["display_name"] for hit in first + rest["hits"]["hits"]]
    assert names == ["Ana Ärnström", "Ana Bernard", "Ana bernard", "Ana Martin", "Ana Zola"]


def segment_count(client, index):
    shards = client.indices.segments(index=index)["indices"][index]["shards"]
    return sum(len(copy["segments"]) for copies in shards.values() for copy in copies)


@pytest.mark.parametrize(
    ("size", "segments"), [(0, 1), (300 * 2**20, 1), (aliases.MAX_SEGMENT_BYTES, 1), (aliases.MAX_SEGMENT_BYTES + 1, 2)]
)
def test_a_large_index_is_merged_into_segments_the_merge_policy_can_still_merge(size, segments):
    assert aliases.merged_segments(size) == segments


@pytest.fixture
def scratch_index(os_client, run_prefix):
    """A name for an index of the test's own, deleted afterwards."""
    index = f"{run_prefix}-scratch-{uuid.uuid4().hex[:6]}"
    yield index
    os_client.indices.delete(index=index, params={"ignore_unavailable": "true"})


def index_documents(client, index, documents):
    actions = []
    for contact_id, document in documents.items():
        actions += [{"index": {"_index": index, "_id": str(contact_id)}}, {"contact_id": contact_id, **document}]
    client.bulk(body=actions, params={"refresh": "true"})


def test_a_loaded_index_is_merged_into_one_segment_before_it_serves(os_client, scratch_index):
    aliases.create_index(os_client, scratch_index, contacts_index_body(), loading=True)
    for batch in range(3):
        index_documents(
            os_client, scratch_index, {contact_id: {} for contact_id in range(batch * 10 + 1, batch * 10 + 11)}
        )
    assert segment_count(os_client, scratch_index) == 3

    aliases.finish_loading(os_client, scratch_index, "1s")

    assert segment_count(os_client, scratch_index) == 1 and os_client.count(index=scratch_index)["count"] == 30
    settings = os_client.indices.get_settings(index=scratch_index)[scratch_index]["settings"]["index"]
    assert settings["refresh_interval"] == "1s"


def test_grams_are_cut_from_the_folded_name_so_a_phrase_finds_letters_that_fold_into_two(os_client, scratch_index):
    """`Straße` holds `strasse`'s grams one after the other, as typed; `Œuvre` and `Æsir` likewise."""
    os_client.indices.create(index=scratch_index, body=contacts_index_body())
    names = {1: ["Hauptstraße Müller"], 2: ["Œuvre Æsir"], 3: ["Strasbourg"]}
    index_documents(os_client, scratch_index, {contact_id: {"names": values} for contact_id, values in names.items()})

    def found(infix):
        query = {"match_phrase": {"names.grams": infix}}
        hits = os_client.search(index=scratch_index, body={"query": query, "_source": False})["hits"]["hits"]
        return {int(hit["_id"]) for hit in hits}

    assert found("strasse") == found("trasse m") == found("asse mull") == {1}
    assert found("oeuvre") == found("re aesi") == {2}
    assert found("stras") == {1, 3} and found("strab") == set()


def test_a_second_rebuild_swaps_the_alias_and_prunes_the_previous_index(fresh, os_client):
    settings, engine, sessions = fresh
    add_contacts(sessions, 2)
    first = build(settings, engine, os_client)
    add_contacts(sessions, 1)
    second = build(settings, engine, os_client)

    alias = settings.contacts_alias
    assert first.indices[alias] < second.indices[alias]
    assert aliases.indices_of(os_client, alias) == [second.indices[alias]]
    assert set(first.indices.values()) <= set(second.pruned)
    assert aliases.versions_of(os_client, alias) == [second.indices[alias]]
    assert os_client.count(index=alias)["count"] == second.contacts == 3


def test_a_killed_rebuild_leaves_the_old_index_serving_and_the_next_one_prunes_it(fresh, os_client):
    settings, engine, sessions = fresh
    add_contacts(sessions, 2)
    alias = settings.contacts_alias
    serving = build(settings, engine, os_client).indices[alias]

    half_built = aliases.new_index_name(alias)
    aliases.create_index(os_client, half_built, contacts_index_body(), loading=True)
    aliases.mark_building(os_client, alias, half_built)
    bulk.write(
        os_client, [bulk.index_action(half_built, 999, 1, {"contact_id": 999})], settings=settings, require_alias=False
    )
    assert aliases.current_index(os_client, alias) == serving
    assert os_client.count(index=alias)["count"] == 2

    report = build(settings, engine, os_client)
    assert {serving, half_built} <= set(report.pruned)
    assert aliases.versions_of(os_client, alias) == [report.indices[alias]]
    assert aliases.indices_of(os_client, aliases.building_alias(alias)) == []


def test_a_failed_load_deletes_its_index_and_leaves_the_alias_alone(fresh, os_client, monkeypatch):
    settings, engine, sessions = fresh
    add_contacts(sessions, 2)
    alias = settings.contacts_alias
    serving = build(settings, engine, os_client).indices[alias]

    import indexer.actions as module

    real = module.contact_document
    monkeypatch.setattr(module, "contact_document", lambda *a, **k: {**real(*a, **k), "not_mapped": 1})
    with pytest.raises(RebuildError, match="strict_dynamic_mapping_exception"):
        build(settings, engine, os_client)
    assert aliases.versions_of(os_client, alias) == [serving]
    assert aliases.indices_of(os_client, alias) == [serving]


def test_a_count_that_does_not_match_the_database_keeps_the_old_index(fresh, os_client, monkeypatch):
    settings, engine, sessions = fresh
    add_contacts(sessions, 2)
    alias = settings.contacts_alias
    serving = build(settings, engine, os_client).indices[alias]
    with sessions.begin() as session:  # the index holds every row: nothing is left for a sync pass to deliver
        session.execute(OutboxEntry.__table__.delete())

    monkeypatch.setattr(loader, "count_contacts", lambda session: 3)
    with pytest.raises(RebuildError, match="holds 2 documents but the database has 3"):
        build(settings, engine, os_client)
    assert aliases.versions_of(os_client, alias) == [serving]


def test_a_write_still_waiting_in_the_outbox_does_not_fail_the_count(fresh, os_client, monkeypatch):
    """Agents write while a rebuild loads: a contact committed after the load read its rows waits in the outbox
    for the sync worker, which delivers it through the building alias; the count allows for what is pending."""
    settings, engine, sessions = fresh
    add_contacts(sessions, 2)
    with sessions.begin() as session:
        session.execute(OutboxEntry.__table__.delete())

    import indexer.rebuild as module

    real = module.aliases.finish_loading

    def committed_during_the_load(*args, **kwargs):
        add_contacts(sessions, 1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module.aliases, "finish_loading", committed_during_the_load)
    report = rebuild(settings=settings, engine=engine, client=os_client, drain_outbox=False)

    assert report.contacts == 2
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 5
        assert loader.count_pending(session, ("contact",)) >= 1


def test_a_gap_wider_than_the_pending_changes_fails_the_count(fresh, os_client, monkeypatch):
    settings, engine, sessions = fresh
    add_contacts(sessions, 2)
    with sessions.begin() as session:
        session.execute(OutboxEntry.__table__.delete())
        session.add(OutboxEntry(entity="contact", entity_id=1))
    monkeypatch.setattr(loader, "count_contacts", lambda session: 4)
    with pytest.raises(RebuildError, match=r"holds 2 documents but the database has 4 \(1 outbox entries pending"):
        rebuild(settings=settings, engine=engine, client=os_client, drain_outbox=False)


def test_documents_carry_the_row_version_as_external_version(fresh, os_client):
    settings, engine, sessions = fresh
    contact_id = add_contacts(sessions, 1)[0]
    with sessions.begin() as session:
        contact = session.get(Contact, contact_id)
        before = contact.version
        contact.category = "business"
    build(settings, engine, os_client)
    hit = os_client.get(index=settings.contacts_alias, id=str(contact_id))
    assert hit["_version"] == contact.version == before + 1
    assert hit["_source"]["category"] == "business"


def test_a_rebuild_replays_the_outbox_so_no_change_waits_for_the_next_sync_pass(fresh, os_client):
    settings, engine, sessions = fresh
    add_contacts(sessions, 2)
    with sessions() as session:
        pending = session.scalar(select(func.count()).select_from(OutboxEntry))
    report = rebuild(settings=settings, engine=engine, client=os_client)
    assert report.drained == pending > 0
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutboxEntry)) == 0


def test_a_change_committed_during_the_load_is_in_the_new_index_before_it_serves(fresh, os_client, monkeypatch):
    """Without a sync worker: the rebuild replays the outbox into the building index before the swap."""
    settings, engine, sessions = fresh
    (renamed, *_) = add_contacts(sessions, 2)
    build(settings, engine, os_client)

    import indexer.rebuild as module

    real_actions, real_swap = module.contact_actions, module.aliases.swap_alias
    committed = []

    def load_then_rename(session, index, settings_, advance):
        loaded = list(real_actions(session, index, settings_, advance))
        if not committed:
            with sessions.begin() as other:
                other.get(Contact, renamed).last_name = "Renamed-While-Loading"
            committed.append(renamed)
        yield from loaded

    seen_at_swap = {}

    def swap_and_look(client, alias, index):
        client.indices.refresh(index=index)
        hits = client.search(index=index, body={"query": {"term": {"last_name": "renamed-while-loading"}}})
        seen_at_swap[alias] = [int(hit["_id"]) for hit in hits["hits"]["hits"]]
        return real_swap(client, alias, index)

    monkeypatch.setattr(module, "contact_actions", load_then_rename)
    monkeypatch.setattr(module.aliases, "swap_alias", swap_and_look)
    report = rebuild(settings=settings, engine=engine, client=os_client)
    assert committed == [renamed] and report.drained >= 1
    assert seen_at_swap[settings.contacts_alias] == [renamed]
    assert seen_at_swap[settings.quick_alias] == [renamed]


def test_bulk_holds_version_conflicts_until_settled_by_content_and_reports_every_other_failure(fresh, os_client):
    settings, *_ = fresh
    alias = settings.contacts_alias
    index = aliases.new_index_name(alias)
    aliases.create_index(os_client, index, contacts_index_body())
    aliases.swap_alias(os_client, alias, index)

    first = bulk.write(os_client, [bulk.index_action(alias, 1, 5, {"contact_id": 1})], settings=settings)
    assert (first.written, first.ok) == (1, True)
    again = bulk.write(
        os_client,
        [
            bulk.index_action(alias, 1, 4, {"contact_id": 1}),
            bulk.delete_action(alias, 2, 3),
            bulk.index_action(alias, 3, 1, {"contact_id": 3, "unknown": "x"}),
            bulk.index_action(index, 4, 1, {"contact_id": 4}),
        ],
        settings=settings,
        refresh=True,
    )
    assert (again.written, again.stale, again.deleted) == (0, 0, 1)
    assert again.conflicts == {(index, "1")} and not again.ok
    assert set(again.failed) == {(index, "3"), (index, "4")}
    assert "strict_dynamic_mapping_exception" in again.failed[(index, "3")]
    assert "require_alias" in again.failed[(index, "4")]
    assert os_client.get(index=alias, id="1")["_version"] == 5
    # The conflict is a success when the index holds the content the database gives (here: no digest either)...
    assert bulk.unsettled(os_client, again.conflicts, {(index, "1"): ""}) == {}
    # ...and a failure, named, when it holds other content.
    mismatched = bulk.unsettled(os_client, again.conflicts, {(index, "1"): "0123abcd"})
    assert "409 version conflict" in mismatched[(index, "1")]
    again.resolve(mismatched)
    assert again.stale == 0 and not again.conflicts and set(again.failed) == {(index, "1"), (index, "3"), (index, "4")}


def test_a_pipelined_write_stops_at_the_failure_limit_and_propagates_producer_errors(fresh, os_client):
    settings, *_ = fresh
    index = aliases.new_index_name(settings.contacts_alias)
    aliases.create_index(os_client, index, contacts_index_body())
    produced = []

    def rejected():
        for i in range(50_000):
            produced.append(i)
            yield bulk.index_action(index, i, 1, {"unknown": i})

    report = bulk.write(os_client, rejected(), settings=settings, require_alias=False, max_failures=3, pipeline=True)
    assert report.stopped_early and not report.ok and len(report.failed) >= 3
    assert len(produced) < 50_000

    def broken():
        yield bulk.index_action(index, 1, 1, {"contact_id": 1})
        raise ValueError("database went away")

    with pytest.raises(ValueError, match="database went away"):
        bulk.write(os_client, broken(), settings=settings, require_alias=False, pipeline=True)


def test_several_senders_write_every_action_exactly_once(fresh, os_client):
    settings, *_ = fresh
    settings = settings.model_copy(update={"bulk_senders": 3, "bulk_chunk_docs": 100})
    index = aliases.new_index_name(settings.contacts_alias)
    aliases.create_index(os_client, index, contacts_index_body())
    actions = (bulk.index_action(index, i, 1, {"contact_id": i}) for i in range(2_500))

    report = bulk.write(os_client, actions, settings=settings, require_alias=False, refresh=True, pipeline=True)

    assert (report.written, report.failed, report.stopped_early) == (2_500, {}, False)
    assert os_client.count(index=index)["count"] == 2_500


# Query semantics on an index built by the real rebuild.


def people_values() -> dict[str, dict]:
    """Fresh ORM objects on every call: an instance once flushed into one database cannot be added to another."""
    return {
        "elodie": dict(
            first_name="Élodie",
            last_name="Dvořák",
            phones=[phone("+420 601 123 456", "CZ")],
            addresses=[address(city="Saint-Étienne", postcode="42 000"), address(city="Lyon", address_type="other")],
        ),
        "marie": dict(
            first_name="Marie",
            last_name="Lefèvre",
            phones=[phone("+33 6 12 34 56 78")],
            emails=[Email(email_type="personal", address="Marie.Lefevre@Example.fr", is_primary=True)],
        ),
        "mona": dict(
            first_name="Mona",
            last_name="Schäfer",
            phones=[phone("030 12345678", "DE")],
            addresses=[
                Address(
                    address_type="billing",
                    street="Hauptstraße 1",
                    city="Berlin",
                    postcode="10115",
                    country="DE",
                    is_primary=True,
                )
            ],
        ),
        "muller": dict(kind="company", first_name=None, last_name=None, company_name="Müller & Söhne GmbH"),
    }


@pytest.fixture(scope="module")
def people(make_database, database, opensearch_url, os_client, run_prefix, tmp_path_factory):
    """The `people_values` contacts rebuilt once into their own alias; yields (settings, {key: contact id}, engine)."""
    home = tmp_path_factory.mktemp("people")
    settings = own_settings(make_database, database, opensearch_url, run_prefix, home, "people")
    engine = build_engine(settings)
    with build_sessionmaker(engine).begin() as session:
        ids = {key: make_contact(session, **values).id for key, values in people_values().items()}
        make_communication(session, session.get(Contact, ids["marie"]))
    build(settings, engine, os_client)
    yield settings, ids, engine
    engine.dispose()
    os_client.indices.delete(index=f"{settings.index_prefix}-*", params={"expand_wildcards": "all"})


def found(client, settings, ids, query):
    response = client.search(index=settings.contacts_alias, body={"query": query, "size": 50})
    by_id = {str(v): k for k, v in ids.items()}
    return {by_id[hit["_id"]] for hit in response["hits"]["hits"]}


def nested(path, query):
    return {"nested": {"path": path, "query": query}}


SEMANTICS = [
    # `=`: the keyword's normalizer folds the term query's value too.
    ("term names, accents folded", {"term": {"names": "elodie"}}, {"elodie"}),
    ("term names, case folded", {"term": {"names": "MARIE LEFEVRE"}}, {"marie"}),
    ("term names.wild is normalised too", {"term": {"names.wild": "ÉLODIE"}}, {"elodie"}),
    ("term email, folded", {"term": {"email_addresses": "marie.lefèvre@example.FR"}}, {"marie"}),
    # `like`: the wildcard field's normalizer folds the pattern's literal parts; * keeps its meaning.
    ("contains", {"wildcard": {"names.wild": {"value": "*ari*"}}}, {"marie"}),
    ("contains, upper case and accents", {"wildcard": {"names.wild": {"value": "*ÉLO*"}}}, {"elodie"}),
    ("ends with", {"wildcard": {"names.wild": {"value": "*fevre"}}}, {"marie"}),
    ("starts with", {"wildcard": {"names.wild": {"value": "mül*"}}}, {"muller"}),
    ("prefix query, normalised", {"prefix": {"names.wild": "SCHAF"}}, {"mona"}),
    # Phones: the digits normalizer drops everything but digits, in values and patterns alike.
    ("phone as dialled nationally", {"term": {"phone_numbers": "0612345678"}}, {"marie"}),
    ("phone as typed with spaces", {"term": {"phone_numbers": "+33 6 12 34 56 78"}}, {"marie"}),
    ("phone contains, spaced pattern", {"wildcard": {"phone_numbers.wild": {"value": "*6 12 34*"}}}, {"marie"}),
    ("phone national number", {"term": {"phone_numbers": "601123456"}}, {"elodie"}),
    # Identifiers: separators, case and accents do not matter.
    ("postcode without its space", nested("addresses", {"term": {"addresses.postcode": "42000"}}), {"elodie"}),
    ("postcode copy, like", {"wildcard": {"postcodes.wild": {"value": "42 0*"}}}, {"elodie"}),
    # Nested: the wildcard field has doc values, so like works inside one nested address.
    ("nested like", nested("addresses", {"wildcard": {"addresses.city.wild": {"value": "*ÉTIEN*"}}}), {"elodie"}),
    (
        "nested criteria match within one entity",
        nested(
            "addresses",
            {
                "bool": {
                    "filter": [
                        {"wildcard": {"addresses.city.wild": {"value": "lyon"}}},
                        {"term": {"addresses.postcode": "42000"}},
                    ]
                }
            },
        ),
        set(),
    ),
    ("text sub-field", {"match": {"display_name.text": "SOHNE"}}, {"muller"}),
]


@pytest.mark.parametrize(("label", "query", "expected"), SEMANTICS, ids=[s[0] for s in SEMANTICS])
def test_normalizers_apply_to_values_and_queries_alike(people, os_client, label, query, expected):
    settings, ids, _ = people
    assert found(os_client, settings, ids, query) == expected, label


def test_identifiers_match_whatever_separators_are_typed(people, os_client):
    settings, ids, engine = people
    with build_sessionmaker(engine).begin() as session:
        (contact,) = loader.contacts_by_id(session, [ids["marie"]])
        number = contact.ar_accounts[0].number
        reference = loader.reference_ids_by_contact(session, [ids["marie"]])[ids["marie"]][0]
    spaced = number.replace("-", " ").lower()
    assert found(os_client, settings, ids, {"term": {"account_numbers": spaced}}) == {"marie"}
    pattern = "*" + number[1:]
    assert found(os_client, settings, ids, {"wildcard": {"account_numbers.wild": {"value": pattern}}}) == {"marie"}
    assert found(os_client, settings, ids, {"term": {"reference_ids": reference.lower()}}) == {"marie"}


def test_no_secret_reaches_the_index(people, os_client):
    settings, *_ = people
    response = os_client.search(index=settings.contacts_alias, body={"size": 50})
    assert SECRET_HASH not in str(response)
    assert response["hits"]["total"]["value"] == len(people_values())


def test_a_name_holds_the_folded_start_and_end_of_every_word(os_client, scratch_index):
    """`Mar%` and `%ez` on any word of a name are one term each (`queries.word_edge_clause`)."""
    os_client.indices.create(index=scratch_index, body=contacts_index_body())
    names = {1: ["Anne-Marie Dupont"], 2: ["María José García Márquez"], 3: ["Seán O’Brien"], 4: ["Amar Lopez"]}
    index_documents(os_client, scratch_index, {contact_id: {"names": values} for contact_id, values in names.items()})

    def found(subfield, term):
        query = {"term": {f"names.{subfield}": term}}
        hits = os_client.search(index=scratch_index, body={"query": query, "_source": False})["hits"]["hits"]
        return {int(hit["_id"]) for hit in hits}

    assert found("word_starts", "mar") == {1, 2} and found("word_starts", "bri") == {3}
    assert found("word_ends", "ez") == {2, 4} and found("word_ends", "rie") == {1} and found("word_ends", "ar") == {4}
