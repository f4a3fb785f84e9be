"""Account numbers, subscription numbers, token identifiers and external ids are unique within a business unit.

As PeopleSoft's SetIDs scope their keys: the same key in two units is two contacts' business, so no answer
depends on another unit's data; within one unit a key taken is still a 409 naming the field, whatever the path
(the service's check, or the database's constraint when a concurrent writer wins the race).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from service.models import AccessToken, ARAccount, Contact, Subscription
from tests.service.contacts.conftest import create_contact, person_payload
from tests.support.builders import make_contact

KEYED = (ARAccount, Subscription, AccessToken)


def units_of_keyed_rows(api, contact_id: int) -> set[str]:
    with api.sessions() as session:
        return {
            unit
            for model in KEYED
            for unit in session.scalars(select(model.business_unit).where(model.contact_id == contact_id))
        }


async def test_the_same_keys_are_accepted_in_two_business_units(api):
    """The issue's reproduction: a BU02 agent creating a contact with BU01's keys got "already used"."""
    first = await create_contact(api, "agent-bu01", business_unit="BU01")
    response = await api.client.post(
        "/api/contacts", json=person_payload(business_unit="BU02"), headers=api.as_("agent-bu02")
    )
    assert response.status_code == 201, response.text
    second = response.json()
    assert second["external_id"] == first["external_id"] == "CRM-0042"
    assert second["ar_accounts"][0]["number"] == first["ar_accounts"][0]["number"]
    assert second["subscriptions"][0]["number"] == first["subscriptions"][0]["number"]
    assert second["access_tokens"][0]["identifier"] == first["access_tokens"][0]["identifier"]
    assert units_of_keyed_rows(api, first["id"]) == {"BU01"}
    assert units_of_keyed_rows(api, second["id"]) == {"BU02"}


async def test_a_patch_takes_a_key_another_unit_holds(api):
    await create_contact(api, business_unit="BU01")
    other = await create_contact(
        api,
        business_unit="BU02",
        external_id="CRM-2",
        ar_accounts=[],
        subscriptions=[],
        access_tokens=[{"type": "card", "identifier": "C-2"}],
    )
    response = await api.client.patch(
        f"/api/contacts/{other['id']}",
        json={"external_id": "CRM-0042", "access_tokens": [{"type": "card", "identifier": "SC-0042"}]},
        headers=api.as_("agent-bu02"),
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"ar_accounts": [{"number": "AR-0042", "name": "n", "currency": "EUR"}]}, "ar_accounts[0].number"),
        (
            {
                "subscriptions": [
                    {
                        "number": "SUB-0042",
                        "status": "draft",
                        "billing_term_scheme": "x",
                        "billing_frequency": "monthly",
                    }
                ]
            },
            "subscriptions[0].number",
        ),
        ({"access_tokens": [{"type": "card", "identifier": "SC-0042"}]}, "access_tokens[0].identifier"),
        ({"external_id": "CRM-0042"}, "external_id"),
    ],
)
async def test_a_key_taken_in_the_same_unit_is_still_409_naming_the_field(api, override, field):
    await create_contact(api, business_unit="BU02")
    unique = {"external_id": "CRM-2", "access_tokens": [], "ar_accounts": [], "subscriptions": []}
    response = await api.client.post(
        "/api/contacts", json=person_payload(**(unique | override), business_unit="BU02"), headers=api.as_("agent-bu02")
    )
    assert response.status_code == 409, response.text
    detail = response.json()["detail"]
    assert detail.startswith(f"{field}: ") and detail.endswith("is already used by another contact")
    assert api.count(Contact) == 1


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"ar_accounts": [{"number": "AR-0042", "name": "n", "currency": "EUR"}]}, "ar_accounts[].number"),
        ({"access_tokens": [{"type": "card", "identifier": "SC-0042"}]}, "access_tokens[].identifier"),
        ({"external_id": "CRM-0042"}, "external_id"),
    ],
)
async def test_a_key_taken_between_the_check_and_the_flush_is_409_naming_the_field(api, monkeypatch, override, field):
    """A concurrent writer of the same unit wins the race: the (business_unit, key) constraint answers, and its
    name (PostgreSQL) or columns (SQLite) still lead to the field."""
    await create_contact(api, business_unit="BU02")
    monkeypatch.setattr("service.contacts.repository.values_in_use", lambda *a, **k: set())
    unique = {"external_id": "CRM-2", "access_tokens": [], "ar_accounts": [], "subscriptions": []}
    response = await api.client.post(
        "/api/contacts", json=person_payload(**(unique | override), business_unit="BU02"), headers=api.as_("admin")
    )
    assert response.status_code == 409, response.text
    assert response.json()["detail"].startswith(f"{field}: ")
    assert api.count(Contact) == 1


@pytest.mark.parametrize(
    ("taken", "field"),
    [
        ({"ar_accounts": [{"number": "AR-0042", "name": "n", "currency": "EUR"}]}, "ar_accounts[0].number"),
        (
            {
                "subscriptions": [
                    {
                        "number": "SUB-0042",
                        "status": "draft",
                        "billing_term_scheme": "x",
                        "billing_frequency": "monthly",
                    }
                ]
            },
            "subscriptions[0].number",
        ),
        ({"access_tokens": [{"type": "card", "identifier": "SC-0042"}]}, "access_tokens[0].identifier"),
        ({"external_id": "CRM-0042"}, "external_id"),
    ],
)
async def test_a_contact_moved_to_a_unit_where_its_key_is_taken_is_409(api, taken, field):
    """The move takes the contact's stored keys along, so they are checked in the unit it moves to."""
    await create_contact(api, business_unit="BU02")
    free = {"external_id": "CRM-1", "access_tokens": [], "ar_accounts": [], "subscriptions": []}
    moving = await create_contact(api, **(free | taken), business_unit="BU01")
    response = await api.client.patch(
        f"/api/contacts/{moving['id']}", json={"business_unit": "BU02"}, headers=api.as_("admin")
    )
    assert response.status_code == 409, response.text
    assert response.json()["detail"].startswith(f"{field}: ")
    assert (await api.client.get(f"/api/contacts/{moving['id']}", headers=api.as_("admin"))).json()[
        "business_unit"
    ] == "BU01"
    assert units_of_keyed_rows(api, moving["id"]) <= {"BU01"}


