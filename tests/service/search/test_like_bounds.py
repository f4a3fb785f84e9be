"""`like` answered from the slices on every quick field, and refused where no index structure answers it cheaply.

Each pattern the service answers from `.slices` (two- to four-character slices, marked at the value's start and
end) must find exactly what the wildcard on `.wild` finds, the field's reference semantics, asked of the engine
directly on the contacts index: the same contacts in the same order.
"""

import itertools

import pytest

from search_definitions import catalogue
from search_definitions.catalogue import Operator
from search_definitions.loader import load_shipped
from service.search.queries import SORT, quick_search_body
from service.search.terms import normaliser
from tests.conftest import bearer
from tests.service.search.test_limits import client_with

# The scenario holds no installed item: its serial numbers share the mapping and the query building of the other
# identifiers (`indexer.mappings.IDENT_SLICED`), proven here on account, subscription and token numbers.
QUICK = [f for f in catalogue.FIELDS if f.quick and f.key != "installed_item_serial"]
PER_KIND = 12


@pytest.fixture
async def quick(app_client, scenario):
    async def run(field, operator, value, **extra):
        body = {"field": field, "operator": operator, "value": value, **extra}
        return await app_client.post("/api/search/quick", json=body, headers=bearer(scenario.tokens["agent"]))

    return run


def usable(part: str) -> bool:
    """What an agent can type as a part and get back unchanged from the Python fold: no edge spaces, ASCII."""
    return part.isascii() and part.strip() == part and "%" not in part


def patterns(values: set[str]) -> dict[str, list[str]]:
    """Two-letter infixes, starts-with and ends-with of two to five characters, and patterns of two and three
    parts, one of them four characters long, cut from the field's own folded values; a few of each kind."""
    kinds: dict[str, set[str]] = {"infix": set(), "starts": set(), "ends": set(), "parts": set()}
    for value in sorted(values):
        kinds["infix"].update(f"%{value[i : i + 2]}%" for i in range(len(value) - 1) if usable(value[i : i + 2]))
        for k in range(2, 6):
            if len(value) >= k and usable(value[:k]):
                kinds["starts"].update({f"{value[:k]}%", value[:k]})
            if len(value) >= k and usable(value[-k:]):
                kinds["ends"].add(f"%{value[-k:]}")
        head, middle, tail, long_tail = value[:2], value[3:7], value[-2:], value[-4:]
        if len(value) >= 9 and all(usable(p) for p in (head, middle, tail, long_tail)):
            kinds["parts"].update(
                {
                    f"{head}%{long_tail}",
                    f"%{head}%{middle}%",
                    f"%{middle}%{tail}",
                    f"{head}%{middle}%{tail}",
                    f"%{value[:4]}%{tail}%",
                }
            )
    return {kind: sorted(found)[:: max(1, len(found) // PER_KIND)] for kind, found in kinds.items()}


def wildcard(pattern: str) -> str:
    """The `.wild` pattern of a `like` value of plain letters and digits: no `%` means starts with."""
    return pattern.replace("%", "*") if "%" in pattern else f"{pattern}*"


@pytest.fixture
def answered(quick, os_client, settings):
    """The service's page for a `like`; for a quick field the shipped definition does not offer (postcode, serial
    numbers), the very body the service would send, asked of the quick index."""
    offered = load_shipped("default").quick_search_fields

    async def run(field, pattern):
        if field.key in offered:
            response = await quick(field.key, "like", pattern, size=50)
            assert response.status_code == 200, (pattern, response.text)
            page = response.json()
            return [item["contact_id"] for item in page["items"]], page["total"]
        body = quick_search_body(
            field=field,
            operator=Operator.LIKE,
            value=pattern,
            size=50,
            after=None,
            phone_region="FR",
            business_unit=None,
        )
        hits = os_client.search(index=settings.quick_alias, body=body)["hits"]
        return [hit["_source"]["contact_id"] for hit in hits["hits"]], hits["total"]["value"]

    return run


@pytest.mark.parametrize("field", QUICK, ids=lambda f: f.key)
async def test_slices_find_exactly_what_the_wildcard_finds_on_every_quick_field(field, answered, os_client, settings):
    hits = os_client.search(index=settings.contacts_alias, body={"size": 100, "_source": [field.quick_path]})
    fold = normaliser(field)
    stored = [hit["_source"].get(field.quick_path) for hit in hits["hits"]["hits"]]
    values = {fold(v) for value in stored if value for v in ([value] if isinstance(value, str) else value)} - {""}
    assert values, f"the scenario has no {field.key}"
    tried = patterns(values)
    assert tried["infix"] and tried["starts"] and tried["ends"], tried
    for pattern in itertools.chain.from_iterable(tried.values()):
        ids, total = await answered(field, pattern)
        query = {"wildcard": {f"{field.quick_path}.wild": {"value": wildcard(pattern)}}}
        body = {"query": {"bool": {"must": [query]}}, "sort": list(SORT), "size": 50, "_source": ["contact_id"]}
        found = os_client.search(index=settings.contacts_alias, body=body)["hits"]["hits"]
        expected = [hit["_source"]["contact_id"] for hit in found]
        assert ids == expected, (field.key, pattern)
        assert total == len(expected), (field.key, pattern)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "%a%", "'a' is too short to search for: type at least 2 characters between wildcards ('%')"),
        ("name", "%a%a%", "'a' is too short"),
        ("name", "M", "type at least 2 characters between wildcards"),
        ("name", "%ar%i%", "'i' is too short"),
        ("name", "%ar%ie%le%fe%", "the value has 4 parts between wildcards ('%'); use at most 3"),
        ("name", "%ar%ie%", "several parts between wildcards ('%') needs one part of at least 4 characters"),
        ("name", "mar%in", "needs one part of at least 4 characters: type e.g. '%mart%in%' rather than '%mar%in%'"),
        ("phone", "%33%12%", "needs one part of at least 4 characters"),
        ("phone", "%336%12%45%", "needs one part of at least 4 characters"),
        ("reference_number", "%20%26%", "needs one part of at least 4 characters"),
        ("account_number", "ar%01", "needs one part of at least 4 characters"),
        ("phone", "%1%", "'1' is too short"),
        ("reference_number", "%2%0%", "'2' is too short"),
        ("account_number", "%R-%", "'r' is too short"),
        ("email", "%@%", "'@' is too short"),
    ],
)
async def test_a_like_no_index_structure_answers_cheaply_is_a_422_saying_what_to_type(quick, field, value, message):
    response = await quick(field, "like", value)
    assert response.status_code == 422, response.text
    assert message in response.json()["detail"]


