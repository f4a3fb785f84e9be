"""Query building as data: the bodies the engine receives for each quick-search form."""

import functools
import json
import re

import pytest

from search_definitions import catalogue
from search_definitions.catalogue import Operator
from service.search.queries import NAME_SORT, SORT, candidates_probe, quick_clause, quick_search_body
from service.search.terms import CriteriaError, LikePattern

NAME = catalogue.BY_KEY["name"]
PHONE = catalogue.BY_KEY["phone"]
ACCOUNT = catalogue.BY_KEY["account_number"]
CITY = catalogue.BY_KEY["city"]


def clause(field, operator, value):
    return quick_clause(field, operator, value, phone_region="FR")


@pytest.mark.parametrize(
    ("value", "pattern"),
    [
        ("%ria", "*ria"),
        ("Ma%", "ma*"),
        ("Mar", "mar*"),
        ("%ar%", "*ar*"),
        ("Mari%ie", "mari*ie"),
        ("%mari%ie%", "*mari*ie*"),
        ("%Élodi", "*elodi"),
    ],
)
def test_like_forms_become_anchored_wildcards_on_the_wild_subfield_of_a_field_without_slices(value, pattern):
    assert clause(CITY, Operator.LIKE, value) == {"wildcard": {"addresses.city.wild": {"value": pattern}}}


@pytest.mark.parametrize(
    ("value", "slice_"),
    [("%ari%", "ari"), ("%Élo%", "elo"), ("%E L%", "e l"), ("%arie%", "arie"), ("%Roß%", "ross"), ("%voř%", "vor")],
)
def test_a_three_or_four_letter_infix_on_a_name_is_one_slice_lookup(value, slice_):
    assert clause(NAME, Operator.LIKE, value) == {"constant_score": {"filter": {"term": {"names.slices": slice_}}}}


@pytest.mark.parametrize(
    ("value", "infix"),
    [("%artin%", "artin"), ("%marie%", "marie"), ("%Élodi%", "elodi"), ("%Straße%", "strasse"), ("%a*b?c%", "a*b?c")],
)
def test_a_longer_infix_on_a_name_is_a_phrase_of_its_grams(value, infix):
    """Literal text for the field's gram analyzer: `*` and `?` mean nothing there."""
    assert clause(NAME, Operator.LIKE, value) == {
        "constant_score": {"filter": {"match_phrase": {"names.grams": infix}}}
    }


@pytest.mark.parametrize(
    ("field", "value", "path"),
    [(NAME, "%αβγ%", "names.wild"), (NAME, "%αβγδεζ%", "names.wild"), (CITY, "%r00%", "addresses.city.wild")],
)
def test_infixes_without_certain_slices_stay_wildcards(field, value, path):
    """Non-ASCII slices or grams (folded by Python here, by the engine there) and fields the index holds none of."""
    assert path in clause(field, Operator.LIKE, value)["wildcard"]


def test_like_escapes_engine_wildcards_typed_by_the_agent():
    assert clause(CITY, Operator.LIKE, "a*b?c\\")["wildcard"]["addresses.city.wild"]["value"] == "a\\*b\\?c\\\\*"


def test_equals_on_a_name_is_an_exact_folded_term_ranked_above_typo_tolerant_words():
    built = clause(NAME, Operator.EQUALS, "  Élodie LEFÈVRE ")
    exact, fuzzy = built["dis_max"]["queries"]
    assert exact == {"constant_score": {"filter": {"term": {"names": {"value": "elodie lefevre"}}}, "boost": 1000.0}}
    assert fuzzy["match"]["names.text"]["fuzziness"] == "AUTO:4,7"
    assert fuzzy["match"]["names.text"]["operator"] == "and"


def test_equals_on_an_identifier_is_a_plain_term_without_typo_tolerance():
    assert clause(ACCOUNT, Operator.EQUALS, "ar-000100") == {"term": {"account_numbers": {"value": "ar000100"}}}


def e164(digits):
    return {"constant_score": {"filter": {"term": {"phone_numbers": {"value": digits}}}, "boost": 10.0}}


def test_phone_equals_uses_e164_digits_whatever_the_written_format():
    for typed in ("+33 6 12 34 56 78", "0033 612 345 678"):
        assert clause(PHONE, Operator.EQUALS, typed) == e164("33612345678")
    for typed in ("06 12 34 56 78", "06.12.34.56.78"):
        assert clause(PHONE, Operator.EQUALS, typed)["bool"]["should"][0] == e164("33612345678")


