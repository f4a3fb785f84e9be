"""Quick search over HTTP against the real engine, with the Communication Centre's `=` and `like` rules."""

import pytest

from service.search.queries import SORT
from service.text import fold
from tests.conftest import bearer


@pytest.fixture
async def quick(app_client, scenario):
    async def run(field, operator, value, *, token="agent", **extra):
        body = {"field": field, "operator": operator, "value": value, **extra}
        return await app_client.post("/api/search/quick", json=body, headers=bearer(scenario.tokens[token]))

    return run


async def names(response):
    assert response.status_code == 200, response.text
    return sorted(item["display_name"] for item in response.json()["items"])


def ranked(response):
    """(name, typo?) in the engine's order."""
    assert response.status_code == 200, response.text
    return [(item["display_name"], item["highlights"][0]["fuzzy"]) for item in response.json()["items"]]


async def test_equals_is_exact_and_ignores_case_and_accents(quick):
    assert (await quick("name", "=", "maria")).json()["items"][0]["display_name"] == "María Núñez Peña"
    assert await names(await quick("name", "=", "ÉLODIE")) == ["Élodie Dvořák"]
    assert await names(await quick("name", "=", "dvorak")) == ["Élodie Dvořák"]
    assert await names(await quick("name", "=", "Mar")) == []


async def test_names_within_a_typo_or_two_rank_below_exact_matches(quick):
    assert ranked(await quick("name", "=", "maria")) == [("María Núñez Peña", False), ("Marie Lefèvre", True)]
    assert ranked(await quick("name", "=", "Lefebvre")) == [("Marie Lefèvre", True)]
    assert ranked(await quick("name", "=", "Marie Lefebre")) == [("Marie Lefèvre", True)]
    assert ranked(await quick("name", "=", "Müler")) == [("Müller & Söhne GmbH", True)]


async def test_short_names_and_two_typos_in_a_short_word_are_not_guessed(quick):
    assert await names(await quick("name", "=", "Ann")) == []
    assert await names(await quick("name", "=", "Mxrxe")) == []


async def test_highlights_say_which_field_matched_and_where(quick):
    item = (await quick("name", "like", "%fèv%")).json()["items"][0]
    assert item["highlights"][0] == {"field": "name", "value": "Marie Lefèvre", "spans": [[8, 11]], "fuzzy": False}
    item = (await quick("name", "=", "marie lefebvre")).json()["items"][0]
    assert item["highlights"][0] == {
        "field": "name",
        "value": "Marie Lefèvre",
        "spans": [[0, 5], [6, 13]],
        "fuzzy": True,
    }
    item = (await quick("phone", "=", "+33 6 12 34 56 78")).json()["items"][0]
    assert item["highlights"][0]["value"] == "06 12 34 56 78"


async def test_like_with_leading_percent_matches_suffix(quick):
    assert await names(await quick("name", "like", "%RIA")) == ["GLORIA Ortega", "María Núñez Peña"]
    assert await names(await quick("name", "like", "%fevre")) == ["Marie Lefèvre"]


async def test_like_with_trailing_percent_matches_prefix(quick):
    assert await names(await quick("name", "like", "Ma%")) == ["Marie Lefèvre", "María Núñez Peña"]


async def test_like_without_percent_matches_prefix(quick):
    assert await names(await quick("name", "like", "mar")) == ["Marie Lefèvre", "María Núñez Peña"]
    assert await names(await quick("name", "like", "Dvo")) == ["Élodie Dvořák"]


async def test_like_with_percent_on_both_sides_matches_infix(quick):
    assert await names(await quick("name", "like", "%ari%")) == ["Marie Lefèvre", "María Núñez Peña"]
    assert await names(await quick("name", "like", "%uller%")) == ["Müller & Söhne GmbH"]
    assert await names(await quick("name", "like", "%zzz%")) == []


