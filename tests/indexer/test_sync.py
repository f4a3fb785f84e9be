"""The outbox sync keeps the index a faithful mirror: updates, deletes, duplicates, reordering, poison."""

from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from indexer import aliases, bulk
from indexer.documents import contact_document
from indexer.loader import contacts_by_id
from indexer.rebuild import rebuild
from indexer.sync import MAX_ATTEMPTS, OutboxSync, current_digests, retry_parked
from indexer.verify import verify
from service.db.session import build_sessionmaker
from service.models import Address, Communication, CommunicationReference, Contact, OutboxEntry, Phone, SyncPass
from service.models.change_capture import pending_ids
from service.models.outbox import CONTACT
from service.models.sync_pass import KEEP_PASSES
from service.phones import to_e164


def names_for(client, settings, query):
    """The contacts a root-field query finds, the same in the contacts index and in the quick index."""
    found = []
    for alias in (settings.contacts_alias, settings.quick_alias):
        client.indices.refresh(index=alias)
        hits = client.search(index=alias, body={"query": query})["hits"]["hits"]
        found.append(sorted(h["_source"]["display_name"] for h in hits))
    assert found[0] == found[1], f"contacts index {found[0]}, quick index {found[1]}"
    return found[0]


def pending(engine):
    with build_sessionmaker(engine)() as session:
        return session.scalar(select(func.count()).select_from(OutboxEntry))


def communications_of(engine, first_name):
    """How many communications a contact has: renaming it rewrites each of theirs too."""
    with build_sessionmaker(engine)() as session:
        owner = select(Contact.id).where(Contact.first_name == first_name).scalar_subquery()
        return session.scalar(select(func.count()).select_from(Communication).where(Communication.contact_id == owner))


def assert_mirrored(settings, engine, client):
    results = verify(settings=settings, engine=engine, client=client)
    assert all(d.clean for d in results.values()), {a: d.lines(a) for a, d in results.items()}


def test_a_committed_change_reaches_the_index_and_its_entry_is_removed(own, os_client):
    settings, engine = own
    rebuild(settings=settings, engine=engine, client=os_client)
    sync = OutboxSync(settings=settings, engine=engine, client=os_client)
    with build_sessionmaker(engine).begin() as session:
        marie = session.scalar(
            select(Contact).where(Contact.first_name == "Marie").options(selectinload(Contact.phones))
        )
        marie.last_name = "Lefèvre-Dubois"
        marie.phones.append(Phone(phone_type="work", number="01 42 68 53 00", e164=to_e164("01 42 68 53 00", "FR")))
    renamed = communications_of(engine, "Marie")
    assert pending(engine) == 1 + renamed
    report = sync.drain()
    # One document in the contacts index, one in the quick index, and her communications (renamed).
    assert report.claimed == 1 + renamed and report.written == 2 + renamed and pending(engine) == 0
    assert names_for(os_client, settings, {"term": {"last_name": "lefevre-dubois"}}) == ["Marie Lefèvre-Dubois"]
    assert names_for(os_client, settings, {"term": {"phone_numbers": "33142685300"}}) == ["Marie Lefèvre-Dubois"]
    assert_mirrored(settings, engine, os_client)


def test_deleting_a_contact_removes_it_and_its_communications(own, os_client):
    settings, engine = own
    rebuild(settings=settings, engine=engine, client=os_client)
    with build_sessionmaker(engine).begin() as session:
        marie = session.scalar(select(Contact).where(Contact.first_name == "Marie"))
        marie_id = marie.id
        session.delete(marie)
    OutboxSync(settings=settings, engine=engine, client=os_client).drain()
    os_client.indices.refresh(index=settings.communications_alias)
    assert names_for(os_client, settings, {"term": {"names": "marie"}}) == []
    of_marie = {"query": {"term": {"contact_id": marie_id}}}
    assert os_client.count(index=settings.communications_alias, body=of_marie)["count"] == 0
    assert_mirrored(settings, engine, os_client)


