"""`definitions import|export` moves definitions between YAML files and the versioned store."""

import os
import subprocess
import sys
from pathlib import Path

from search_definitions import store
from search_definitions.loader import load_file
from service.db.session import build_engine, build_sessionmaker
from service.settings import Settings

SHIPPED = Path(__file__).parents[3] / "search_definitions"


def cli(db_url, *args):
    env = {**os.environ, "CONTACT_LOOKUP_DATABASE_URL": db_url}
    return subprocess.run([sys.executable, "-m", "service.cli", *args], env=env, capture_output=True, text=True)


def test_import_then_export_round_trips_and_reimport_is_a_new_version(make_database, database, tmp_path):
    db = make_database(database.backend, "definitions-cli")
    imported = cli(db.url, "definitions", "import", str(SHIPPED / "default.yaml"), str(SHIPPED / "collections.yaml"))
    assert imported.returncode == 0, imported.stderr
    assert "version 1" in imported.stdout

    again = cli(db.url, "definitions", "import", "--activate", str(SHIPPED / "collections.yaml"))
    assert again.returncode == 0, again.stderr
    assert "version 2 (active)" in again.stdout

    exported = cli(db.url, "definitions", "export", "--out", str(tmp_path))
    assert exported.returncode == 0, exported.stderr
    files = sorted(tmp_path.glob("*.yaml"))
    assert len(files) == 2
    by_name = {load_file(path).name: load_file(path) for path in files}
    for shipped in ("default.yaml", "collections.yaml"):
        original = load_file(SHIPPED / shipped)
        assert by_name[original.name] == original

    with build_sessionmaker(build_engine(Settings(database_url=db.url)))() as session:
        collections = store.find_by_name(session, load_file(SHIPPED / "collections.yaml").name)
        assert collections is not None and collections.version == 2 and collections.active_scopes


def test_import_of_an_invalid_file_names_the_offending_entry_and_stores_nothing(make_database, database, tmp_path):
    db = make_database(database.backend, "definitions-cli-bad")
    bad = tmp_path / "bad.yaml"
    text = (SHIPPED / "default.yaml").read_text(encoding="utf-8").replace("  - phone\n", "  - shoe_size\n", 1)
    bad.write_text(text, encoding="utf-8")
    result = cli(db.url, "definitions", "import", str(bad))
    assert result.returncode == 2
    assert "shoe_size" in result.stderr
    with build_sessionmaker(build_engine(Settings(database_url=db.url)))() as session:
        assert store.list_all(session) == []
