"""GET /api/lookup/caller: the screen pop of an incoming call, on the real engine."""

import pytest

NUMBER_FORMS = ["+33612345678", "0033 6 12 34 56 78", "06.12.34.56.78", "tel:+33-6-12-34-56-78", "sip:0612345678@pbx"]


async def caller(world, user, number, **params):
    response = await world.client.get(
        "/api/lookup/caller", params={"number": number, **params}, headers=world.as_(user)
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("number", NUMBER_FORMS)
async def test_one_match_answers_the_contact_and_its_context_in_one_round_trip(world, number):
    found = await caller(world, "agent-bu01", number)
    assert found["number"] == number
    assert (found["total"], [item["contact_id"] for item in found["items"]]) == (1, [world.ids["marie"]])
    assert found["items"][0]["highlights"][0]["field"] == "phone"
    context = found["context"]
    assert context["contact"]["id"] == world.ids["marie"]
    assert [c["topic"] for c in context["communications"]] == ["Moving house"]

    direct = await world.client.get(f"/api/contacts/{world.ids['marie']}/context", headers=world.as_("agent-bu01"))
    assert context == direct.json()


async def test_several_matches_come_best_first_without_a_context(world):
    found = await caller(world, "agent-bu01", "+33 1 42 68 53 00")
    assert found["total"] == 3 and found["context"] is None
    assert [item["display_name"] for item in found["items"]] == ["Boulangerie Dupont", "Paul Dupont", "Jean Dupont"]


async def test_size_bounds_the_list_not_the_total(world):
    found = await caller(world, "agent-bu01", "+33142685300", size=1)
    assert (found["total"], len(found["items"]), found["context"]) == (3, 1, None)


async def test_no_match_is_an_empty_answer(world):
    assert await caller(world, "agent-bu01", "+33 9 99 99 99 99") == {
        "number": "+33 9 99 99 99 99",
        "total": 0,
        "items": [],
        "context": None,
    }


async def test_another_business_units_contacts_are_never_revealed(world):
    """Marie (BU01) and Gloria (BU02) share a number: each unit's agent gets only its own, with its context."""
    ours = await caller(world, "agent-bu01", "+33612345678")
    theirs = await caller(world, "agent-bu02", "+33612345678")
    assert [item["contact_id"] for item in ours["items"]] == [world.ids["marie"]]
    assert [item["contact_id"] for item in theirs["items"]] == [world.ids["gloria"]]
    assert theirs["context"]["contact"]["id"] == world.ids["gloria"]

    unbound = await caller(world, "agent", "+33612345678")
    assert unbound["total"] == 2 and unbound["context"] is None
    assert await caller(world, "agent-bu01", "07 11 22 33 44") == {
        "number": "07 11 22 33 44",
        "total": 0,
        "items": [],
        "context": None,
    }
    assert (await caller(world, "agent-bu02", "07 11 22 33 44"))["total"] == 1


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"number": "anonymous"}, "number: a phone number must contain digits"),
        ({"number": "  "}, "number: give the caller's number"),
        ({"number": "tel:"}, "number: give the caller's number"),
        ({"number": "1" * 101}, "at most 100"),
    ],
)
async def test_a_number_that_cannot_be_looked_up_is_refused_in_words(world, params, message):
    response = await world.client.get("/api/lookup/caller", params=params, headers=world.as_("agent"))
    assert response.status_code == 422
    assert message in response.json()["detail"]


async def test_without_a_number_or_a_token_the_lookup_is_refused(world):
    assert (await world.client.get("/api/lookup/caller", headers=world.as_("agent"))).status_code == 422
    assert (await world.client.get("/api/lookup/caller", params={"number": "+33612345678"})).status_code == 401


async def test_the_lookup_is_audited_with_the_number_and_the_contacts_shown(world):
    found = await caller(world, "agent-bu01", "+33612345678")
    communication_ids = [c["id"] for c in found["context"]["communications"]]
    response = await world.client.get(
        "/api/audit", params={"endpoint": "caller_lookup", "user": "agent-bu01"}, headers=world.as_("admin")
    )
    assert response.status_code == 200, response.text
    entry = response.json()["items"][0]
    assert entry["criteria"] == {"number": "+33612345678"}
    assert (entry["contact_ids"], entry["total"], entry["outcome"]) == ([world.ids["marie"]], 1, "ok")
    assert entry["communication_ids"] == communication_ids
