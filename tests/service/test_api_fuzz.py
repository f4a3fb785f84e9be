"""Fuzzing the whole OpenAPI document against the real server, engine and database, as an admin and as an
agent: no answer is a 5xx and none breaks what the document says of its operation. `bench/fuzz.py` runs a
larger pass."""

import os

import pytest

from tests.conftest import POSTGRES_ENV
from tests.support.fuzz import fuzz, hostile
from tests.support.served import served_scenario

EXAMPLES = 10


@pytest.fixture(scope="module")
def served(test_root, opensearch_url, run_prefix, make_database):
    """Once per test run, on PostgreSQL when configured: it refuses more than SQLite does (NUL characters, values
    out of range), so that is where a bad input would surface as a 500."""
    database_url = make_database("postgresql", "fuzz").url if os.environ.get(POSTGRES_ENV) else None
    with served_scenario(
        home=test_root / "fuzz",
        opensearch_url=opensearch_url,
        index_prefix=f"{run_prefix}-fuzz",
        database_url=database_url,
    ) as served:
        yield served


def _tokens(served):
    return {role: served.scenario.tokens[role] for role in ("admin", "agent")}


def test_fuzzing_every_operation_as_admin_and_agent_finds_no_5xx_and_no_schema_violation(served):
    report = fuzz(served.url, _tokens(served), examples=EXAMPLES)
    print("\n".join(report.lines()))
    assert report.requests > 0
    assert report.server_errors == 0 and not report.failures, "\n".join(report.lines())


def test_lone_surrogates_nan_huge_numbers_and_extreme_dates_in_every_field_are_never_a_5xx(served):
    """What the schema-driven cases cannot send: every field and parameter of every operation gets each value
    of `HOSTILE_JSON` / `HOSTILE_URL` / `HOSTILE_HEADER`; every answer is below 500 and renders as UTF-8 JSON."""
    report = hostile(served.url, _tokens(served))
    print("\n".join(report.lines()))
    assert report.requests > 4000
    assert report.server_errors == 0 and not report.failures, "\n".join(report.lines())
