"""`users`: add (refusing an existing name), rotate (keeping role and unit), list (never a token), disable, enable;
tokens may expire. Each command runs as a user would run it, in its own process against a real database."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from service.auth.service import authenticate_hash
from service.auth.tokens import hash_token
from service.db.session import build_engine, build_sessionmaker
from service.errors import Unauthorized
from service.models import User
from service.settings import Settings


@pytest.fixture
def users(make_database, database):
    """Runs `contact-lookup users ...` against a database of this test's own."""
    db = make_database(database.backend, "users")
    env = {**os.environ, "CONTACT_LOOKUP_DATABASE_URL": db.url}
    sessions = build_sessionmaker(build_engine(Settings(database_url=db.url)))

    def run(*args, check=True):
        command = [sys.executable, "-m", "service.cli", "users", *args]
        return subprocess.run(command, env=env, capture_output=True, text=True, check=check)

    run.sessions = sessions
    run.user = lambda name: _user(sessions, name)
    return run


def _user(sessions, name):
    with sessions() as session:
        return session.scalar(select(User).where(User.name == name))


def _principal(sessions, token):
    with sessions() as session:
        return authenticate_hash(session, hash_token(token))


def test_users_add_prints_the_token_last_and_stores_only_its_hash(users):
    token = users("add", "jan", "--role", "agent", "--business-unit", "BU02").stdout.splitlines()[-1]
    user = users.user("jan")
    assert (user.role, user.business_unit, user.expires_at) == ("agent", "BU02", None)
    assert user.token_hash == hash_token(token) and token not in user.token_hash


def test_users_add_refuses_an_unknown_role(users):
    result = users("add", "x", "--role", "boss", check=False)
    assert result.returncode == 2
    assert "agent or admin" in result.stderr


def test_users_add_stores_the_business_unit_in_upper_case_and_refuses_one_that_is_no_code(users):
    users("add", "eva", "--business-unit", "bu02")
    assert users.user("eva").business_unit == "BU02"
    result = users("add", "ivo", "--business-unit", "BU 02", check=False)
    assert result.returncode == 2
    assert "no business unit" in result.stderr


def test_adding_an_existing_agent_again_is_refused_and_keeps_its_business_unit(users):
    """Issue 20, finding 10: re-running `users add NAME --role agent` used to drop the unit binding, so an agent
    bound to BU01 saw every unit."""
    token = users("add", "ana", "--role", "agent", "--business-unit", "BU01").stdout.splitlines()[-1]
    again = users("add", "ana", "--role", "agent", check=False)
    assert again.returncode == 1
    assert "exists already" in again.stderr and "users rotate ana" in again.stderr
    assert users.user("ana").business_unit == "BU01"
    assert _principal(users.sessions, token).business_unit == "BU01"


def test_users_rotate_prints_a_new_token_keeps_role_and_unit_and_the_old_token_stops_working(users):
    old = users("add", "ana", "--role", "admin", "--business-unit", "BU01").stdout.splitlines()[-1]
    result = users("rotate", "ana")
    new = result.stdout.splitlines()[-1]
    assert new != old and "admin, BU01" in result.stdout
    assert (users.user("ana").role, users.user("ana").business_unit) == ("admin", "BU01")
    assert _principal(users.sessions, new).name == "ana"
    with pytest.raises(Unauthorized):
        _principal(users.sessions, old)
    missing = users("rotate", "nobody", check=False)
    assert missing.returncode == 1 and "no user named nobody" in missing.stderr


def test_a_token_added_with_an_expiry_is_refused_once_it_has_expired_and_rotate_keeps_its_lifetime(users):
    token = users("add", "tim", "--expires-in", "90d").stdout.splitlines()[-1]
    expires_at = users.user("tim").expires_at
    assert abs(expires_at - (datetime.now(UTC) + timedelta(days=90))) < timedelta(minutes=1)
    with users.sessions() as session:
        assert authenticate_hash(session, hash_token(token)).expires_at == expires_at
        with pytest.raises(Unauthorized, match="expired"):
            authenticate_hash(session, hash_token(token), now=expires_at)
    users("rotate", "tim")
    assert users.user("tim").expires_at - expires_at > timedelta(0)
    assert users.user("tim").expires_at - datetime.now(UTC) > timedelta(days=89)
    users("rotate", "tim", "--expires-in", "12h")
    assert users.user("tim").expires_at - datetime.now(UTC) < timedelta(hours=12)
    bad = users("add", "tom", "--expires-in", "soon", check=False)
    assert bad.returncode == 2 and "90d" in bad.stderr
    assert users.user("tom") is None


def test_users_list_shows_every_user_and_never_a_token(users):
    agent = users("add", "ana", "--business-unit", "BU01", "--expires-in", "30d").stdout.splitlines()[-1]
    admin = users("add", "ada", "--role", "admin").stdout.splitlines()[-1]
    users("disable", "ada")
    listed = users("list", "--json").stdout
    rows = [json.loads(line) for line in listed.splitlines()]
    assert [(r["name"], r["role"], r["business_unit"]) for r in rows] == [
        ("ada", "admin", None),
        ("ana", "agent", "BU01"),
    ]
    assert rows[0]["disabled_at"] is not None and rows[1]["disabled_at"] is None
    assert rows[1]["expires_at"] is not None and rows[0]["expires_at"] is None
    assert all(r["created_at"] for r in rows) and all(r["last_used_at"] is None for r in rows)
    table = users("list").stdout
    assert table.splitlines()[0].split("\t")[:3] == ["name", "role", "business_unit"]
    for secret in (agent, admin, users.user("ana").token_hash, users.user("ada").token_hash):
        assert secret not in listed and secret not in table


def test_users_disable_refuses_the_token_and_enable_brings_it_back(users):
    token = users("add", "ana").stdout.splitlines()[-1]
    users("disable", "ana")
    with pytest.raises(Unauthorized):
        _principal(users.sessions, token)
    users("enable", "ana")
    assert _principal(users.sessions, token).name == "ana"
    missing = users("disable", "nobody", check=False)
    assert missing.returncode == 1 and "no user named nobody" in missing.stderr
