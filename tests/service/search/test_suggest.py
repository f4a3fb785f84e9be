"""GET /api/search/suggest against the real engine: completions of a prefix as the agent types, in the agent's unit.

Contacts of their own (more than a page of one prefix, a name that needs its accent folded, a look-alike in another
unit), in a database and indices of their own, indexed through the real rebuild."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest
from sqlalchemy.orm import Session

from search_definitions.catalogue import BY_KEY, Subfield
from service.models import ARAccount, Contact
from service.models.enums import UserRole
from service.search.suggest import SUGGEST_SIZE, Prefix, suggest_body
from tests.conftest import bearer
from tests.support.scenario import person, phone
from tests.support.world import World as OwnWorld
from tests.support.world import own_world, populate

USERS = (
    ("admin", UserRole.ADMIN, None),
    ("agent-bu01", UserRole.AGENT, "BU01"),
    ("agent-bu02", UserRole.AGENT, "BU02"),
)
# Eleven BU01 surnames starting with "Mar", in name order once folded: more than one answer holds.
MAR_SURNAMES = (
    "Marais",
    "Marceau",
    "Marchand",
    "Maréchal",
    "Marin",
    "Marquet",
    "Márquez",
    "Mars",
    "Martin",
    "Marty",
    "Marx",
)


def account(number: str) -> ARAccount:
    return ARAccount(number=number, name="Main", balance=Decimal("0"), currency="EUR", status="active", is_primary=True)


def contacts() -> dict[str, Contact]:
    made = {f"bu01-{last}": person("Ana", last) for last in MAR_SURNAMES}
    made["lefevre"] = person("Élodie", "Lefèvre", phones=[phone("06 12 34 56 78")], ar_accounts=[account("AR-000100")])
    made["dupont"] = person("Jean", "Dupont", ar_accounts=[account("AR-000177")])
    made["marco"] = person("Marco", "Polo", bu="BU02", ar_accounts=[account("AR-000150")])
    return made


class World(OwnWorld):
    async def suggest(self, field: str, prefix: str, *, user: str = "agent-bu01") -> httpx.Response:
        params = {"field": field, "prefix": prefix}
        return await self.client.get("/api/search/suggest", params=params, headers=bearer(self.tokens[user]))

    async def texts(self, field: str, prefix: str, *, user: str = "agent-bu01") -> list[str]:
        response = await self.suggest(field, prefix, user=user)
        assert response.status_code == 200, response.text
        return [item["text"] for item in response.json()["items"]]


def fill(session: Session) -> tuple[dict[str, str], dict[str, int]]:
    return populate(session, USERS, contacts())


@pytest.fixture(scope="module")
async def world(make_database, database, settings, os_client) -> AsyncIterator[World]:
    fixtures = {"make_database": make_database, "database": database, "settings": settings, "os_client": os_client}
    async with own_world(World, "suggest", fill=fill, **fixtures) as built:
        yield built


async def test_a_name_prefix_completes_display_names_in_name_order_at_most_eight(world):
    response = await world.suggest("name", "Mar")
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert len(items) == SUGGEST_SIZE
    assert [item["value"] for item in items] == list(MAR_SURNAMES[:SUGGEST_SIZE])
    first = items[0]
    assert first == {
        "text": "Ana Marais",
        "contact_id": world.ids["bu01-Marais"],
        "field": "name",
        "value": "Marais",
        "display_name": "Ana Marais",
        "business_unit": "BU01",
    }


async def test_a_longer_prefix_narrows_the_completions(world):
    assert await world.texts("name", "Marq") == ["Ana Marquet", "Ana Márquez"]
    assert await world.texts("name", "marti") == ["Ana Martin"]
    assert await world.texts("name", "Maréch") == ["Ana Maréchal"]


async def test_accents_are_folded_both_ways(world):
    marquez = await world.suggest("name", "Marqu")
    assert [i["value"] for i in marquez.json()["items"]] == ["Marquet", "Márquez"]
    assert await world.texts("name", "MÁRQ") == ["Ana Marquet", "Ana Márquez"]
    assert await world.texts("name", "elo") == ["Élodie Lefèvre"]
    assert await world.texts("name", "lefev") == ["Élodie Lefèvre"]


async def test_an_account_number_prefix_completes_the_number_as_written(world):
    response = await world.suggest("account_number", "ar-0001")
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [(i["text"], i["display_name"]) for i in items] == [
        ("AR-000100", "Élodie Lefèvre"),
        ("AR-000177", "Jean Dupont"),
    ]
    assert {i["field"] for i in items} == {"account_number"}
    assert await world.texts("account_number", "AR 00010") == ["AR-000100"]


async def test_a_phone_prefix_completes_in_any_written_form(world):
    assert await world.texts("phone", "06 12") == ["06 12 34 56 78"]
    assert await world.texts("phone", "+33 6 12 3") == ["06 12 34 56 78"]


async def test_suggestions_never_reveal_another_business_unit(world):
    assert "Marco Polo" not in await world.texts("name", "Marc")
    assert await world.texts("name", "Marc", user="agent-bu02") == ["Marco Polo"]
    assert await world.texts("account_number", "AR-00015") == []
    assert await world.texts("account_number", "AR-0001", user="agent-bu02") == ["AR-000150"]
    assert await world.texts("name", "Ana", user="agent-bu02") == []


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"field": "name", "prefix": "M"}, "prefix"),
        ({"field": "name", "prefix": "  M  "}, "prefix"),
        ({"field": "phone", "prefix": "+3"}, "prefix"),
        ({"field": "account_number", "prefix": "a-"}, "prefix"),
        ({"field": "name", "prefix": "M" * 101}, "prefix"),
        ({"field": "city", "prefix": "Paris"}, "field"),
        ({"field": "any", "prefix": "--"}, "prefix"),
    ],
)
async def test_a_short_prefix_or_a_field_not_quick_is_a_422_naming_it(world, params, named):
    response = await world.client.get("/api/search/suggest", params=params, headers=bearer(world.tokens["agent-bu01"]))
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith(f"{named}: ")


async def test_without_a_token_or_a_parameter_the_request_is_refused(world):
    assert (await world.client.get("/api/search/suggest", params={"field": "name", "prefix": "Mar"})).status_code == 401
    missing = await world.client.get(
        "/api/search/suggest", params={"field": "name"}, headers=bearer(world.tokens["agent-bu01"])
    )
    assert missing.status_code == 422
    assert "prefix" in missing.text


async def test_each_suggestion_request_is_audited_as_a_lookup(world):
    items = (await world.suggest("name", "Marq")).json()["items"]
    response = await world.client.get(
        "/api/audit",
        params={"endpoint": "search_suggest", "user": "agent-bu01"},
        headers=bearer(world.tokens["admin"]),
    )
    assert response.status_code == 200, response.text
    entry = response.json()["items"][0]
    assert entry["criteria"] == {"field": "name", "prefix": "Marq"}
    assert (entry["contact_ids"], entry["total"], entry["outcome"]) == ([i["contact_id"] for i in items], 2, "ok")


def test_the_body_is_a_prefix_structure_never_a_wildcard():
    """Two or three characters are one marked slice, longer ones a `prefix` on the keyword; in the index's order,
    uncounted, so the engine stops early; scoped like quick search."""
    name = BY_KEY["name"]
    short = suggest_body(Prefix(name, "Már", "mar"), business_unit="BU01")
    assert short["query"]["bool"]["filter"] == [
        {"term": {f"names.{Subfield.SLICES}": "\x02mar"}},
        {"term": {"business_unit": "BU01"}},
    ]
    assert (short["size"], short["track_total_hits"]) == (SUGGEST_SIZE, False)
    long = suggest_body(Prefix(BY_KEY["account_number"], "AR-0001", "ar0001"), business_unit=None)
    assert long["query"]["bool"]["filter"] == [{"prefix": {"account_numbers": {"value": "ar0001"}}}]
    older = suggest_body(Prefix(name, "Ma", "ma"), business_unit=None, older_mapping=True)
    assert older["query"]["bool"]["filter"] == [{"prefix": {"names": {"value": "ma"}}}]
    assert "wildcard" not in repr([short, long, older])


async def test_the_one_box_completes_on_the_first_quick_field_the_prefix_fits(world):
    by_name = (await world.suggest("any", "Mar")).json()["items"]
    assert by_name and {item["field"] for item in by_name} == {"name"}
    response = await world.suggest("any", "AR-0001")
    assert response.status_code == 200, response.text
    assert {item["field"] for item in response.json()["items"]} == {"account_number"}
