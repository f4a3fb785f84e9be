"""GET /api/contacts/similar: the existing customers a new contact may be, asked before it is saved."""

import pytest


async def similar(world, user, **params):
    response = await world.client.get("/api/contacts/similar", params=params, headers=world.as_(user))
    assert response.status_code == 200, response.text
    return response.json()


def names(found):
    return [item["display_name"] for item in found["items"]]


@pytest.mark.parametrize("number", ["0612345678", "+33 6 12 34 56 78", "0033-6-12-34-56-78"])
async def test_the_same_phone_in_any_format_finds_the_customer(world, number):
    found = await similar(world, "agent-bu01", phone=number)
    assert names(found) == ["Marie Lefèvre"]
    assert [h["field"] for h in found["items"][0]["highlights"]] == ["phone"]


async def test_the_same_email_whatever_its_case_finds_the_customer(world):
    found = await similar(world, "agent-bu01", email="Marie.Lefevre@EXAMPLE.fr")
    assert names(found) == ["Marie Lefèvre"]
    assert found["items"][0]["highlights"][0] == {
        "field": "email",
        "value": "marie.lefevre@example.fr",
        "spans": [[0, 24]],
        "fuzzy": False,
    }


@pytest.mark.parametrize("name", ["Marie Lefèvre", "marie lefevre", "Mari Lefevre", "Marie Lefèbre"])
async def test_a_name_alike_within_a_few_typos_finds_the_customer(world, name):
    assert names(await similar(world, "agent-bu01", name=name)) == ["Marie Lefèvre"]


async def test_the_contact_matching_on_more_comes_first(world):
    found = await similar(world, "agent-bu01", phone="01 42 68 53 00", name="Jean Dupont")
    assert names(found)[0] == "Jean Dupont"
    assert set(names(found)) == {"Jean Dupont", "Paul Dupont", "Boulangerie Dupont"}
    assert {h["field"] for h in found["items"][0]["highlights"]} == {"phone", "name"}


async def test_a_stranger_is_not_similar(world):
    assert await similar(world, "agent-bu01", name="Zoé Quatremer", email="zoe@example.fr") == {
        "total": 0,
        "items": [],
    }


async def test_another_business_units_contacts_are_never_revealed(world):
    assert names(await similar(world, "agent-bu01", email="gloria@example.es", name="Gloria Ortega")) == []
    assert names(await similar(world, "agent-bu02", phone="06 12 34 56 78")) == ["Gloria Ortega"]
    assert names(await similar(world, "agent-bu02", name="Marie Lefèvre")) == []
    assert set(names(await similar(world, "agent", phone="06 12 34 56 78"))) == {"Marie Lefèvre", "Gloria Ortega"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "give a phone, an email or a name"),
        ({"phone": " ", "name": ""}, "give a phone, an email or a name"),
        ({"phone": "n/a"}, "phone: a phone number must contain digits"),
        ({"name": "x" * 101}, "name: value is 101 characters long"),
    ],
)
async def test_a_check_with_nothing_to_compare_is_refused_in_words(world, params, message):
    response = await world.client.get("/api/contacts/similar", params=params, headers=world.as_("agent"))
    assert response.status_code == 422
    assert message in response.json()["detail"]


async def test_the_check_is_audited_as_a_lookup(world):
    await similar(world, "agent-bu02", email="gloria@example.es")
    response = await world.client.get(
        "/api/audit", params={"endpoint": "similar_contacts", "user": "agent-bu02"}, headers=world.as_("admin")
    )
    entry = response.json()["items"][0]
    assert entry["criteria"] == {"email": "gloria@example.es"}
    assert entry["contact_ids"] == [world.ids["gloria"]]
