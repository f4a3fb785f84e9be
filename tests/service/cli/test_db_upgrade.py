"""`db upgrade` takes any database URL the settings accept, percent-encoded parts included."""

import os
import subprocess
import sys

from sqlalchemy import URL, create_engine, inspect

from service.db.migrate import alembic_config


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
