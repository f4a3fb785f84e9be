"""`vouchers rotate-keys`: every stored voucher code re-encrypted under the first key, so the old key can leave the
setting; codes already under it are left alone, the documents are not queued again, a code no listed key opens is
reported (exit 1), and without a key the command names the setting (exit 2). Run as a user runs it, in its own
process against a real database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import func, select

from service.db.session import build_engine, build_sessionmaker
from service.models import ARAccount, Contact, OutboxEntry, Voucher
from service.settings import Settings
from tests.support.builders import make_contact

OLD, NEW, FOREIGN = (Fernet.generate_key() for _ in range(3))


def voucher(number: str, key: bytes | None, code: str = "") -> Voucher:
    token = Fernet(key).encrypt((code or f"code-{number}").encode()).decode() if key else None
    return Voucher(number=number, value=Decimal("10"), currency="EUR", status="issued", secret_encrypted=token)


@pytest.fixture
def stored(make_database, database):
    """A database with vouchers under the old key (three), the new one (one), none, and a key nobody lists."""
    db = make_database(database.backend, "rotate")
    engine = build_engine(Settings(database_url=db.url))
    sessions = build_sessionmaker(engine)
    with sessions.begin() as session:
        make_contact(
            session,
            ar_accounts=[
                ARAccount(
                    number="AR-1",
                    name="Claire Martin",
                    status="active",
                    currency="EUR",
                    vouchers=[voucher("V-1", OLD), voucher("V-2", OLD), voucher("V-3", NEW), voucher("V-4", None)],
                ),
                ARAccount(
                    number="AR-2", name="Claire Martin", status="active", currency="EUR", vouchers=[voucher("V-5", OLD)]
                ),
            ],
        )
        session.execute(OutboxEntry.__table__.delete())
    yield db, sessions
    engine.dispose()


def run(db, keys: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CONTACT_LOOKUP_DATABASE_URL": db.url, "CONTACT_LOOKUP_VOUCHER_SECRET_KEYS": keys}
    command = [sys.executable, "-m", "service.cli", "vouchers", "rotate-keys", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=120)


def codes(sessions) -> dict[str, str | None]:
    with sessions() as session:
        return dict(session.execute(select(Voucher.number, Voucher.secret_encrypted)).all())


def test_rotation_re_encrypts_every_code_under_the_first_key_and_the_old_key_can_go(stored):
    db, sessions = stored
    before = codes(sessions)
    with sessions() as session:
        version = session.scalar(select(Contact.version))
    done = run(db, f"{NEW.decode()},{OLD.decode()}", "--batch", "2")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {"rotated": 3, "current": 1, "changed_meanwhile": 0, "unreadable": []}
    after = codes(sessions)
    assert after["V-3"] == before["V-3"] and after["V-4"] is None, "already current, or no code: untouched"
    new_only = Fernet(NEW)
    assert {n: new_only.decrypt(t.encode()).decode() for n, t in after.items() if t} == {
        n: f"code-{n}" for n in ("V-1", "V-2", "V-3", "V-5")
    }
    with pytest.raises(InvalidToken):
        Fernet(OLD).decrypt(after["V-1"].encode())
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutboxEntry)) == 0, "no document changes"
        assert session.scalar(select(Contact.version)) == version
    again = run(db, NEW.decode())
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout.strip().splitlines()[-1])["current"] == 4 and codes(sessions) == after
    for secret in (NEW.decode(), OLD.decode()):
        assert secret not in done.stdout + done.stderr


def test_a_code_no_listed_key_opens_is_reported_and_left_and_the_rest_rotated(stored):
    db, sessions = stored
    with sessions.begin() as session:
        account = session.scalar(select(ARAccount).where(ARAccount.number == "AR-2"))
        foreign = voucher("V-9", FOREIGN)
        foreign.ar_account_id = account.id
        session.add(foreign)
        session.flush()
        foreign_id = foreign.id
    done = run(db, f"{NEW.decode()},{OLD.decode()}")
    assert done.returncode == 1
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["rotated"] == 3 and report["unreadable"] == [foreign_id]
    assert "keep the key that made them" in " ".join(done.stderr.split())


def test_without_a_key_the_command_names_the_setting_and_changes_nothing(stored):
    db, sessions = stored
    before = codes(sessions)
    done = run(db, "")
    assert done.returncode == 2
    assert "CONTACT_LOOKUP_VOUCHER_SECRET_KEYS is not set" in " ".join(done.stderr.split())
    assert codes(sessions) == before