def test_phone_without_country_code_also_matches_any_countrys_national_number_ranked_below_the_default_region():
    """`601 234 567` is French to region FR (+33 6 01 23 45 67) and Czech as a national number: both, FR first."""
    assert clause(PHONE, Operator.EQUALS, "601 234 567") == {
        "bool": {
            "should": [
                e164("33601234567"),
                {"constant_score": {"filter": {"terms": {"phone_numbers": ["601234567"]}}, "boost": 1.0}},
            ],
            "minimum_should_match": 1,
        }
    }
    # Typed with a trunk prefix, it is looked up as typed: the index holds each country's national form with its
    # own trunk prefix, so `030 1234567` is German, never a number `30 1234567` of a country without one.
    national = clause(PHONE, Operator.EQUALS, "030 1234567")["bool"]["should"][1]
    assert national["constant_score"]["filter"] == {"terms": {"phone_numbers": ["0301234567"]}}


def test_phone_like_keeps_only_digits():
    assert clause(PHONE, Operator.LIKE, "%34 56%") == {"constant_score": {"filter": slice_("phone_numbers", "3456")}}
    assert clause(PHONE, Operator.LIKE, "%34 56 7%")["constant_score"]["filter"]["bool"]["filter"][-1] == {
        "wildcard": {"phone_numbers.wild": {"value": "*34567*"}}
    }


def test_phone_without_digits_is_refused():
    with pytest.raises(CriteriaError, match="digits"):
        clause(PHONE, Operator.EQUALS, "call me")
    with pytest.raises(CriteriaError):
        clause(PHONE, Operator.LIKE, "%abc%")


def test_nested_value_is_searched_on_its_root_level_copy_with_separators_ignored():
    assert clause(ACCOUNT, Operator.EQUALS, "AR-0001") == {"term": {"account_numbers": {"value": "ar0001"}}}
    assert clause(ACCOUNT, Operator.LIKE, "%r 0001")["constant_score"]["filter"]["bool"]["filter"] == [
        slice_("account_numbers", "r000"),
        slice_("account_numbers", "001\x03"),
        {"wildcard": {"account_numbers.wild": {"value": "*r0001"}}},
    ]


def test_only_percent_signs_is_refused():
    with pytest.raises(CriteriaError, match="besides"):
        LikePattern.parse("%%")


@pytest.mark.parametrize(
    ("pattern", "candidate", "expected"),
    [
        ("%ria", "maria", True),
        ("%ria", "riaz", False),
        ("ma%", "maria", True),
        ("mar", "maria", True),
        ("mar", "omar", False),
        ("%ari%", "maria", True),
        ("%ari%", "mona", False),
        ("ma%ie", "marie", True),
        ("ma%ie", "mariel", False),
    ],
)
def test_python_twin_of_like_matches_like_the_engine(pattern, candidate, expected):
    assert LikePattern.parse(pattern).matches(candidate) is expected


@pytest.mark.parametrize(
    ("field", "operator", "value", "sort"),
    [
        (NAME, Operator.EQUALS, "Martin", SORT),
        (NAME, Operator.LIKE, "%art%", NAME_SORT),
        (NAME, Operator.LIKE, "Mar%", NAME_SORT),
        (PHONE, Operator.EQUALS, "06 12 34 56 78", SORT),
        (PHONE, Operator.LIKE, "06 12", NAME_SORT),
        (ACCOUNT, Operator.EQUALS, "AR-0001", NAME_SORT),
    ],
)
def test_only_typo_tolerant_or_phone_equals_lookups_are_ranked_others_in_name_order(field, operator, value, sort):
    body = quick_search_body(
        field=field, operator=operator, value=value, size=20, after=None, phone_region="FR", business_unit=None
    )
    assert body["sort"] == list(sort)


def test_body_filters_by_business_unit_and_pages_with_search_after():
    body = quick_search_body(
        field=NAME,
        operator=Operator.EQUALS,
        value="x",
        size=10,
        after=[1.0, "x", 7],
        phone_region="FR",
        business_unit="BU01",
    )
    assert body["query"]["bool"]["filter"] == [{"term": {"business_unit": "BU01"}}]
    assert body["search_after"] == [1.0, "x", 7]
    assert body["sort"][-1] == {"contact_id": "asc"}
    assert body["size"] == 10


def slice_(path, term):
    return {"term": {f"{path}.slices": term}}


@pytest.mark.parametrize(
    ("field", "value", "term"),
    [
        (NAME, "%ar%", "ar"),
        (PHONE, "%1 2%", "12"),
        (PHONE, "+33%", "\x0233"),
        (ACCOUNT, "%R-0%", "r0"),
        (ACCOUNT, "%01", "01\x03"),
        (catalogue.BY_KEY["email"], "%@e%", "@e"),
    ],
)
def test_two_letter_parts_starts_and_ends_with_are_one_slice_lookup(field, value, term):
    """Nothing to verify: the slice, marked at the value's start or end when anchored, is the whole answer."""
    assert clause(field, Operator.LIKE, value) == {"constant_score": {"filter": slice_(field.quick_path, term)}}


