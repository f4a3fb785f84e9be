"""`db upgrade`: any database URL the settings accept, and what a migration changes in stored rows."""

import os
import subprocess
import sys

import pytest
from alembic import command
from sqlalchemy import URL, create_engine, inspect, text

from search_definitions import store
from search_definitions.loader import load_shipped
from service.db.migrate import alembic_config, upgrade
from service.db.session import build_engine, build_sessionmaker
from service.settings import Settings
from tests.support.builders import make_contact


def test_db_upgrade_migrates_a_database_whose_url_is_percent_encoded(tmp_path):
    url = URL.create("sqlite", database=str(tmp_path / "50%-off.db")).render_as_string()
    assert "%25" in url
    env = {**os.environ, "CONTACT_LOOKUP_DATABASE_URL": url}
    command = [sys.executable, "-m", "service.cli", "db", "upgrade"]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "contacts" in inspect(create_engine(url)).get_table_names()


def test_migration_config_keeps_a_socket_directory_and_a_reserved_password_as_given():
    engine = create_engine("postgresql+psycopg://crm:p%40ss%25@/contacts?host=%2Fvar%2Frun%2Fpostgresql")
    rendered = alembic_config(engine).get_main_option("sqlalchemy.url")
    assert rendered == engine.url.render_as_string(hide_password=False)


def test_the_upgrade_to_upper_case_business_units_keeps_one_activation_per_scope(make_database, database):
    engine = build_engine(Settings(database_url=make_database(database.backend, "upper").url))
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")
    with build_sessionmaker(engine).begin() as session:
        # No accounts, subscriptions or tokens: their business_unit column comes with 0013.
        contact_id = make_contact(session, business_unit="BU01", ar_accounts=[], subscriptions=[], access_tokens=[]).id
        # Columns of 0006 only: the model now has more (0011), which this old schema does not.
        session.execute(
            text(
                "INSERT INTO users (name, role, business_unit, token_hash, created_at, updated_at) "
                "VALUES ('old-agent', 'agent', 'BU01', :digest, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"digest": "0" * 64},
        )
        kept = store.create(session, load_shipped().model_copy(update={"name": "Kept"}), author="a").id
        dropped = store.create(session, load_shipped().model_copy(update={"name": "Dropped"}), author="a").id
    with engine.begin() as connection:
        connection.execute(text("UPDATE contacts SET business_unit = 'bu01'"))
        connection.execute(text("UPDATE users SET business_unit = 'bu01'"))
        connection.execute(
            text(
                "INSERT INTO definition_activations (scope, definition_id, activated_by, activated_at) VALUES "
                "('BU01', :kept, 'a', CURRENT_TIMESTAMP), ('bu01', :dropped, 'a', CURRENT_TIMESTAMP), "
                "('bu03', :dropped, 'a', CURRENT_TIMESTAMP), ('', :kept, 'a', CURRENT_TIMESTAMP)"
            ),
            {"kept": kept, "dropped": dropped},
        )

    upgrade(engine)
    with engine.connect() as connection:
        assert (
            connection.execute(text("SELECT business_unit FROM contacts WHERE id = :i"), {"i": contact_id}).scalar()
            == "BU01"
        )
        assert connection.execute(text("SELECT business_unit FROM users WHERE name = 'old-agent'")).scalar() == "BU01"
        scopes = connection.execute(text("SELECT scope, definition_id FROM definition_activations ORDER BY scope"))
        assert scopes.all() == [("", kept), ("BU01", kept), ("BU03", dropped)]
    engine.dispose()


def test_the_upgrade_to_token_lifecycles_keeps_existing_tokens_working_without_an_expiry(make_database, database):
    from service.auth.service import authenticate_hash
    from service.auth.tokens import hash_token, new_token

    engine = build_engine(Settings(database_url=make_database(database.backend, "lifecycle").url))
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")
    token = new_token()
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (name, role, business_unit, token_hash, created_at, updated_at) "
                "VALUES ('kept-agent', 'agent', 'BU01', :digest, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"digest": hash_token(token)},
        )
    upgrade(engine)
    with build_sessionmaker(engine)() as session:
        principal = authenticate_hash(session, hash_token(token))
    assert (principal.name, principal.business_unit, principal.expires_at) == ("kept-agent", "BU01", None)
    engine.dispose()


