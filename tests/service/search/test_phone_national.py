"""A phone typed without country code finds the contact of any country whose national number it is, the default
region's (FR here) reading first; `+`, `00` and trunk forms keep working. Through the API on the real engine: quick
search, the one box, advanced search, suggestions and the caller lookup, in a database and indices of their own."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.orm import Session

from search_definitions.loader import load_shipped
from service.models import Contact
from service.models.enums import UserRole
from tests.support.scenario import person, phone
from tests.support.world import World as OwnWorld
from tests.support.world import own_world, populate

USERS = (
    ("admin", UserRole.ADMIN, None),
    ("agent", UserRole.AGENT, None),
    ("agent-bu01", UserRole.AGENT, "BU01"),
    ("agent-bu02", UserRole.AGENT, "BU02"),
)


def contacts() -> dict[str, Contact]:
    """Pavel's Czech mobile is also what region FR reads as Sophie's French mobile (`601 234 567`)."""
    return {
        "pavel": person("Pavel", "Novák", country="CZ", phones=[phone("+420 601 234 567", "CZ")]),
        "klaus": person("Klaus", "Weber", country="DE", phones=[phone("+49 30 1234567", "DE")]),
        "lucia": person("Lucía", "Romero", country="ES", phones=[phone("+34 912 345 678", "ES")]),
        "marie": person("Marie", "Lefèvre", phones=[phone("01 23 45 67 89")]),
        "sophie": person("Sophie", "Bernard", phones=[phone("06 01 23 45 67")]),
        "jana": person("Jana", "Svobodová", bu="BU02", country="CZ", phones=[phone("+420 777 888 999", "CZ")]),
    }


class World(OwnWorld):
    async def quick(self, value: str, *, field: str = "phone", user: str = "agent") -> list[str]:
        body = {"field": field, "operator": "=", "value": value}
        response = await self.client.post("/api/search/quick", json=body, headers=self.as_(user))
        assert response.status_code == 200, response.text
        return [item["display_name"] for item in response.json()["items"]]

    async def caller(self, number: str, *, user: str = "agent") -> dict:
        response = await self.client.get("/api/lookup/caller", params={"number": number}, headers=self.as_(user))
        assert response.status_code == 200, response.text
        return response.json()


def fill(session: Session) -> tuple[dict[str, str], dict[str, int]]:
    made = contacts()
    made["sophie"].life_cycle_state = "prospect"
    return populate(session, USERS, made)


@pytest.fixture(scope="module")
async def world(make_database, database, settings, os_client) -> AsyncIterator[World]:
    fixtures = {"make_database": make_database, "database": database, "settings": settings, "os_client": os_client}
    async with own_world(World, "national", fill=fill, **fixtures, default_phone_region="FR") as built:
        yield built


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("912345678", ["Lucía Romero"]),
        ("912 34 56 78", ["Lucía Romero"]),
        ("030 1234567", ["Klaus Weber"]),
        ("30 1234567", ["Klaus Weber"]),
        ("777 888 999", []),
    ],
)
async def test_a_number_typed_without_country_code_finds_the_contact_of_another_country(world, typed, expected):
    assert await world.quick(typed, user="agent-bu01") == expected


@pytest.mark.parametrize("typed", ["601234567", "601 234 567"])
async def test_a_number_national_in_two_countries_finds_both_the_default_regions_first(world, typed):
    assert await world.quick(typed) == ["Sophie Bernard", "Pavel Novák"]


@pytest.mark.parametrize("typed", ["06 01 23 45 67", "0601234567"])
async def test_a_trunk_prefix_names_a_country_that_dials_one(world, typed):
    """Sophie's `06 01 23 45 67` without its trunk `0` is Pavel's Czech `601 234 567`, but Czechia has no trunk
    prefix: typed with it, the number is French only."""
    assert await world.quick(typed) == ["Sophie Bernard"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("01 23 45 67 89", "Marie Lefèvre"),
        ("+33 1 23 45 67 89", "Marie Lefèvre"),
        ("0033123456789", "Marie Lefèvre"),
        ("+420 601 234 567", "Pavel Novák"),
        ("00420601234567", "Pavel Novák"),
        ("+49 30 1234567", "Klaus Weber"),
        ("0034 912 345 678", "Lucía Romero"),
    ],
)
async def test_international_and_trunk_forms_keep_finding_one_contact(world, typed, expected):
    """A number written with `+` or `00` names its country: no other country's national number is looked up."""
    assert await world.quick(typed) == [expected]


