"""The one box (quick field `any`) against the real engine: the value's shape picks the fields, identifiers and
phones rank above names, highlights name the field, and the business unit holds. A world of its own (a name and an
identifier that read alike, a number in two units), indexed through the real rebuild."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest
from sqlalchemy.orm import Session

from search_definitions.catalogue import Operator
from search_definitions.loader import load_shipped
from service.models import AccessToken, ARAccount, Contact, Email, Subscription
from service.models.enums import UserRole
from service.search.identify import any_fields
from service.search.terms import CriteriaError
from tests.conftest import bearer
from tests.support.scenario import person, phone
from tests.support.world import World as OwnWorld
from tests.support.world import own_world, populate

DEFAULT = load_shipped("default")


def account(number: str) -> ARAccount:
    return ARAccount(
        number=number, name=number, balance=Decimal("0"), currency="EUR", status="active", credit_hold=False
    )


def contacts() -> dict[str, Contact]:
    return {
        "marie": person(
            "Marie",
            "Lefèvre",
            phones=[phone("06 12 34 56 78")],
            emails=[Email(email_type="personal", address="marie.lefevre@example.fr", is_primary=True)],
            ar_accounts=[account("AR-000100")],
            access_tokens=[AccessToken(token_type="smart_card", identifier="SC-7788-9900", secret_hash="f" * 64)],
        ),
        # A garage named like the account number another contact holds.
        "garage": Contact(kind="company", company_name="Garage 2000", business_unit="BU01", life_cycle_state="active"),
        "owner": person(
            "Paul",
            "Dupont",
            ar_accounts=[account("GARAGE-2000")],
            subscriptions=[
                Subscription(
                    number="SUB-2024-0042",
                    status="effective",
                    billing_term_scheme="Monthly in advance",
                    billing_frequency="monthly",
                )
            ],
        ),
        "gloria": person(
            "Gloria", "Ortega", bu="BU02", phones=[phone("07 11 22 33 44")], ar_accounts=[account("AR-000200")]
        ),
    }


class World(OwnWorld):
    async def any(self, value: str, operator: str = "=", *, user: str = "agent") -> httpx.Response:
        body = {"field": "any", "operator": operator, "value": value}
        return await self.client.post("/api/search/quick", json=body, headers=bearer(self.tokens[user]))


USERS = (("agent", UserRole.AGENT, "BU01"), ("agent-bu02", UserRole.AGENT, "BU02"))


def fill(session: Session) -> tuple[dict[str, str], dict[str, int]]:
    return populate(session, USERS, contacts())


@pytest.fixture(scope="module")
async def world(make_database, database, settings, os_client) -> AsyncIterator[World]:
    fixtures = {"make_database": make_database, "database": database, "settings": settings, "os_client": os_client}
    async with own_world(World, "onebox", fill=fill, **fixtures) as built:
        yield built


def found(response: httpx.Response) -> list[tuple[str, list[str]]]:
    """(name, the fields its highlights name) in the answer's order."""
    assert response.status_code == 200, response.text
    return [(i["display_name"], [h["field"] for h in i["highlights"]]) for i in response.json()["items"]]


def test_any_is_the_first_quick_field_of_the_shipped_definition():
    assert DEFAULT.quick_search_fields[0] == "any"


@pytest.mark.parametrize(
    ("value", "fields"),
    [
        ("06 12 34 56 78", {"phone", "account_number", "subscription_number", "id_number", "access_token_id"}),
        ("+33 6 12 34 56 78", {"phone"}),
        ("marie.lefevre@example.fr", {"email"}),
        ("AR-000100", {"name", "account_number", "subscription_number", "id_number", "access_token_id"}),
        ("Lefèvre", {"name"}),
    ],
)
def test_the_value_is_searched_on_the_quick_fields_its_shape_fits(value, fields):
    chosen = {f.key for f in any_fields(DEFAULT.quick_search_fields, Operator.EQUALS, value, phone_region="FR")}
    assert fields <= chosen
    assert ("phone" in chosen) is ("phone" in fields)
    assert ("email" in chosen) is ("email" in fields)