def test_a_new_communication_updates_both_documents(own, os_client):
    settings, engine = own
    rebuild(settings=settings, engine=engine, client=os_client)
    before = os_client.count(index=settings.communications_alias)["count"]
    with build_sessionmaker(engine).begin() as session:
        mona = session.scalar(select(Contact).where(Contact.first_name == "Mona"))
        session.add(
            Communication(
                contact_id=mona.id,
                created_by="agent",
                interaction_at=datetime.now(UTC),
                direction="outgoing",
                channel="phone",
                topic="Collection call",
                status="open",
                keywords=["promise-to-pay"],
                references=[CommunicationReference(qualifier="transaction", reference_id="TRX-555")],
            )
        )
    OutboxSync(settings=settings, engine=engine, client=os_client).drain()
    assert names_for(os_client, settings, {"term": {"reference_ids": "trx555"}}) == ["Mona Schäfer"]
    os_client.indices.refresh(index=settings.communications_alias)
    assert os_client.count(index=settings.communications_alias)["count"] == before + 1
    assert_mirrored(settings, engine, os_client)


def test_duplicate_and_reordered_deliveries_leave_the_newest_version(own, os_client):
    settings, engine = own
    rebuild(settings=settings, engine=engine, client=os_client)
    sessions = build_sessionmaker(engine)
    with sessions.begin() as session:
        mona = session.scalar(select(Contact).where(Contact.first_name == "Mona"))
        mona.last_name = "Schäfer-Alt"
    with sessions() as session:
        mona_id = session.scalar(select(Contact.id).where(Contact.first_name == "Mona"))
        (old,) = contacts_by_id(session, [mona_id])
        stale_doc, stale_version = contact_document(old, reference_ids=[], phone_region="FR"), old.version
    with sessions.begin() as session:
        mona = session.scalar(select(Contact).where(Contact.first_name == "Mona"))
        mona.last_name = "Schäfer-Neu"
        session.add_all(OutboxEntry(entity="contact", entity_id=mona.id) for _ in range(3))
    sync = OutboxSync(settings=settings, engine=engine, client=os_client)
    assert sync.drain().claimed == 5 + 2 * communications_of(engine, "Mona")
    late = bulk.write(
        os_client, [bulk.index_action(settings.contacts_alias, old.id, stale_version, stale_doc)], settings=settings
    )
    # A conflict is no success until the index is found to hold what the database holds now; here it does.
    assert late.conflicts and not late.ok
    with sessions() as session:
        late.resolve(bulk.unsettled(os_client, late.conflicts, current_digests(session, settings, late.conflicts)))
    assert late.stale == 1 and late.ok
    assert names_for(os_client, settings, {"term": {"first_name": "mona"}}) == ["Mona Schäfer-Neu"]
    assert_mirrored(settings, engine, os_client)


