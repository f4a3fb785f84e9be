"""Wallets and vouchers come in with a contact's accounts, in bulk and line by line alike; a voucher's secret code
is stored as a Fernet token under the configured key, and without a key the line carrying one is refused naming
the setting while the others are stored."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy import event, select
from sqlalchemy.orm import selectinload

from service.db.session import build_sessionmaker
from service.imports import bulk
from service.models import ARAccount, Contact
from tests.service.imports.conftest import Target, person

KEY = Fernet.generate_key().decode()
CODE = "vq-zx7731-kw"


def line(external_id: str, secret: str | None = CODE, balance: str = "12.50") -> dict:
    voucher = {"number": "V-1", "value": "20.00", "currency": "EUR", "status": "used", "used_on": "2026-11-02"}
    account = {
        "number": f"AR-{external_id}",
        "name": "Marie Lefèvre",
        "currency": "EUR",
        "wallets": [{"number": "W-1", "balance": balance, "currency": "EUR"}],
        "vouchers": [
            voucher | ({"secret": secret} if secret else {}),
            {"number": "V-2", "value": "5", "currency": "EUR"},
        ],
    }
    return person(external_id, ar_accounts=[account])


def stored(target: Target) -> dict[str, tuple[list, list]]:
    """Per contact, its wallets and vouchers as rows."""
    with build_sessionmaker(target.engine)() as session:
        accounts = session.scalars(
            select(ARAccount)
            .join(Contact)
            .options(selectinload(ARAccount.wallets), selectinload(ARAccount.vouchers))
            .order_by(ARAccount.number)
        ).all()
        return {
            a.number: (
                [(w.number, str(w.balance), w.currency) for w in a.wallets],
                [(v.number, str(v.value), v.status, v.used_on, v.secret_encrypted) for v in a.vouchers],
            )
            for a in accounts
        }


def keyed(target: Target, keys: str) -> Target:
    target.settings = target.settings.model_copy(update={"voucher_secret_keys": SecretStr(keys)})
    return target


@pytest.fixture(params=["bulk", "line by line"])
def path_taken(request, monkeypatch) -> str:
    if request.param == "line by line":
        monkeypatch.setattr(bulk.BulkContacts, "write", lambda *_args: None)
    return request.param


def test_imported_wallets_and_vouchers_are_stored_and_the_code_only_as_a_fernet_token(target, path_taken):
    keyed(target, KEY)
    statements: list[str] = []
    event.listen(target.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    report = target.run(target.file("contacts.jsonl", line("CRM-1"), line("CRM-2", secret=None)), batch_size=10)
    assert (report.created, report.rejected) == (2, 0), target.rejected
    contacts_inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO CONTACTS")]
    assert (len(contacts_inserts) == 1) == (path_taken == "bulk")

    rows = stored(target)
    assert rows["AR-CRM-1"][0] == [("W-1", "12.50", "EUR")]
    (v1, v2) = rows["AR-CRM-1"][1]
    assert v1[:4] == ("V-1", "20.00", "used", date(2026, 11, 2))
    assert CODE not in v1[4] and Fernet(KEY.encode()).decrypt(v1[4].encode()).decode() == CODE
    assert v2 == ("V-2", "5.00", "issued", None, None)
    assert [v[4] for v in rows["AR-CRM-2"][1]] == [None, None]
    if target.settings.database_url.startswith("sqlite"):
        database = Path(target.settings.database_url.removeprefix("sqlite:///"))
        raw = b"".join(p.read_bytes() for p in (database, database.with_name(database.name + "-wal")) if p.exists())
        assert v1[4].encode() in raw and CODE.encode() not in raw


def test_a_reimport_updates_wallets_and_keeps_a_code_it_does_not_carry(target):
    keyed(target, KEY)
    target.run(target.file("first.jsonl", line("CRM-1")))
    token = stored(target)["AR-CRM-1"][1][0][4]
    report = target.run(target.file("again.jsonl", line("CRM-1", secret=None, balance="3.00")))
    assert report.updated == 1, target.rejected
    wallets, vouchers = stored(target)["AR-CRM-1"]
    assert wallets == [("W-1", "3.00", "EUR")]
    assert vouchers[0][4] == token, "a code left out keeps its token byte for byte"


def test_without_a_key_the_line_with_a_code_is_refused_naming_the_setting_and_the_others_stored(target):
    keyed(target, "")
    report = target.run(target.file("contacts.jsonl", line("CRM-1"), line("CRM-2", secret=None)), batch_size=10)
    assert (report.created, report.rejected) == (1, 1)
    assert "CONTACT_LOOKUP_VOUCHER_SECRET_KEYS is not set" in target.rejected[1]
    assert CODE not in target.rejected[1]
    assert set(stored(target)) == {"AR-CRM-2"}


def test_a_bad_wallet_or_voucher_line_is_refused_naming_the_field(target):
    keyed(target, KEY)
    negative = line("CRM-1", balance="-1.00")
    unknown = line("CRM-2")
    unknown["ar_accounts"][0]["vouchers"][1]["status"] = "lost"
    twice = line("CRM-3")
    twice["ar_accounts"][0]["vouchers"][1]["number"] = "V-1"
    report = target.run(target.file("contacts.jsonl", negative, unknown, twice, line("CRM-4")), batch_size=10)
    assert (report.created, report.rejected) == (1, 3)
    assert target.rejected[1].startswith("ar_accounts[0].wallets[0].balance")
    assert target.rejected[2].startswith("ar_accounts[0].vouchers[1].status")
    assert "ar_accounts[0].vouchers[1].number" in target.rejected[3]
    assert all(CODE not in reason for reason in target.rejected.values())
    assert set(stored(target)) == {"AR-CRM-4"}


def test_a_second_import_of_the_same_file_with_codes_changes_nothing_and_a_new_code_is_stored(target):
    keyed(target, KEY)
    path = target.file("first.jsonl", line("CRM-1"))
    target.run(path)
    before, outbox = stored(target), target.outbox()
    again = target.run(path)
    assert (again.unchanged, again.updated) == (1, 0), "the code is compared decrypted, in memory"
    assert stored(target) == before and target.outbox() == outbox
    changed = target.run(target.file("changed.jsonl", line("CRM-1", secret="vq-jw4410-zq")))
    assert changed.updated == 1
    token = stored(target)["AR-CRM-1"][1][0][4]
    assert Fernet(KEY.encode()).decrypt(token.encode()).decode() == "vq-jw4410-zq"