def test_a_value_that_fits_no_field_of_the_definition_is_refused_naming_what_any_searches():
    with pytest.raises(CriteriaError, match="any searches: name, phone"):
        any_fields(DEFAULT.quick_search_fields, Operator.EQUALS, "&&", phone_region="FR")
    with pytest.raises(CriteriaError, match=r"any searches: name$"):
        any_fields(("any", "name"), Operator.EQUALS, "06 12 34 56 78", phone_region="FR")


async def test_a_phone_in_any_format_finds_its_contact_highlighted_as_phone(world):
    for typed in ("06 12 34 56 78", "+33612345678", "0033 6 12 34 56 78"):
        assert found(await world.any(typed)) == [("Marie Lefèvre", ["phone"])], typed


async def test_an_email_finds_its_contact_highlighted_as_email(world):
    assert found(await world.any("Marie.Lefevre@Example.FR")) == [("Marie Lefèvre", ["email"])]


async def test_account_subscription_and_token_numbers_find_their_contact(world):
    assert found(await world.any("ar 000100")) == [("Marie Lefèvre", ["account_number"])]
    assert found(await world.any("SUB-2024-0042")) == [("Paul Dupont", ["subscription_number"])]
    item = (await world.any("SC-7788-9900")).json()["items"][0]
    assert item["highlights"][0] == {
        "field": "access_token_id",
        "value": "SC-7788-9900",
        "spans": [[0, 12]],
        "fuzzy": False,
    }


async def test_a_name_finds_its_contact_exactly_or_within_a_typo(world):
    assert found(await world.any("lefevre")) == [("Marie Lefèvre", ["name"])]
    response = await world.any("Lefebvre")
    assert found(response) == [("Marie Lefèvre", ["name"])]
    assert response.json()["items"][0]["highlights"][0]["fuzzy"] is True


async def test_an_identifier_match_ranks_above_a_name_match(world):
    response = await world.any("Garage 2000")
    assert found(response) == [("Paul Dupont", ["account_number"]), ("Garage 2000", ["name"])]
    first, second = (item["score"] for item in response.json()["items"])
    assert first > second
    assert found(await world.any("garage 2%", "like")) == [
        ("Paul Dupont", ["account_number"]),
        ("Garage 2000", ["name"]),
    ]


async def test_like_on_any_follows_the_like_rules_of_each_field(world):
    # `like` starts any word of a name: the whole name and its last name part both match, each highlighted.
    assert found(await world.any("Lef%", "like")) == [("Marie Lefèvre", ["name", "name"])]
    assert found(await world.any("%34 56 78", "like")) == [("Marie Lefèvre", ["phone"])]
    assert found(await world.any("%7788%", "like")) == [("Marie Lefèvre", ["access_token_id"])]
    refused = await world.any("%a%", "like")
    assert refused.status_code == 422 and "too short" in refused.json()["detail"]


async def test_any_never_reveals_another_business_unit(world):
    assert found(await world.any("07 11 22 33 44")) == []
    assert found(await world.any("AR-000200")) == []
    assert found(await world.any("Ortega")) == []
    assert found(await world.any("07 11 22 33 44", user="agent-bu02")) == [("Gloria Ortega", ["phone"])]
    assert found(await world.any("06 12 34 56 78", user="agent-bu02")) == []


@pytest.mark.parametrize("value", ["", "   "])
async def test_an_empty_value_is_a_422(world, value):
    response = await world.any(value)
    assert response.status_code == 422
    assert "must not be empty" in response.json()["detail"]


async def test_a_value_that_fits_no_field_is_a_422_naming_what_any_searches(world):
    response = await world.any("&&")
    assert response.status_code == 422
    assert "any searches: name, phone, email" in response.json()["detail"]
