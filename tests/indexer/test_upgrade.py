"""A release that changes the mapping serves the previous release's indices until `index rebuild` swaps in its own:
`/ready` stays 200 and says an upgrade is pending, the sync worker keeps the old indices current with documents cut
to their mapping, and a rebuild under agent load answers every lookup 200 and loses no write (`index verify`).
The figures of the run are printed (`-s` shows them)."""

import asyncio
import copy
import dataclasses
import re
import subprocess
import sys
import time

import httpx
import pytest
from sqlalchemy import func, select

from indexer import actions as indexed
from indexer import aliases, mappings
from indexer.documents import fitted
from indexer.rebuild import rebuild
from indexer.sync import OutboxSync, current_digests, wait_until_drained
from search_definitions import catalogue
from search_definitions.catalogue import MAPPING_VERSION
from service.db.session import build_engine, build_sessionmaker
from service.demo.loader import load_demo_data
from service.models import Contact, OutboxEntry
from service.search import queries, terms
from service.text import fold
from tests.indexer.conftest import cli_env
from tests.indexer.test_rebuild import own_settings
from tests.support import traffic
from tests.support.server import running_server

PREVIOUS = MAPPING_VERSION - 1
AGENTS = 4
MAX_REQUESTS = 2000
THINK_S = 0.02


def previous_properties(properties):
    """This release's properties without what it added: the digest, and each account's `promise_broken_from`."""
    previous = {k: copy.deepcopy(v) for k, v in properties.items() if k != mappings.DIGEST_FIELD}
    if "ar_accounts" in previous:
        previous["ar_accounts"]["properties"].pop("promise_broken_from")
    return previous


def previous_body(body):
    """The previous release's body, derived from this release's by taking off what it added: the content digest
    of every document, the two-character slices and the start and end marks of `.slices` (version 4 cut three-
    and four-character slices, unmarked), the accounts' promise-broken days, stamped with the previous version. A
    `like` this release asks of those slices (`%ar%`, `Mar%`) finds nothing there."""
    body["mappings"]["_meta"] = {"mapping_version": PREVIOUS}
    body["mappings"]["properties"] = previous_properties(body["mappings"]["properties"])
    index = body["settings"]["index"]
    index["max_ngram_diff"] = 1
    analysis = body["settings"]["analysis"] = copy.deepcopy(body["settings"]["analysis"])
    analysis["filter"]["slices"]["min_gram"] = 3
    del analysis["filter"]["slice_marks"]
    for analyzer in analysis["analyzer"].values():
        if "filter" in analyzer:
            analyzer["filter"] = [name for name in analyzer["filter"] if name != "slice_marks"]
    return body


PREVIOUS_CONTACT = previous_properties(mappings.CONTACT_PROPERTIES)
PREVIOUS_COMMUNICATION = previous_properties(mappings.COMMUNICATION_PROPERTIES)


def build_previous_release(monkeypatch, settings, engine, client):
    """The real rebuild, with the previous release's bodies and documents."""
    with monkeypatch.context() as patch:
        for name in ("contacts_index_body", "quick_index_body", "communications_index_body"):
            original = getattr(mappings, name)
            patch.setattr(mappings, name, lambda *, shards=1, original=original: previous_body(original(shards=shards)))
        contact, communication = indexed.contact_document, indexed.communication_document
        patch.setattr(indexed, "contact_document", lambda *a, **k: fitted(contact(*a, **k), PREVIOUS_CONTACT))
        patch.setattr(
            indexed,
            "communication_document",
            lambda *a, **k: fitted(communication(*a, **k), PREVIOUS_COMMUNICATION),
        )
        return rebuild(settings=settings, engine=engine, client=client, drain_outbox=False)


@pytest.fixture
def upgrading(make_database, database, opensearch_url, os_client, run_prefix, tmp_path):
    settings = own_settings(make_database, database, opensearch_url, run_prefix, tmp_path, "up")
    engine = build_engine(settings)
    yield settings, engine
    engine.dispose()
    os_client.indices.delete(index=f"{settings.index_prefix}-*", params={"expand_wildcards": "all"})


def mapping_versions(client, settings):
    found = {}
    for alias in (settings.contacts_alias, settings.quick_alias, settings.communications_alias):
        index = aliases.current_index(client, alias)
        found[alias] = client.indices.get_mapping(index=index)[index]["mappings"]["_meta"]["mapping_version"]
    return found