@pytest.mark.parametrize(
    ("value", "term", "word"),
    [
        ("Ma%", "\x02ma", {"term": {"names.word_starts": "ma"}}),
        ("Mar", "\x02mar", {"term": {"names.word_starts": "mar"}}),
        ("%ÍA", "ia\x03", {"term": {"names.word_ends": "ia"}}),
        ("%ria", "ria\x03", {"term": {"names.word_ends": "ria"}}),
    ],
)
def test_a_name_starts_or_ends_with_is_the_value_s_slice_or_any_word_s_edge(value, term, word):
    whole = {"constant_score": {"filter": slice_(NAME.quick_path, term)}}
    expected = {"constant_score": {"filter": {"bool": {"should": [whole, word], "minimum_should_match": 1}}}}
    assert clause(NAME, Operator.LIKE, value) == expected


def test_several_parts_are_each_looked_up_and_their_order_verified_by_the_wildcard():
    assert clause(NAME, Operator.LIKE, "Mari%ie") == {
        "constant_score": {
            "filter": {
                "bool": {
                    "filter": [
                        slice_("names", "\x02mar"),
                        slice_("names", "mari"),
                        slice_("names", "ie\x03"),
                        {"wildcard": {"names.wild": {"value": "mari*ie"}}},
                    ]
                }
            }
        }
    }


def test_a_long_part_of_a_field_without_grams_needs_both_ends_of_its_slices_and_the_wildcard():
    assert clause(ACCOUNT, Operator.LIKE, "%000100%") == {
        "constant_score": {
            "filter": {
                "bool": {
                    "filter": [
                        slice_("account_numbers", "0001"),
                        slice_("account_numbers", "0100"),
                        {"wildcard": {"account_numbers.wild": {"value": "*000100*"}}},
                    ]
                }
            }
        }
    }


@pytest.mark.parametrize("field", [f for f in catalogue.FIELDS if f.quick], ids=lambda f: f.key)
def test_every_quick_field_has_slices(field):
    assert field.slices


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (NAME, "%a%", "'a' is too short to search for: type at least 2 characters between wildcards ('%')"),
        (NAME, "M", "type at least 2 characters between wildcards"),
        (NAME, "a%", "type at least 2 characters between wildcards"),
        (NAME, "%ar%a%", "'a' is too short"),
        (NAME, "%É%", "'e' is too short"),
        (PHONE, "%1%", "'1' is too short"),
        (PHONE, "%+3%", "'3' is too short"),
        (ACCOUNT, "%R-%", "'r' is too short"),
        (CITY, "%a%", "type at least 2 characters"),
        (NAME, "%ab%cd%ef%gh%", "the value has 4 parts between wildcards ('%'); use at most 3"),
        (NAME, "%a%a%a%a%a%", "too short"),
        (NAME, "%ab%cd%ef%", "several parts between wildcards ('%') needs one part of at least 4 characters"),
        (NAME, "Ma%ie", "type e.g. '%mart%in%' rather than '%mar%in%', or search one part alone ('%mar%')"),
        (PHONE, "%336%12%", "needs one part of at least 4 characters"),
    ],
)
def test_short_parts_too_many_parts_and_several_short_parts_are_refused_saying_what_to_type(field, value, message):
    with pytest.raises(CriteriaError, match=re.escape(message)):
        clause(field, Operator.LIKE, value)


def test_three_parts_with_one_of_four_characters_are_accepted():
    assert "bool" in clause(NAME, Operator.LIKE, "%ab%cdef%gh%")["constant_score"]["filter"]


def test_the_candidates_of_a_several_part_like_are_its_looked_up_parts_without_the_check_of_their_order():
    build = functools.partial(
        quick_search_body,
        field=NAME,
        operator=Operator.LIKE,
        size=20,
        after=None,
        phone_region="FR",
        business_unit=None,
    )
    body, counted = build(value="%mari%ie%"), build(value="%mari%ie%", candidates=True)
    probe = candidates_probe(body, counted, limit=2000)
    assert probe == {"query": counted["query"], "size": 0, "track_total_hits": True, "terminate_after": 2000}
    assert "wildcard" in json.dumps(body["query"]) and "wildcard" not in json.dumps(probe)
    # One part, however checked, is no such pattern: nothing to count first.
    for value in ("%marie%", "Martinez%", "%mar%"):
        assert candidates_probe(build(value=value), build(value=value, candidates=True), limit=2000) is None