async def test_slices_and_phrases_of_grams_find_exactly_what_the_wildcard_finds(quick, scenario, os_client, settings):
    """Every three- to eight-letter infix of the scenario's folded names, by the slice or gram lookup in the quick
    index's own name order (the service) and by the wildcard on `.wild` of the contacts index, ranked (asked of the
    engine directly): the same contacts, in the same order."""
    hits = os_client.search(index=settings.contacts_alias, body={"size": 100, "_source": ["names"]})["hits"]["hits"]
    names = {fold(name) for hit in hits for name in hit["_source"]["names"]}
    slices = sorted({n[i : i + k] for n in names for k in range(3, 9) for i in range(len(n) - k + 1)})
    slices = [s for s in slices if s.isascii() and s.strip() == s]
    assert len(slices) > 200 and {len(s) for s in slices} == set(range(3, 9))
    for infix in slices:
        response = await quick("name", "like", f"%{infix}%", size=50)
        assert response.status_code == 200, response.text
        wildcard = {"wildcard": {"names.wild": {"value": f"*{infix}*"}}}
        body = {"query": {"bool": {"must": [wildcard]}}, "sort": list(SORT), "size": 50, "_source": ["contact_id"]}
        expected = [
            hit["_source"]["contact_id"]
            for hit in os_client.search(index=settings.contacts_alias, body=body)["hits"]["hits"]
        ]
        assert [item["contact_id"] for item in response.json()["items"]] == expected, infix


async def test_phone_is_found_when_typed_in_another_format(quick):
    for typed in ("+33 6 12 34 56 78", "0033 612 34 56 78"):
        assert await names(await quick("phone", "=", typed)) == ["Marie Lefèvre"], typed
    assert await names(await quick("phone", "=", "+420601123456")) == ["Élodie Dvořák"]
    assert await names(await quick("phone", "like", "%34 56 78")) == [
        "Marie Lefèvre",
        "María Núñez Peña",
        "Mona Schäfer",
    ]


def in_order(response):
    assert response.status_code == 200, response.text
    return [item["display_name"] for item in response.json()["items"]]


async def test_phone_without_country_code_finds_its_contact_in_any_country(quick):
    """Default region FR: a Czech, German or Spanish number typed nationally is still found."""
    assert in_order(await quick("phone", "=", "601 123 456")) == ["Élodie Dvořák"]
    assert in_order(await quick("phone", "=", "030 12345678")) == ["Mona Schäfer"]
    assert in_order(await quick("phone", "=", "30 12345678")) == ["Mona Schäfer"]
    assert in_order(await quick("phone", "=", "612 34 56 78")) == ["Marie Lefèvre", "María Núñez Peña"]


async def test_a_trunk_prefix_keeps_a_national_number_to_the_countries_that_dial_one(quick):
    """`06 12 34 56 78` is French (trunk 0); Spain dials no trunk prefix, so it is not María's `612 34 56 78`."""
    assert in_order(await quick("phone", "=", "0612345678")) == ["Marie Lefèvre"]
    assert in_order(await quick("phone", "=", "612345678")) == ["Marie Lefèvre", "María Núñez Peña"]
    assert in_order(await quick("phone", "=", "+34 612 34 56 78")) == ["María Núñez Peña"]
    assert in_order(await quick("phone", "=", "0034612345678")) == ["María Núñez Peña"]


async def test_phone_without_country_code_never_reveals_another_business_unit(quick):
    assert in_order(await quick("phone", "=", "612 34 56 78", token="agent-bu02")) == []
    assert in_order(await quick("phone", "=", "601 123 456", token="agent-bu02")) == []
    assert in_order(await quick("phone", "=", "698 76 54 32", token="agent-bu02")) == ["GLORIA Ortega"]


async def test_nested_identifiers_and_references_find_their_contact(quick):
    assert await names(await quick("account_number", "=", "ar-000100")) == ["Marie Lefèvre"]
    assert await names(await quick("subscription_number", "like", "%0042")) == ["Müller & Söhne GmbH"]
    assert await names(await quick("access_token_id", "=", "SC-7788-9900")) == ["Élodie Dvořák"]
    assert await names(await quick("reference_number", "=", "INV-2025-004211")) == ["Marie Lefèvre"]
    assert await names(await quick("email", "=", "maria.nunez@example.ES")) == ["María Núñez Peña"]


async def test_result_carries_summary_and_the_matching_value(quick, scenario):
    response = await quick("account_number", "=", "AR-000100")
    item = response.json()["items"][0]
    assert item["contact_id"] == scenario.ids["marie"]
    assert item["credit_hold"] is True
    assert item["main_account"]["number"] == "AR-000100"
    assert item["primary_phone"] == "06 12 34 56 78"
    assert item["highlights"] == [{"field": "account_number", "value": "AR-000100", "spans": [[0, 9]], "fuzzy": False}]


