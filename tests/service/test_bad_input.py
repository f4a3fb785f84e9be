"""Malformed input is a 422 naming the field, never a 500: numbers JSON allows but no field can hold (NaN,
1e400), text that is not Unicode (a lone surrogate, bytes that are not UTF-8), instants that cannot be converted
to UTC, and criteria nested deeper than any search needs."""

from __future__ import annotations

import json

import pytest

from tests.conftest import bearer

# An offset the far end of the calendar cannot take: 9999-12-31T23:59:59-23:59 is past year 9999 in UTC.
OVERFLOWING_INSTANT = "9999-12-31T23:59:59-23:59"
UNDERFLOWING_INSTANT = "0001-01-01T00:00:00+23:59"


@pytest.fixture
def agent(scenario):
    return bearer(scenario.tokens["agent"])


@pytest.fixture
def admin(scenario):
    return bearer(scenario.tokens["admin"])


async def post_raw(client, path: str, text: str, headers: dict[str, str]):
    """Sent as written: the JSON text may hold what a client's encoder refuses (NaN, a lone surrogate)."""
    body = text.encode("utf-8", "surrogatepass")
    return await client.post(path, content=body, headers={**headers, "Content-Type": "application/json"})


def field_errors(response) -> dict[str, str]:
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, list), detail
    return {".".join(str(part) for part in error["loc"]): error["msg"] for error in detail}


@pytest.mark.parametrize("size", ["NaN", "Infinity", "-Infinity", "1e400", "1.5"])
async def test_a_quick_search_size_that_is_no_integer_is_a_422_naming_size(app_client, agent, size):
    body = '{"field": "name", "operator": "=", "value": "Marie", "size": SIZE}'.replace("SIZE", size)
    errors = field_errors(await post_raw(app_client, "/api/search/quick", body, agent))
    assert list(errors) == ["body.size"], errors


@pytest.mark.parametrize("size", ["NaN", "1e400"])
async def test_an_advanced_search_size_that_is_no_integer_is_a_422_naming_size(app_client, agent, size):
    body = '{"contact": {"last_name": "Lef%"}, "size": SIZE}'.replace("SIZE", size)
    errors = field_errors(await post_raw(app_client, "/api/search/advanced", body, agent))
    assert list(errors) == ["body.size"], errors


async def test_a_size_beyond_any_integer_column_is_a_422_naming_size(app_client, agent):
    body = {"field": "name", "operator": "=", "value": "Marie", "size": 2**70}
    response = await app_client.post("/api/search/quick", json=body, headers=agent)
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith("size must be at most"), response.text


async def test_a_lone_surrogate_in_a_refused_field_is_rendered_in_the_422(app_client, agent):
    body = '{"field": "name", "operator": "=", "value": "Marie", "size": "\\udfff"}'
    response = await post_raw(app_client, "/api/search/quick", body, agent)
    errors = field_errors(response)
    assert list(errors) == ["body.size"], errors
    json.loads(response.content.decode("utf-8"))  # well-formed UTF-8 throughout


async def test_a_lone_surrogate_in_an_unknown_key_is_rendered_in_the_422(app_client, agent):
    body = '{"field": "name", "operator": "=", "value": "Marie", "\\udfff": 1}'
    response = await post_raw(app_client, "/api/search/quick", body, agent)
    assert response.status_code == 422, response.text
    json.loads(response.content.decode("utf-8"))


async def test_a_body_that_is_not_utf8_is_refused_with_an_answer_that_renders(app_client, agent):
    body = b'{"field": "name", "operator": "=", "value": "Mar\xff\xfeie"}'
    headers = {**agent, "Content-Type": "application/json"}
    response = await app_client.post("/api/search/quick", content=body, headers=headers)
    assert response.status_code == 400, response.text
    assert json.loads(response.content.decode("utf-8")) == {"detail": "There was an error parsing the body"}


async def test_criteria_nested_deeper_than_the_bound_are_a_422_that_says_the_limit(app_client, agent):
    nested: object = "Lef%"
    for _ in range(300):
        nested = {"value": nested}
    body = json.dumps({"contact": {"last_name": nested}})
    errors = field_errors(await post_raw(app_client, "/api/search/advanced", body, agent))
    assert list(errors) == ["body.contact"], errors
    assert "nests more than 2 levels deep; at most 2 are allowed" in errors["body.contact"]


async def test_communication_criteria_nested_deeper_than_the_bound_are_a_422_naming_them(app_client, agent):
    nested: object = "INV-1"
    for _ in range(300):
        nested = [nested]
    body = json.dumps({"criteria": {"reference_id": nested}})
    errors = field_errors(await post_raw(app_client, "/api/communications/search", body, agent))
    assert list(errors) == ["body.criteria"], errors


async def test_criteria_as_deep_as_a_range_are_accepted(app_client, agent):
    body = {"accounts_receivable": {"balance": {"min": 0, "max": 10**6}}}
    response = await app_client.post("/api/search/advanced", json=body, headers=agent)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("instant", [OVERFLOWING_INSTANT, UNDERFLOWING_INSTANT])
@pytest.mark.parametrize("bound", ["from", "to"])
async def test_an_audit_bound_that_has_no_utc_instant_is_a_422_naming_it(app_client, admin, bound, instant):
    response = await app_client.get("/api/audit", params={bound: instant}, headers=admin)
    errors = field_errors(response)
    assert list(errors) == [f"query.{bound}"], errors


def communication(contact_id: int, **overrides: object) -> dict[str, object]:
    return {"contact_id": contact_id, "direction": "incoming", "channel": "phone", "topic": "Call", **overrides}


@pytest.mark.parametrize("instant", [OVERFLOWING_INSTANT, UNDERFLOWING_INSTANT])
async def test_an_interaction_time_that_has_no_utc_instant_is_a_422_naming_it(app_client, agent, scenario, instant):
    payload = communication(scenario.ids["marie"], interaction_at=instant)
    response = await app_client.post("/api/communications", json=payload, headers=agent)
    errors = field_errors(response)
    assert list(errors) == ["body.interaction_at"], errors


async def test_a_lone_surrogate_that_a_validator_quotes_is_a_422(app_client, admin):
    body = '{"name": "x", "quick_search_fields": ["x\\ud800y"]}'
    response = await post_raw(app_client, "/api/definitions", body, admin)
    assert response.status_code == 422, response.text
    assert "lone surrogate" in response.json()["detail"][0]["msg"]