def test_a_mapping_upgrade_serves_the_old_indices_until_a_rebuild_under_load_swaps_without_a_failed_answer(
    upgrading, os_client, monkeypatch
):
    settings, engine = upgrading
    load_demo_data(engine, contacts=300, seed=13, users=["amelie.roux"])
    target = traffic.prepare_target(engine, url="", agents=AGENTS)
    build_previous_release(monkeypatch, settings, engine, os_client)
    assert set(mapping_versions(os_client, settings).values()) == {PREVIOUS}
    env = {**cli_env(settings), "CONTACT_LOOKUP_RATE_LIMIT_PER_S": "0", "CONTACT_LOOKUP_SYNC_MAX_BACKOFF_S": "1"}

    with running_server(env, workers=2) as url:
        ready = httpx.get(f"{url}/ready", timeout=10)
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"]["opensearch"]["upgrade"] == (
            f"rebuild pending: index mapping {PREVIOUS}, this release {MAPPING_VERSION}"
        )
        # The old indices answer what the new ones will: a `like` runs on `.wild` there (the load changes no name),
        # on a prefix no inner word of a name starts with, where the two releases' `like` agree.
        likes = like_searches(engine, target)
        totals_before = search_totals(url, target, likes)
        assert any(totals_before.values()), totals_before
        # Before the rebuild: writes reach the old indices, cut to their mapping (their strict mapping refuses the
        # new fields), none left pending or parked.
        contact_id = target.contact_ids[0]
        written = write_one_of_each(url, target, contact_id)
        assert wait_until_drained(engine, timeout_s=20), "writes into the old indices were refused"
        os_client.indices.refresh(index=f"{settings.index_prefix}-*")
        held = os_client.get(index=settings.contacts_alias, id=str(contact_id))["_source"]
        assert held["category"] == written["category"]
        assert os_client.get(index=settings.communications_alias, id=str(written["communication_id"]))["found"]
        before = asyncio.run(traffic.run(dataclasses.replace(target, url=url), concurrency=AGENTS, duration_s=1.5))
        assert wait_until_drained(engine, timeout_s=60)
        samples, rebuilt, seconds = asyncio.run(_rebuild_under_load(dataclasses.replace(target, url=url), env))
        drained = wait_until_drained(engine, timeout_s=60)
        after = httpx.get(f"{url}/ready", timeout=10).json()
        totals_after = search_totals(url, target, likes)
    verified = subprocess.run(
        [sys.executable, "-m", "service.cli", "index", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    with build_sessionmaker(engine)() as session:
        parked = session.scalar(select(func.count()).select_from(OutboxEntry).where(OutboxEntry.parked.is_(True)))
        errors = sorted({e for e in session.scalars(select(OutboxEntry.last_error)) if e})[:3]

    lookups = [s for s in samples if s.operation not in traffic.WRITES]
    writes = [s for s in samples if s.operation in traffic.WRITES]
    print(
        f"\n{engine.dialect.name}: upgrade {PREVIOUS} -> {MAPPING_VERSION}: rebuild {seconds:.1f} s under {AGENTS} "
        f"agents; lookups sent "
        f"{len(lookups)}, answered 200 {sum(s.status == 200 for s in lookups)}; writes sent {len(writes)}, answered "
        f"2xx {sum(s.status in (200, 201) for s in writes)}; before the rebuild {len(before)} requests; index verify: "
        f"{verified.stdout.strip().splitlines()[-1:]}"
    )
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert all(s.status in (200, 201) for s in before), {s.status: s.error for s in before if s.status >= 300}
    assert all(s.status == 200 for s in lookups), {s.status: s.error for s in lookups if s.status != 200}
    expected = {"log_communication": 201, "patch_contact": 200}
    assert all(s.status == expected[s.operation] for s in writes), [
        (s.operation, s.status, s.error) for s in writes if s.status != expected[s.operation]
    ]
    assert len(lookups) >= 20 and writes, "the load ran during the rebuild"
    assert drained and parked == 0, f"{parked} outbox entries parked: {errors}"
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert set(mapping_versions(os_client, settings).values()) == {MAPPING_VERSION}
    assert "upgrade" not in after["checks"]["opensearch"], after
    assert totals_before == totals_after


def test_a_swap_between_the_sync_finding_the_old_index_and_its_write_leaves_the_whole_document_in_the_new_one(
    upgrading, os_client, monkeypatch
):
    """The rebuild swaps an alias at any moment of a sync pass. Swapped after the pass found the old index behind
    it (so cut the document to the old mapping) but before its write, the live alias sends that cut document,
    without its digest, into the new index at the row's version, where a later retry of the same version met a
    conflict it could never settle (the upgrade under load once parked entries that way)."""
    settings, engine = upgrading
    load_demo_data(engine, contacts=5, seed=13, users=["amelie.roux"])
    build_previous_release(monkeypatch, settings, engine, os_client)
    alias = settings.contacts_alias
    new_index = aliases.new_index_name(alias)
    aliases.create_index(os_client, new_index, mappings.contacts_index_body())
    aliases.mark_building(os_client, alias, new_index)
    with build_sessionmaker(engine).begin() as session:
        contact = session.scalars(select(Contact).order_by(Contact.id)).first()
        contact.category = "swapped-mid-pass"
        contact_id = contact.id

    real_bulk = os_client.bulk
    swapped = []

    def swap_then_bulk(*args, **kwargs):
        if not swapped:
            swapped.append(aliases.swap_alias(os_client, alias, new_index))
        return real_bulk(*args, **kwargs)

    monkeypatch.setattr(os_client, "bulk", swap_then_bulk)
    sync = OutboxSync(settings=settings, engine=engine, client=os_client)
    sync.drain()
    monkeypatch.undo()

    assert swapped, "the swap ran inside the pass"
    held = os_client.get(index=new_index, id=str(contact_id))["_source"]
    with build_sessionmaker(engine)() as session:
        expected = current_digests(session, settings, [(new_index, str(contact_id))])
        pending = session.scalar(select(func.count()).select_from(OutboxEntry))
    assert held["category"] == "swapped-mid-pass"
    assert held.get(mappings.DIGEST_FIELD) == expected[(new_index, str(contact_id))]
    assert pending == 0


def write_one_of_each(url, target, contact_id):
    headers = {"Authorization": f"Bearer {target.tokens[0]}"}
    category = "upgrade-before"
    patched = httpx.patch(f"{url}/api/contacts/{contact_id}", json={"category": category}, headers=headers, timeout=10)
    assert patched.status_code == 200, patched.text
    body = {"contact_id": contact_id, "direction": "incoming", "channel": "phone", "topic": "Before the upgrade"}
    logged = httpx.post(f"{url}/api/communications", json=body, headers=headers, timeout=10)
    assert logged.status_code == 201, logged.text
    return {"category": category, "communication_id": logged.json()["id"]}


def like_searches(engine, target):
    """A name prefix that starts no inner word of any name part (the previous release's `like` starts only parts,
    this one every word): the two releases answer it alike."""
    with build_sessionmaker(engine)() as session:
        rows = session.execute(select(Contact.first_name, Contact.middle_name, Contact.last_name, Contact.company_name))
        inner = {fold(word) for row in rows for part in row if part for word in re.split(r"[\s\-'\u2019]+", part)[1:]}
    prefix = next(p for p in target.name_prefixes if not any(w.startswith(fold(p)[:2]) for w in inner))
    quick = [("quick", {"field": "name", "operator": "like", "value": v}) for v in (f"{prefix}%", f"%{prefix[1:]}%")]
    return [*quick, ("advanced", {"contact": {"last_name": f"{prefix[:2]}%"}})]


def search_totals(url, target, searches):
    headers = {"Authorization": f"Bearer {target.tokens[0]}"}
    totals = {}
    for kind, body in searches:
        response = httpx.post(f"{url}/api/search/{kind}", json=body, headers=headers, timeout=10)
        assert response.status_code == 200, response.text
        totals[f"{kind} {body}"] = response.json()["total"]
    return totals


async def _rebuild_under_load(target, env):
    """`index rebuild` as an operator runs it, while agents look up and write through the server."""
    stop = asyncio.Event()
    load = asyncio.create_task(
        traffic.run(target, concurrency=AGENTS, duration_s=600, max_requests=MAX_REQUESTS, think_s=THINK_S, stop=stop)
    )
    await asyncio.sleep(0.5)
    started = time.monotonic()
    rebuilt = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "service.cli", "index", "rebuild"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    seconds = time.monotonic() - started
    await asyncio.sleep(0.5)
    stop.set()
    return await load, rebuilt, seconds


@pytest.mark.parametrize("value", ["%ar%", "Mar%", "%artin%"])
def test_a_like_on_an_older_mapping_asks_the_wildcard_field_alone(value):
    """Its slices and grams are not this release's: a term looked up there would find nothing, silently."""
    name = catalogue.get("name")
    current = queries.quick_clause(name, catalogue.Operator.LIKE, value, phone_region="FR")
    older = queries.quick_clause(name, catalogue.Operator.LIKE, value, phone_region="FR", older_mapping=True)
    assert ".slices" in str(current) or ".grams" in str(current)
    assert older == {"wildcard": {f"{name.quick_path}.wild": {"value": terms.like_pattern(name, value).wildcard()}}}