def test_a_poison_entry_is_retried_then_parked_without_blocking_the_queue(own, os_client):
    settings, engine = own
    rebuild(settings=settings, engine=engine, client=os_client)
    os_client.indices.put_settings(index=settings.contacts_alias, body={"index.mapping.nested_objects.limit": 1})
    sessions = build_sessionmaker(engine)
    with sessions.begin() as session:
        mona = session.scalar(
            select(Contact).where(Contact.first_name == "Mona").options(selectinload(Contact.addresses))
        )
        mona.addresses.append(Address(address_type="other", street="Hauptstraße 1", city="Köln", country="DE"))
        acme = session.scalar(select(Contact).where(Contact.company_name.like("Müller%")))
        acme.category = "business"
    sync = OutboxSync(settings=settings, engine=engine, client=os_client)
    first = sync.drain_once()
    assert (first.claimed, first.retried) == (2, 1)
    assert names_for(os_client, settings, {"term": {"category": "business"}}) == ["Müller & Söhne GmbH"]
    with sessions.begin() as session:
        entry = session.scalar(select(OutboxEntry))
        assert entry.attempts == 1 and entry.available_at > datetime.now(UTC) and "nested" in entry.last_error
        entry.attempts, entry.available_at = MAX_ATTEMPTS - 1, datetime(2000, 1, 1, tzinfo=UTC)
    assert sync.drain_once().parked == 1

    with sessions.begin() as session:
        acme = session.scalar(select(Contact).where(Contact.company_name.like("Müller%")))
        acme.category = "vip"
    assert sync.drain().claimed == 1
    assert names_for(os_client, settings, {"term": {"category": "vip"}}) == ["Müller & Söhne GmbH"]

    os_client.indices.put_settings(index=settings.contacts_alias, body={"index.mapping.nested_objects.limit": 10000})
    with sessions.begin() as session:
        assert retry_parked(session) == 1
    sync.drain()
    assert pending(engine) == 0
    assert_mirrored(settings, engine, os_client)


def test_a_small_pass_is_searchable_at_once_without_waiting_for_a_refresh(own, os_client):
    settings, engine = own
    rebuild(settings=settings, engine=engine, client=os_client)
    os_client.indices.put_settings(index=settings.contacts_alias, body={"index": {"refresh_interval": "-1"}})
    with build_sessionmaker(engine).begin() as session:
        mona = session.scalar(select(Contact).where(Contact.first_name == "Mona"))
        mona.last_name = "Sofort"
    OutboxSync(settings=settings, engine=engine, client=os_client).drain()
    query = {"query": {"term": {"last_name": "sofort"}}}
    assert os_client.count(index=settings.contacts_alias, body=query)["count"] == 1


def test_each_pass_with_entries_is_recorded_and_only_the_latest_passes_are_kept(own, os_client):
    settings, engine = own
    rebuild(settings=settings, engine=engine, client=os_client)
    sessions = build_sessionmaker(engine)
    with sessions.begin() as session:
        session.add_all(SyncPass(claimed=9, documents=9, failed=0, seconds=1.0) for _ in range(KEEP_PASSES + 5))
        mona = session.scalar(select(Contact).where(Contact.first_name == "Mona"))
        mona.category = "vip"
    sync = OutboxSync(settings=settings, engine=engine, client=os_client)
    report = sync.drain()
    assert sync.drain_once().claimed == 0
    with sessions() as session:
        passes = session.scalars(select(SyncPass).order_by(SyncPass.id)).all()
    assert len(passes) == KEEP_PASSES
    latest = passes[-1]
    assert (latest.claimed, latest.documents, latest.failed) == (1, 2, 0)  # the contacts and the quick index
    assert latest.seconds == report.seconds > 0


def test_an_alias_without_an_index_is_skipped_and_the_rebuild_that_creates_it_loads_the_change(own, os_client):
    """A deployment from before the quick index: changes reach the contacts index and park nothing."""
    settings, engine = own
    rebuild(settings=settings, engine=engine, client=os_client)
    os_client.indices.delete(index=aliases.current_index(os_client, settings.quick_alias))
    sessions = build_sessionmaker(engine)
    with sessions.begin() as session:
        session.scalar(select(Contact).where(Contact.first_name == "Mona")).last_name = "Vor-Upgrade"
    report = OutboxSync(settings=settings, engine=engine, client=os_client).drain()
    renamed = communications_of(engine, "Mona")
    assert (report.claimed, report.written, report.retried, report.parked) == (1 + renamed, 1 + renamed, 0, 0)
    assert pending(engine) == 0
    os_client.indices.refresh(index=settings.contacts_alias)
    found = os_client.search(index=settings.contacts_alias, body={"query": {"term": {"last_name": "vor-upgrade"}}})
    assert [hit["_source"]["display_name"] for hit in found["hits"]["hits"]] == ["Mona Vor-Upgrade"]

    rebuild(settings=settings, engine=engine, client=os_client)
    assert names_for(os_client, settings, {"term": {"last_name": "vor-upgrade"}}) == ["Mona Vor-Upgrade"]
    assert_mirrored(settings, engine, os_client)


