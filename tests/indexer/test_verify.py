"""`index verify` finds every kind of drift between the database and the index, and exits 1 on any."""

import os
import subprocess
import sys

from sqlalchemy import select

from indexer import bulk
from indexer.rebuild import rebuild
from indexer.verify import verify
from service.db.session import build_sessionmaker
from service.models import Contact


def test_verify_reports_missing_extra_and_stale_documents(own, os_client):
    settings, engine = own
    rebuild(settings=settings, engine=engine, client=os_client)
    assert all(d.clean for d in verify(settings=settings, engine=engine, client=os_client).values())

    with build_sessionmaker(engine).begin() as session:
        mona = session.scalar(select(Contact).where(Contact.first_name == "Mona"))
        marie = session.scalar(select(Contact).where(Contact.first_name == "Marie"))
        mona.last_name = "Schäfer-Neu"
        marie_id, mona_id, mona_version = marie.id, mona.id, mona.version + 1
    os_client.delete(index=settings.contacts_alias, id=str(marie_id), params={"refresh": "true"})
    stray = bulk.index_action(settings.contacts_alias, 999_999, 1, {"contact_id": 999_999, "display_name": "Ghost"})
    assert bulk.write(os_client, [stray], settings=settings, refresh=True).ok

    contacts = verify(settings=settings, engine=engine, client=os_client)[settings.contacts_alias]
    assert contacts.missing == [marie_id]
    assert contacts.extra == [999_999]
    assert [(i, dv) for i, _iv, dv in contacts.stale] == [(mona_id, mona_version)]

    env = {
        **os.environ,
        "CONTACT_LOOKUP_DATABASE_URL": settings.database_url,
        "CONTACT_LOOKUP_OPENSEARCH_URL": settings.opensearch_url,
        "CONTACT_LOOKUP_INDEX_PREFIX": settings.index_prefix,
    }
    command = [sys.executable, "-m", "service.cli", "index", "verify"]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "missing from the index (1)" in result.stdout and "index differs from the database" in result.stdout


def test_verify_checks_the_quick_index_on_its_own(own, os_client):
    settings, engine = own
    rebuild(settings=settings, engine=engine, client=os_client)
    with build_sessionmaker(engine)() as session:
        marie_id = session.scalar(select(Contact.id).where(Contact.first_name == "Marie"))
    os_client.delete(index=settings.quick_alias, id=str(marie_id), params={"refresh": "true"})

    results = verify(settings=settings, engine=engine, client=os_client)
    assert results[settings.quick_alias].missing == [marie_id]
    assert results[settings.contacts_alias].clean and results[settings.communications_alias].clean
