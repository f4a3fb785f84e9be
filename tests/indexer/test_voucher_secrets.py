"""A voucher's secret code never reaches the engine: neither the code nor its ciphertext is in the documents the
rebuild writes or in those the sync rewrites when a voucher changes."""

from __future__ import annotations

import json

from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from indexer.rebuild import rebuild
from indexer.sync import OutboxSync
from service.contacts.secrets import VoucherCipher
from service.db.session import build_sessionmaker
from service.models import ARAccount, Voucher

CODE = "vq-zx7731-kw"
CHANGED = "vq-jw4410-zq"


def documents(client, settings, contact_id: int) -> str:
    """The contact's document in the contacts index and in the quick index, as the engine returns them."""
    found = []
    for alias in (settings.contacts_alias, settings.quick_alias):
        client.indices.refresh(index=alias)
        hits = client.search(index=alias, body={"query": {"ids": {"values": [str(contact_id)]}}})["hits"]["hits"]
        assert len(hits) == 1, alias
        found.append(hits[0]["_source"])
    return json.dumps(found)


def test_neither_the_code_nor_its_ciphertext_is_in_the_index_after_a_rebuild_and_a_sync(own, os_client):
    settings, engine = own
    cipher = VoucherCipher(SecretStr(Fernet.generate_key().decode()))
    with build_sessionmaker(engine).begin() as session:
        account = session.scalar(
            select(ARAccount).where(ARAccount.number == "AR-000100").options(selectinload(ARAccount.vouchers))
        )
        token = cipher.encrypt(CODE)
        account.vouchers.append(Voucher(number="V-1", value=20, currency="EUR", status="used", secret_encrypted=token))
        contact_id = account.contact_id
    rebuild(settings=settings, engine=engine, client=os_client)
    indexed = documents(os_client, settings, contact_id)
    assert "AR-000100" in indexed, "the document read is the account holder's"
    assert CODE not in indexed and token not in indexed

    with build_sessionmaker(engine).begin() as session:
        voucher = session.scalar(select(Voucher).where(Voucher.number == "V-1"))
        changed = cipher.encrypt(CHANGED)
        voucher.secret_encrypted = changed
    report = OutboxSync(settings=settings, engine=engine, client=os_client).drain()
    assert report.claimed >= 1, "a voucher change rewrites its contact's document"
    rewritten = documents(os_client, settings, contact_id)
    assert CHANGED not in rewritten and changed not in rewritten and CODE not in rewritten