async def test_a_moved_contact_takes_its_keyed_rows_along(api):
    moving = await create_contact(api, business_unit="BU01")
    response = await api.client.patch(
        f"/api/contacts/{moving['id']}", json={"business_unit": "BU02"}, headers=api.as_("admin")
    )
    assert response.status_code == 200, response.text
    assert units_of_keyed_rows(api, moving["id"]) == {"BU02"}
    again = await api.client.post("/api/contacts", json=person_payload(business_unit="BU01"), headers=api.as_("admin"))
    assert again.status_code == 201, "its keys are free in the unit it left"
    taken = await api.client.post("/api/contacts", json=person_payload(business_unit="BU02"), headers=api.as_("admin"))
    assert taken.status_code == 409 and taken.json()["detail"].startswith("ar_accounts[0].number: ")


async def test_a_move_that_replaces_a_list_leaves_the_dropped_rows_behind(api):
    """An account the request drops is deleted, not moved: its number taken in the new unit is no conflict."""
    await create_contact(api, business_unit="BU02", external_id="CRM-2", subscriptions=[], access_tokens=[])
    moving = await create_contact(api, business_unit="BU01", external_id="CRM-1", subscriptions=[], access_tokens=[])
    response = await api.client.patch(
        f"/api/contacts/{moving['id']}",
        json={"business_unit": "BU02", "ar_accounts": [{"number": "AR-NEW", "name": "n", "currency": "EUR"}]},
        headers=api.as_("admin"),
    )
    assert response.status_code == 200, response.text
    assert [a["number"] for a in response.json()["ar_accounts"]] == ["AR-NEW"]
    assert units_of_keyed_rows(api, moving["id"]) == {"BU02"}


def _holder(contact: Contact, model: type) -> object:
    return contact if model is Contact else getattr(contact, model.__tablename__)[0]


@pytest.mark.parametrize(
    ("model", "key"),
    [(ARAccount, "number"), (Subscription, "number"), (AccessToken, "identifier"), (Contact, "external_id")],
)
def test_the_database_holds_each_key_unique_per_unit(api, model, key):
    """What the service's check misses the constraint refuses, in one unit only; ORM rows take their unit
    from their contact."""
    with api.sessions.begin() as session:
        value = getattr(_holder(make_contact(session, business_unit="BU01"), model), key)
        other = make_contact(session, business_unit="BU02")
        setattr(_holder(other, model), key, value)
        session.flush()
    assert units_of_keyed_rows(api, other.id) == {"BU02"}
    with pytest.raises(IntegrityError), api.sessions.begin() as session:
        setattr(_holder(make_contact(session, business_unit="BU01"), model), key, value)
        session.flush()