async def test_agent_of_a_business_unit_sees_only_its_contacts(quick):
    assert await names(await quick("name", "like", "%ria", token="agent-bu02")) == ["GLORIA Ortega"]


async def test_pages_follow_the_next_cursor_without_overlap(quick):
    first = (await quick("name", "like", "%ri%", size=1)).json()
    assert first["total"] >= 3 and len(first["items"]) == 1 and first["next"]
    second = (await quick("name", "like", "%ri%", size=1, after=first["next"])).json()
    first_ids = {i["contact_id"] for i in first["items"]}
    assert first_ids.isdisjoint(i["contact_id"] for i in second["items"])


async def test_a_like_page_is_in_name_order_without_scores_and_pages_on_in_that_order(quick):
    pages = [(await quick("name", "like", "%ri%", size=1)).json()]
    while pages[-1]["next"]:
        pages.append((await quick("name", "like", "%ri%", size=1, after=pages[-1]["next"])).json())
    items = [item for page in pages for item in page["items"]]
    assert len(items) == pages[0]["total"] >= 3
    assert [(fold(i["display_name"]), i["contact_id"]) for i in items] == sorted(
        (fold(i["display_name"]), i["contact_id"]) for i in items
    )
    assert {i["score"] for i in items} == {None}
    assert (await quick("name", "=", "maria")).json()["items"][0]["score"] > 0


async def test_a_cursor_of_a_ranked_lookup_handed_to_a_like_is_a_422(quick):
    ranked_page = (await quick("name", "=", "maria", size=1)).json()
    assert ranked_page["next"]
    response = await quick("name", "like", "%ar%", after=ranked_page["next"])
    assert response.status_code == 422
    assert response.json()["detail"] == "after: not a cursor returned by a previous page of this search"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"field": "city", "operator": "=", "value": "Paris"}, "allowed: any, name, phone, email"),
        ({"field": "name", "operator": "~", "value": "x"}, "allowed: =, like"),
        ({"field": "name", "operator": "=", "value": "   "}, "must not be empty"),
        ({"field": "name", "operator": "=", "value": "x" * 101}, "at most 100"),
        ({"field": "name", "operator": "like", "value": "%%"}, "besides '%'"),
        ({"field": "phone", "operator": "=", "value": "call me"}, "digits"),
        ({"field": "name", "operator": "=", "value": "x", "size": 1000}, "at most 100"),
        ({"field": "name", "operator": "=", "value": "x", "after": "garbage!"}, "after"),
    ],
)
async def test_bad_quick_search_is_a_422_naming_what_is_allowed(app_client, scenario, body, message):
    response = await app_client.post("/api/search/quick", json=body, headers=bearer(scenario.tokens["agent"]))
    assert response.status_code == 422
    assert message in response.text


async def test_unknown_request_fields_are_refused(app_client, scenario):
    body = {"field": "name", "operator": "=", "value": "x", "business_unit": "BU02"}
    response = await app_client.post("/api/search/quick", json=body, headers=bearer(scenario.tokens["agent-bu02"]))
    assert response.status_code == 422
    assert "business_unit" in response.text


@pytest.mark.parametrize("header", [None, "Bearer wrong", "Basic abc", "Bearer "])
async def test_api_refuses_a_missing_or_wrong_token_with_401(app_client, scenario, header):
    headers = {"Authorization": header} if header else {}
    response = await app_client.post("/api/search/quick", json={"field": "name", "value": "x"}, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_health_needs_no_token_and_ready_checks_dependencies(app_client, scenario):
    assert (await app_client.get("/health")).json() == {"status": "ok"}
    ready = await app_client.get("/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["database"]["ok"] is True


async def test_a_like_prefix_on_a_name_matches_the_start_of_every_word(quick):
    assert await names(await quick("name", "like", "Lef")) == ["Marie Lefèvre"]
    assert await names(await quick("name", "like", "núñ%")) == ["María Núñez Peña"]
    item = (await quick("name", "like", "lef%")).json()["items"][0]
    assert item["highlights"][0]["spans"] == [[6, 9]]


async def test_a_like_suffix_on_a_name_matches_the_end_of_every_word(quick):
    assert await names(await quick("name", "like", "%ñez")) == ["María Núñez Peña"]
