"""`contact-lookup import`: rejected lines on stderr as FILE:LINE: reason, a JSON summary, exit status by outcome."""

import json
import os
import subprocess
import sys

from tests.service.imports.conftest import person


def run_import(target, *args):
    env = {**os.environ, "CONTACT_LOOKUP_DATABASE_URL": target.settings.database_url}
    command = [sys.executable, "-m", "service.cli", "import", *map(str, args)]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_import_reports_rejected_lines_and_exits_1_then_0_once_the_file_is_clean(target):
    bad = target.file("contacts.jsonl", person("CRM-1"), person("CRM-2", kind="robot"))
    result = run_import(target, bad, "--no-progress")
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [f"{bad}:2: kind: Input should be 'person' or 'company'"]
    summary = json.loads(result.stdout)
    assert (summary["kind"], summary["format"], summary["created"], summary["rejected"]) == ("contacts", "jsonl", 1, 1)

    good = target.file("contacts.jsonl", person("CRM-1"), person("CRM-2"))
    result = run_import(target, good, "--kind", "contacts", "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    assert (json.loads(result.stdout)["created"], json.loads(result.stdout)["unchanged"]) == (1, 1)


def test_an_unusable_file_or_option_exits_2_and_imports_nothing(target):
    path = target.file("contacts.csv", "kind,external_id,shoe_size", "person,CRM-1,42")
    result = run_import(target, path)
    assert result.returncode == 2 and "unknown column shoe_size" in result.stderr
    result = run_import(target, path, "--business-unit", "not a unit")
    assert result.returncode == 2 and "no business unit" in result.stderr
    assert target.contacts() == {}