def _rows_of_0012(connection) -> None:
    """Two contacts of two units with every keyed child, written with 0012's columns only."""
    stamp = "'2026-01-01 00:00:00'"
    for contact_id, unit in ((1, "BU01"), (2, "BU02")):
        connection.execute(
            text(
                "INSERT INTO contacts (id, external_id, kind, last_name, business_unit, life_cycle_state, version, "
                f"created_at, updated_at) VALUES (:id, :ext, 'person', 'Old', :unit, 'active', 1, {stamp}, {stamp})"
            ),
            {"id": contact_id, "ext": f"CRM-{contact_id}", "unit": unit},
        )
        connection.execute(
            text(
                "INSERT INTO ar_accounts (id, contact_id, number, name, balance, currency, status, credit_hold, "
                f"dunning_excluded, is_primary, created_at, updated_at) VALUES (:id, :id, :n, 'n', 1, 'EUR', "
                f"'active', false, false, true, {stamp}, {stamp})"
            ),
            {"id": contact_id, "n": f"AR-{contact_id}"},
        )
        connection.execute(
            text(
                "INSERT INTO subscriptions (id, contact_id, ar_account_id, number, status, billing_term_scheme, "
                f"billing_frequency, created_at, updated_at) VALUES (:id, :id, :id, :n, 'effective', 'm', 'monthly', "
                f"{stamp}, {stamp})"
            ),
            {"id": contact_id, "n": f"SUB-{contact_id}"},
        )
        connection.execute(
            text(
                "INSERT INTO access_tokens (id, contact_id, token_type, identifier, status) "
                "VALUES (:id, :id, 'card', :n, 'active')"
            ),
            {"id": contact_id, "n": f"SC-{contact_id}"},
        )


KEYED_TABLES = ("ar_accounts", "subscriptions", "access_tokens")


def test_the_upgrade_to_keys_per_business_unit_keeps_the_rows_and_gives_them_their_contacts_unit(
    make_database, database
):
    from service.db.migrate import downgrade

    engine = build_engine(Settings(database_url=make_database(database.backend, "unitkeys").url))
    downgrade(engine, "0012")
    with engine.begin() as connection:
        _rows_of_0012(connection)
        # The newest token deleted after a later one was handed out: its id must not come back either.
        connection.execute(text("DELETE FROM access_tokens WHERE id = 2"))
        connection.execute(
            text(
                "INSERT INTO access_tokens (id, contact_id, token_type, identifier, status) "
                "VALUES (3, 2, 'card', 'SC-3', 'active')"
            )
        )
        connection.execute(text("DELETE FROM access_tokens WHERE id = 3"))
        if database.backend == "postgresql":  # explicit ids leave serial sequences behind: move them as inserts do
            for table, last in (("contacts", 2), ("ar_accounts", 2), ("subscriptions", 2), ("access_tokens", 3)):
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {last})"))

    upgrade(engine)
    with engine.connect() as connection:
        for table in KEYED_TABLES:
            rows = connection.execute(text(f"SELECT id, contact_id, business_unit FROM {table} ORDER BY id")).all()
            expected = [(1, 1, "BU01"), (2, 2, "BU02")] if table != "access_tokens" else [(1, 1, "BU01")]
            assert rows == expected, table
        assert connection.execute(text("SELECT ar_account_id FROM subscriptions ORDER BY id")).scalars().all() == [1, 2]
        uniques = {
            table: sorted(tuple(u["column_names"]) for u in inspect(connection).get_unique_constraints(table))
            for table in ("contacts", *KEYED_TABLES)
        }
        assert uniques == {
            "contacts": [("business_unit", "external_id")],
            "ar_accounts": [("business_unit", "number")],
            "subscriptions": [("business_unit", "number")],
            "access_tokens": [("business_unit", "identifier")],
        }
        if database.backend == "sqlite":
            schema = dict(connection.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")).all())
            assert all("AUTOINCREMENT" in schema[t] for t in ("contacts", *KEYED_TABLES))
    with build_sessionmaker(engine).begin() as session:
        # BU02 now takes BU01's keys; the new token's id is past the deleted 3.
        twin = make_contact(session, business_unit="BU02", external_id="CRM-1")
        twin.ar_accounts[0].number, twin.subscriptions[0].number = "AR-1", "SUB-1"
        twin.access_tokens[0].identifier = "SC-1"
        session.flush()
        assert twin.access_tokens[0].id == 4 and twin.access_tokens[0].business_unit == "BU02"
    engine.dispose()


def test_the_downgrade_from_keys_per_business_unit_keeps_rows_and_refuses_keys_two_units_share(make_database, database):
    from service.db.migrate import downgrade

    engine = build_engine(Settings(database_url=make_database(database.backend, "unitkeysdown").url))
    downgrade(engine, "0012")
    with engine.begin() as connection:
        _rows_of_0012(connection)
    upgrade(engine)
    downgrade(engine, "0012")
    with engine.connect() as connection:
        for table in KEYED_TABLES:
            assert connection.execute(text(f"SELECT id, contact_id FROM {table} ORDER BY id")).all() == [(1, 1), (2, 2)]
            assert "business_unit" not in {c["name"] for c in inspect(connection).get_columns(table)}
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE ar_accounts SET number = 'AR-1'"))
    with pytest.raises(RuntimeError, match=r"ar_accounts\.number 'AR-1' is used in more than one business unit"):
        downgrade(engine, "0012")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT business_unit FROM ar_accounts ORDER BY id")).scalars().all() == [
            "BU01",
            "BU02",
        ]
    engine.dispose()
