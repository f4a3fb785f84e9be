"""PURE: the caller lookup's and the duplicate check's bodies, as data (their semantics: tests/service/lookup)."""

import pytest

from search_definitions.catalogue import BY_KEY, Operator
from service.search.identify import Similar, caller_body, caller_number, similar_body
from service.search.queries import quick_clause
from service.search.terms import CriteriaError


@pytest.mark.parametrize(
    ("sent", "number"),
    [
        ("+33 6 12 34 56 78", "+33 6 12 34 56 78"),
        ("tel:+33612345678", "+33612345678"),
        ("TEL:+33-6-12-34-56-78;phone-context=example.com", "+33-6-12-34-56-78"),
        ("sip:0612345678@pbx.example;user=phone", "0612345678"),
        ("sips:+33612345678@pbx.example", "+33612345678"),
    ],
)
def test_the_number_is_taken_out_of_what_the_switch_sends(sent, number):
    assert caller_number(sent) == number


def test_the_caller_lookup_is_the_quick_search_by_phone_scoped_and_ranked():
    body = caller_body(number="06 12 34 56 78", size=20, phone_region="FR", business_unit="BU01")
    phone = quick_clause(BY_KEY["phone"], Operator.EQUALS, "06 12 34 56 78", phone_region="FR")
    # Scored, not filtered: the default region's reading of the number ranks above another country's.
    assert body["query"]["bool"]["must"] == [phone]
    assert body["query"]["bool"]["filter"] == [{"term": {"business_unit": "BU01"}}]
    assert body["sort"][0] == {"_score": "desc"}
    assert body["size"] == 20 and body["track_total_hits"] is True


def test_the_duplicate_check_asks_for_any_of_what_is_known_within_the_unit():
    body = similar_body(Similar(phone="0612345678", name="  "), phone_region="FR", business_unit=None)
    query = body["query"]["bool"]
    assert query["minimum_should_match"] == 1 and query["filter"] == []
    assert len(query["should"]) == 1


def test_the_duplicate_check_needs_something_to_compare():
    with pytest.raises(CriteriaError, match="give a phone, an email or a name"):
        similar_body(Similar(), phone_region="FR", business_unit=None)
    with pytest.raises(CriteriaError, match="phone: a phone number must contain digits"):
        similar_body(Similar(phone="none"), phone_region="FR", business_unit=None)
