"""`users add` stores a hashed token and prints the token as its last line."""

import os
import subprocess
import sys

from sqlalchemy import select

from service.auth.tokens import hash_token
from service.db.session import build_engine, build_sessionmaker
from service.models import User
from service.settings import Settings


def test_users_add_prints_the_token_last_and_stores_only_its_hash(make_database, database):
    db = make_database(database.backend, "users")
    env = {**os.environ, "CONTACT_LOOKUP_DATABASE_URL": db.url}
    command = [sys.executable, "-m", "service.cli", "users", "add", "jan", "--role", "agent", "--business-unit", "BU02"]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout.splitlines()
    token = output[-1]
    with build_sessionmaker(build_engine(Settings(database_url=db.url)))() as session:
        user = session.scalar(select(User).where(User.name == "jan"))
    assert (user.role, user.business_unit) == ("agent", "BU02")
    assert user.token_hash == hash_token(token) and token not in user.token_hash


def test_users_add_refuses_an_unknown_role(make_database, database):
    db = make_database(database.backend, "users-bad")
    env = {**os.environ, "CONTACT_LOOKUP_DATABASE_URL": db.url}
    command = [sys.executable, "-m", "service.cli", "users", "add", "x", "--role", "boss"]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    assert result.returncode == 2
    assert "agent or admin" in result.stderr


def test_users_add_stores_the_business_unit_in_upper_case_and_refuses_one_that_is_no_code(make_database, database):
    db = make_database(database.backend, "users-unit")
    env = {**os.environ, "CONTACT_LOOKUP_DATABASE_URL": db.url}
    command = [sys.executable, "-m", "service.cli", "users", "add", "eva", "--business-unit", "bu02"]
    subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    with build_sessionmaker(build_engine(Settings(database_url=db.url)))() as session:
        assert session.scalar(select(User.business_unit).where(User.name == "eva")) == "BU02"

    command = [sys.executable, "-m", "service.cli", "users", "add", "ivo", "--business-unit", "BU 02"]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    assert result.returncode == 2
    assert "no business unit" in result.stderr