def test_before_the_first_rebuild_changes_wait_for_it_instead_of_failing(own, os_client):
    settings, engine = own
    with build_sessionmaker(engine).begin() as session:
        session.scalar(select(Contact).where(Contact.first_name == "Mona")).last_name = "Vor-Index"
    waiting = pending(engine)
    report = OutboxSync(settings=settings, engine=engine, client=os_client).drain()
    assert (report.claimed, report.written, report.retried, report.parked) == (waiting, 0, 0, 0)
    assert pending(engine) == 0
    assert os_client.indices.get(index=f"{settings.index_prefix}-*") == {}

    rebuild(settings=settings, engine=engine, client=os_client)
    assert names_for(os_client, settings, {"term": {"last_name": "vor-index"}}) == ["Mona Vor-Index"]
    assert_mirrored(settings, engine, os_client)


def test_moving_or_renaming_a_contact_rewrites_its_communications_and_nothing_else_does(own, os_client):
    """Communication documents carry the contact's business unit (who may see them) and display name."""
    settings, engine = own
    rebuild(settings=settings, engine=engine, client=os_client)
    sessions = build_sessionmaker(engine)
    with sessions.begin() as session:
        maria = session.scalar(select(Contact).where(Contact.first_name == "María"))
        maria_id, unit = maria.id, maria.business_unit

    def versions_of_her_communications():
        with sessions() as session:
            found = select(Communication.id, Communication.version).where(Communication.contact_id == maria_id)
            return dict(session.execute(found).all())

    versions = versions_of_her_communications()
    assert versions, "the scenario gives María communications"

    with sessions.begin() as session:
        session.get(Contact, maria_id).preferred_language = "ca"
    OutboxSync(settings=settings, engine=engine, client=os_client).drain()
    assert versions_of_her_communications() == versions

    with sessions.begin() as session:
        maria = session.get(Contact, maria_id)
        maria.business_unit, maria.last_name = f"{unit}-MOVED", "Núñez-Vidal"
    report = OutboxSync(settings=settings, engine=engine, client=os_client).drain()
    assert report.claimed == 1 + len(versions) and report.parked == 0
    os_client.indices.refresh(index=settings.communications_alias)
    hits = os_client.search(
        index=settings.communications_alias, body={"query": {"term": {"contact_id": maria_id}}, "size": 100}
    )["hits"]["hits"]
    assert sorted(int(hit["_id"]) for hit in hits) == sorted(versions)
    assert {hit["_source"]["business_unit"] for hit in hits} == {f"{unit}-MOVED"}
    assert {hit["_source"]["contact_display_name"] for hit in hits} == {"María Núñez-Vidal"}
    assert_mirrored(settings, engine, os_client)


def test_a_deleted_contact_is_retried_until_its_communications_are_gone_from_the_index(own, os_client):
    settings, engine = own
    rebuild(settings=settings, engine=engine, client=os_client)
    sessions = build_sessionmaker(engine)
    with sessions.begin() as session:
        marie = session.scalar(select(Contact).where(Contact.first_name == "Marie"))
        marie_id = marie.id
        session.delete(marie)
    of_marie = {"query": {"term": {"contact_id": marie_id}}}
    held = os_client.count(index=settings.communications_alias, body=of_marie)["count"]
    assert held > 0
    # The contact's own entry stays until the search-and-delete of its communications has gone through.
    with sessions.begin() as session:
        session.execute(delete(OutboxEntry).where(OutboxEntry.entity == "communication"))
    blocked = {"index.blocks.write": True}
    os_client.indices.put_settings(index=settings.communications_alias, body=blocked)
    sync = OutboxSync(settings=settings, engine=engine, client=os_client)
    try:
        first = sync.drain_once()
        assert (first.claimed, first.retried) == (1, 1)
        with sessions.begin() as session:
            entry = session.scalar(select(OutboxEntry))
            assert "communications were not all deleted" in entry.last_error and "block" in entry.last_error
            entry.available_at = datetime(2000, 1, 1, tzinfo=UTC)
    finally:
        os_client.indices.put_settings(index=settings.communications_alias, body={"index.blocks.write": None})
    assert sync.drain().claimed == 1
    assert pending(engine) == 0
    os_client.indices.refresh(index=settings.communications_alias)
    assert os_client.count(index=settings.communications_alias, body=of_marie)["count"] == 0
    assert_mirrored(settings, engine, os_client)


