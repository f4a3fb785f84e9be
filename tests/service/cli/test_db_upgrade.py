"""`db upgrade`: any database URL the settings accept, and what a migration changes in stored rows."""

import os
import subprocess
import sys

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
