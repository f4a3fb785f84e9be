"""Shaping engine hits into a page (pure: no engine needed)."""

from typing import Any

import pytest

from service.search.highlights import Located
from service.search.results import Matcher, to_page, values_at
from service.search.schemas import SearchPage


def _hit(contact_id: int, last_name: str, cities: list[str]) -> dict[str, Any]:
    return {
        "_source": {
            "contact_id": contact_id,
            "display_name": f"Anne {last_name}",
            "kind": "person",
            "business_unit": "north",
            "names": {"last": last_name},
            "addresses": [{"city": city} for city in cities],
        },
        "sort": [last_name, contact_id],
    }


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("names.last", ["Martin"]),
        ("addresses.city", ["Lyon", "Paris"]),
        ("addresses.postcode", []),
        ("phones", ["+33612345678", "+33698765432"]),
        ("tags", ["vip", "late", "7"]),
        ("missing.path", []),
        ("display_name.deeper", []),
    ],
)
def test_values_at_walks_nested_arrays_and_skips_what_is_absent(path: str, expected: list[str]) -> None:
    source = {
        **_hit(1, "Martin", ["Lyon", "Paris"])["_source"],
        "phones": ["+33612345678", None, "+33698765432"],
        "tags": [["vip", None], "late", 7],
    }
    source["addresses"].append({"city": None})
    assert values_at(source, path) == expected


def test_a_value_shared_by_the_hits_of_a_page_is_located_once_and_highlighted_on_each() -> None:
    asked: list[str] = []

    def locate(value: str) -> Located | None:
        asked.append(value)
        return Located(spans=((0, 3),)) if value.startswith("Mar") else None

    hits = [
        _hit(1, "Martin", ["Lyon"]),
        _hit(2, "Martin", ["Paris"]),
        _hit(3, "Marchand", ["Lyon"]),
        _hit(4, "Dubois", []),
    ]
    page = to_page(
        {"hits": {"total": {"value": 4}, "hits": hits}},
        size=20,
        matchers=[Matcher("last_name", "names.last", locate), Matcher("city", "addresses.city", locate)],
    )

    assert sorted(asked) == ["Dubois", "Lyon", "Marchand", "Martin", "Paris"]
    assert [[(h["field"], h["value"], h["spans"]) for h in item["highlights"]] for item in page["items"]] == [
        [("last_name", "Martin", [[0, 3]])],
        [("last_name", "Martin", [[0, 3]])],
        [("last_name", "Marchand", [[0, 3]])],
        [],
    ]
    assert page["next"] is None


def test_a_page_is_exactly_the_documented_search_page() -> None:
    """Pages are written as built, not through the model: the model must read them back unchanged."""
    summarised = _hit(7, "Martin", ["Lyon"]) | {"_score": 1000.0}
    summarised["_source"] |= {
        "primary_phone": "+33 6 12 34 56 78",
        "primary_email": None,
        "main_account": {"number": "AR-7", "balance": 125.5, "currency": "EUR", "status": "active", "x": 1},
        "credit_hold": True,
    }
    hits = [summarised, {"_source": {"contact_id": 8}, "sort": ["", 8]}]
    fuzzy = Matcher("last_name", "names.last", lambda value: Located(spans=((0, 2), (4, 6)), fuzzy=True))
    page = to_page({"hits": {"total": {"value": 41}, "hits": hits}}, size=2, matchers=[fuzzy])

    # Unset: a highlight names an item only for the fields whose values are items' numbers.
    assert SearchPage.model_validate(page).model_dump(mode="json", exclude_unset=True) == page
    first = page["items"][0]
    assert first["main_account"] == {"number": "AR-7", "balance": 125.5, "currency": "EUR", "status": "active"}
    assert first["highlights"] == [{"field": "last_name", "value": "Martin", "spans": [[0, 2], [4, 6]], "fuzzy": True}]
    assert page["items"][1]["display_name"] == ""
    assert page["next"] is not None
