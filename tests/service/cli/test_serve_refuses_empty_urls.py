"""`serve` is the production entry point: without a database or engine URL it refuses to start, naming what is
missing, instead of serving from a local SQLite file or a node that happens to run on this machine."""

import os
import subprocess
import sys

import pytest


def serve(tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    urls = ("CONTACT_LOOKUP_DATABASE_URL", "CONTACT_LOOKUP_OPENSEARCH_URL")
    clean = {k: v for k, v in os.environ.items() if k not in urls}
    command = [sys.executable, "-m", "service.cli", "serve", "--port", "9", "--no-sync"]
    return subprocess.run(
        command, env={**clean, "CONTACT_LOOKUP_HOME": str(tmp_path), **env}, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, ["CONTACT_LOOKUP_DATABASE_URL", "CONTACT_LOOKUP_OPENSEARCH_URL"]),
        ({"CONTACT_LOOKUP_DATABASE_URL": "sqlite:///x.db"}, ["CONTACT_LOOKUP_OPENSEARCH_URL"]),
        ({"CONTACT_LOOKUP_OPENSEARCH_URL": "http://127.0.0.1:9"}, ["CONTACT_LOOKUP_DATABASE_URL"]),
        (
            {"CONTACT_LOOKUP_DATABASE_URL": "", "CONTACT_LOOKUP_OPENSEARCH_URL": " , "},
            ["CONTACT_LOOKUP_DATABASE_URL", "CONTACT_LOOKUP_OPENSEARCH_URL"],
        ),
    ],
)
def test_serve_refuses_to_start_without_a_database_or_engine_url(tmp_path, env, missing):
    refused = serve(tmp_path, **env)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert all(name in refused.stderr for name in missing), refused.stderr
    assert "never falls back" in refused.stderr
    assert not (tmp_path / "contact-lookup.db").exists()