def test_a_change_committed_while_two_workers_hold_the_same_entry_is_not_acknowledged_with_it(own, os_client):
    """On SQLite two workers (the service's and a rebuild's drain, or two `index sync`) claim the same entries
    without a lock, and each deletes by id what it wrote. The other worker acknowledges first, the outbox is
    empty, an agent saves again: the new change's entry must not take the id the first worker still holds, or
    that worker's acknowledgement deletes it unwritten (the index kept the older version, the outbox was empty)."""
    settings, engine = own
    rebuild(settings=settings, engine=engine, client=os_client)
    sessions = build_sessionmaker(engine)
    first = OutboxSync(settings=settings, engine=engine, client=os_client)
    other = OutboxSync(settings=settings, engine=engine, client=os_client)

    def save(last_name):
        with sessions.begin() as session:
            session.scalar(select(Contact).where(Contact.first_name == "Mona")).last_name = last_name

    save("Schäfer-Weber")
    real_bulk = os_client.bulk
    meanwhile = []

    def bulk_after_the_other_worker(*args, **kwargs):
        if not meanwhile:
            meanwhile.append(None)
            meanwhile[0] = other.drain()
            save("Weber")
        return real_bulk(*args, **kwargs)

    os_client.bulk = bulk_after_the_other_worker
    try:
        first.drain_once()
    finally:
        del os_client.bulk
    assert meanwhile, "the other worker ran while the first one wrote"
    with sessions() as session:
        mona = session.scalar(select(Contact.id).where(Contact.first_name == "Mona"))
        waiting = pending_ids(session, CONTACT)
    assert mona in waiting, "the newer change's entry was acknowledged by a worker that never wrote it"
    first.drain()
    assert names_for(os_client, settings, {"match": {"last_name": "Weber"}}) == ["Mona Weber"]
    assert_mirrored(settings, engine, os_client)


def test_every_action_of_a_communication_is_found_by_the_action_filter(own, os_client):
    settings, engine = own
    rebuild(settings=settings, engine=engine, client=os_client)
    with build_sessionmaker(engine).begin() as session:
        mona = session.scalar(select(Contact).where(Contact.first_name == "Mona"))
        two = Communication(
            contact_id=mona.id,
            created_by="agent",
            interaction_at=datetime(2026, 11, 2, 9, 30, tzinfo=UTC),
            direction="incoming",
            channel="phone",
            topic="Two actions",
            status="open",
            action="call",
            stored_actions=[{"action": "call"}, {"action": "exclude_from_dunning"}],
        )
        session.add(two)
        session.flush()
        two_id = two.id
    OutboxSync(settings=settings, engine=engine, client=os_client).drain()
    os_client.indices.refresh(index=settings.communications_alias)
    for action in ("call", "exclude_from_dunning"):
        filters = [{"term": {"action": action}}, {"term": {"communication_id": two_id}}]
        hits = os_client.search(index=settings.communications_alias, body={"query": {"bool": {"filter": filters}}})
        assert [h["_source"]["action"] for h in hits["hits"]["hits"]] == [["call", "exclude_from_dunning"]], action
