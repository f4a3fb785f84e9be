"""Shaping engine hits into a page (pure: no engine needed)."""

from typing import Any

import pytest

from service.search.highlights import Located
from service.search.results import Matcher, to_page, values_at


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
        ("missing.path", []),
        ("display_name.deeper", []),
    ],
)
def test_values_at_walks_nested_arrays_and_skips_what_is_absent(path: str, expected: list[str]) -> None:
    source = {
        **_hit(1, "Martin", ["Lyon", "Paris"])["_source"],
        "phones": ["+33612345678", None, "+33698765432"],
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
    assert [[(h.field, h.value, h.spans) for h in item.highlights] for item in page.items] == [
        [("last_name", "Martin", [[0, 3]])],
        [("last_name", "Martin", [[0, 3]])],
        [("last_name", "Marchand", [[0, 3]])],
        [],
    ]
    assert page.next is None