async def test_the_highlight_shows_the_number_as_written_when_another_country_matched(world):
    body = {"field": "phone", "operator": "=", "value": "030 1234567"}
    response = await world.client.post("/api/search/quick", json=body, headers=world.as_("agent"))
    assert response.json()["items"][0]["highlights"][0]["value"] == "+49 30 1234567"


async def test_the_one_box_ranks_the_default_regions_reading_first(world):
    assert await world.quick("601 234 567", field="any") == ["Sophie Bernard", "Pavel Novák"]
    assert await world.quick("030 1234567", field="any") == ["Klaus Weber"]


async def test_the_advanced_phone_criterion_matches_national_numbers_of_any_country(world):
    """On a definition that offers the phone in advanced search (the shipped one does not)."""
    definition = load_shipped("default").model_dump(mode="json")
    definition["name"] = "With phones"
    definition["advanced_search_fields"]["contact"] = [*definition["advanced_search_fields"]["contact"], "phone"]
    created = await world.client.post("/api/definitions", json=definition, headers=world.as_("admin"))
    assert created.status_code == 201, created.text
    activated = await world.client.post(f"/api/definitions/{created.json()['id']}/activate", headers=world.as_("admin"))
    assert activated.status_code == 200, activated.text
    response = await world.client.post(
        "/api/search/advanced", json={"contact": {"phone": "601 234 567"}}, headers=world.as_("agent")
    )
    assert response.status_code == 200, response.text
    assert sorted(item["display_name"] for item in response.json()["items"]) == ["Pavel Novák", "Sophie Bernard"]


@pytest.mark.parametrize("prefix", ["912 34", "+34 912", "0034 912"])
async def test_suggestions_complete_a_national_or_international_prefix_of_any_country(world, prefix):
    params = {"field": "phone", "prefix": prefix}
    response = await world.client.get("/api/search/suggest", params=params, headers=world.as_("agent-bu01"))
    assert response.status_code == 200, response.text
    assert [item["display_name"] for item in response.json()["items"]] == ["Lucía Romero"]


async def test_the_caller_lookup_opens_a_foreign_contact_sent_in_national_form(world):
    for sent in ("030 1234567", "sip:0301234567@pbx.example", "+49301234567"):
        found = await world.caller(sent)
        assert [item["contact_id"] for item in found["items"]] == [world.ids["klaus"]], sent
        assert found["context"]["contact"]["id"] == world.ids["klaus"]
    # The score the README's example shows: the default region's number (10), then an active customer (3).
    assert (await world.caller("+33 1 23 45 67 89"))["items"][0]["score"] == 13.0
    lucia = await world.caller("912345678")
    assert (lucia["total"], lucia["context"]["contact"]["id"]) == (1, world.ids["lucia"])


async def test_the_caller_lookup_ranks_the_default_region_above_a_contacts_state(world):
    """Sophie is a prospect, Pavel active: the number read as French still comes first."""
    found = await world.caller("601 234 567")
    assert (found["total"], found["context"]) == (2, None)
    assert [item["contact_id"] for item in found["items"]] == [world.ids["sophie"], world.ids["pavel"]]


async def test_a_national_number_never_reveals_another_business_unit(world):
    assert (await world.caller("777 888 999", user="agent-bu01"))["total"] == 0
    assert await world.quick("777 888 999", user="agent-bu01") == []
    theirs = await world.caller("777 888 999", user="agent-bu02")
    assert [item["contact_id"] for item in theirs["items"]] == [world.ids["jana"]]