async def test_advanced_criteria_refuse_the_same_patterns_naming_the_field(app_client, scenario):
    agent = bearer(scenario.tokens["agent"])
    response = await app_client.post("/api/search/advanced", json={"address": {"city": "%a%"}}, headers=agent)
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith("address.city: 'a' is too short to search for")
    response = await app_client.post("/api/search/advanced", json={"address": {"city": "%ar%"}}, headers=agent)
    assert response.status_code == 200, response.text
    assert response.json()["total"] >= 1


async def test_communications_search_refuses_the_same_patterns_naming_the_field(app_client, scenario):
    agent = bearer(scenario.tokens["agent"])
    for criteria, where in (
        ({"keyword": "%a%"}, "communications.keyword"),
        ({"reference_id": "%1%2%"}, "reference_id"),
    ):
        response = await app_client.post("/api/communications/search", json={"criteria": criteria}, headers=agent)
        assert response.status_code == 422, response.text
        assert where in response.json()["detail"] and "type at least 2 characters" in response.json()["detail"]
    response = await app_client.post(
        "/api/communications/search", json={"criteria": {"reference_id": "%42%"}}, headers=agent
    )
    assert response.status_code == 200, response.text
    assert response.json()["total"] >= 1


async def test_two_letter_matches_are_highlighted_on_the_value_as_written(quick):
    item = (await quick("name", "like", "%ÈV%")).json()["items"][0]
    assert item["highlights"][0] == {"field": "name", "value": "Marie Lefèvre", "spans": [[9, 11]], "fuzzy": False}
    item = (await quick("name", "like", "dv%")).json()["items"][0]
    # Any word of a name may start a `like`: the display name's second word is highlighted.
    assert item["highlights"][0]["value"] == "Élodie Dvořák" and item["highlights"][0]["spans"] == [[7, 9]]
    items = (await quick("phone", "like", "%56 78")).json()["items"]
    shown = {item["highlights"][0]["value"]: item["highlights"][0]["spans"] for item in items}
    assert shown["06 12 34 56 78"] == [[9, 14]]
    item = (await quick("account_number", "like", "ar%0101")).json()["items"][0]
    assert item["highlights"][0] == {
        "field": "account_number",
        "value": "AR-000101",
        "spans": [[0, 2], [5, 9]],
        "fuzzy": False,
    }


async def test_several_parts_with_a_four_character_one_are_answered_in_order(answered):
    """The long part's slice narrows the candidates; the order of the parts is still checked, so the same parts
    the other way round find nothing."""
    name = next(f for f in catalogue.FIELDS if f.key == "name")
    ids, total = await answered(name, "%mari%fe%")
    assert total >= 1 and len(ids) == total
    assert (await answered(name, "%fe%mari%"))[1] == 0


async def test_communications_search_refuses_several_short_parts_naming_the_field(app_client, scenario):
    agent = bearer(scenario.tokens["agent"])
    response = await app_client.post(
        "/api/communications/search", json={"criteria": {"reference_id": "%42%42%"}}, headers=agent
    )
    assert response.status_code == 422, response.text
    assert "reference_id" in response.json()["detail"]
    assert "needs one part of at least 4 characters" in response.json()["detail"]


@pytest.mark.parametrize(
    ("url", "body", "holding", "found"),
    [
        ("/api/search/quick", {"field": "phone", "operator": "like", "value": "%1234%56%"}, 4, 4),
        # Every person's 75002 holds both parts, none in this order: what is counted is what would be checked.
        ("/api/search/advanced", {"address": {"postcode": "%7500%02%"}}, 5, 0),
    ],
)
async def test_a_several_part_like_whose_parts_more_documents_hold_than_the_limit_is_a_422_saying_what_to_type(
    settings, scenario, url, body, holding, found
):
    """The engine would check the order of the parts in every document holding them all: counted first, and more
    than `like_max_candidates` of them is refused. At the limit, the same search is answered as before."""
    agent = bearer(scenario.tokens["agent"])
    async with client_with(settings, like_max_candidates=holding - 1) as client:
        refused = await client.post(url, json=body, headers=agent)
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"].endswith(
        f"is too common to search in parts: more than {holding - 1:,} customers hold all of its parts, and their "
        "order would be checked one customer at a time; type a longer or rarer part, or search the rarest part alone"
    )
    async with client_with(settings, like_max_candidates=holding) as client:
        answered = await client.post(url, json=body, headers=agent)
    assert answered.status_code == 200, answered.text
    assert answered.json()["total"] == found
