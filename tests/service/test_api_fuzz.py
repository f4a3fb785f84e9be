"""Fuzzing the whole OpenAPI document against the real server, engine and database, as an admin and as an
agent: no answer is a 5xx and none breaks what the document says of its operation. `bench/fuzz.py` runs a
larger pass."""

import os

from tests.conftest import POSTGRES_ENV
from tests.support.fuzz import fuzz
from tests.support.served import served_scenario

EXAMPLES = 10


def test_fuzzing_every_operation_as_admin_and_agent_finds_no_5xx_and_no_schema_violation(
    test_root, opensearch_url, run_prefix, make_database
):
    """Once per test run, on PostgreSQL when configured: it refuses more than SQLite does (NUL characters, values
    out of range), so that is where a bad input would surface as a 500."""
    database_url = make_database("postgresql", "fuzz").url if os.environ.get(POSTGRES_ENV) else None
    with served_scenario(
        home=test_root / "fuzz",
        opensearch_url=opensearch_url,
        index_prefix=f"{run_prefix}-fuzz",
        database_url=database_url,
    ) as served:
        tokens = {role: served.scenario.tokens[role] for role in ("admin", "agent")}
        report = fuzz(served.url, tokens, examples=EXAMPLES)
    print("\n".join(report.lines()))
    assert report.requests > 0
    assert report.server_errors == 0 and not report.failures, "\n".join(report.lines())
