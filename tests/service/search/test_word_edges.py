"""A `like` on a name starts or ends any of its words (the seed: "Mar will retrieve all words starting with Mar"),
against the real engine; identifiers still start or end their whole value."""

from collections.abc import Iterator

import pytest
from sqlalchemy import delete

from indexer.rebuild import rebuild
from service.auth.service import add_user
from service.models import Contact
from service.models.enums import UserRole
from tests.conftest import bearer
from tests.support.scenario import person

BU = "BU-WORDS"
NAMES = (
    ("Jean", "Martin"),
    ("Anne-Marie", "Dupont"),
    ("María José", "García Márquez"),
    ("Seán", "O'Brien"),
    ("Lucía", "López"),
)


@pytest.fixture(scope="module")
def words_token(scenario, settings, db_sessions, db_engine, os_client) -> Iterator[str]:
    """Contacts of their own business unit, indexed by the real rebuild, taken out again afterwards."""
    with db_sessions.begin() as session:
        _, token = add_user(session, "agent-words", UserRole.AGENT, BU)
        session.add_all(person(first, last, bu=BU) for first, last in NAMES)
    rebuild(settings=settings, engine=db_engine, client=os_client)
    yield token
    with db_sessions.begin() as session:
        session.execute(delete(Contact).where(Contact.business_unit == BU))
    rebuild(settings=settings, engine=db_engine, client=os_client)


async def quick(app_client, token, value, field="name"):
    body = {"field": field, "operator": "like", "value": value}
    response = await app_client.post("/api/search/quick", json=body, headers=bearer(token))
    assert response.status_code == 200, response.text
    return sorted(item["display_name"] for item in response.json()["items"])


async def advanced(app_client, token, criteria):
    response = await app_client.post("/api/search/advanced", json={"contact": criteria}, headers=bearer(token))
    assert response.status_code == 200, response.text
    return sorted(item["display_name"] for item in response.json()["items"])


async def test_a_name_prefix_finds_every_word_starting_with_it(app_client, words_token):
    assert await quick(app_client, words_token, "Mar") == [
        "Anne-Marie Dupont",
        "Jean Martin",
        "María José García Márquez",
    ]
    assert await quick(app_client, words_token, "mar%") == await quick(app_client, words_token, "Mar")


async def test_words_split_at_hyphens_and_apostrophes(app_client, words_token):
    assert await quick(app_client, words_token, "Bri%") == ["Seán O'Brien"]
    assert await quick(app_client, words_token, "%rie") == ["Anne-Marie Dupont"]


async def test_a_name_suffix_finds_every_word_ending_with_it_accents_folded(app_client, words_token):
    assert await quick(app_client, words_token, "%ez") == ["Lucía López", "María José García Márquez"]


async def test_an_infix_keeps_matching_inside_the_value(app_client, words_token):
    assert await quick(app_client, words_token, "%e-m%") == ["Anne-Marie Dupont"]


async def test_advanced_name_parts_match_any_word_start_and_end(app_client, words_token):
    assert await advanced(app_client, words_token, {"last_name": "Márq%"}) == ["María José García Márquez"]
    assert await advanced(app_client, words_token, {"first_name": "%sé"}) == ["María José García Márquez"]
    assert await advanced(app_client, words_token, {"last_name": "Bri%"}) == ["Seán O'Brien"]


async def test_an_identifier_prefix_still_starts_the_whole_value(app_client, scenario):
    token = scenario.tokens["agent"]
    assert await quick(app_client, token, "AR-0001", field="account_number") == ["Marie Lefèvre"]
    assert await quick(app_client, token, "000100", field="account_number") == []
