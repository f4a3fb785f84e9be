"""Query building as data: the bodies the engine receives for each quick-search form."""

import pytest

from search_definitions import catalogue
from search_definitions.catalogue import Operator
from service.search.queries import NAME_SORT, SORT, CriteriaError, LikePattern, quick_clause, quick_search_body

NAME = catalogue.BY_KEY["name"]
PHONE = catalogue.BY_KEY["phone"]
ACCOUNT = catalogue.BY_KEY["account_number"]


def clause(field, operator, value):
    return quick_clause(field, operator, value, phone_region="FR")


@pytest.mark.parametrize(
    ("value", "pattern"),
    [
        ("%ria", "*ria"),
        ("Ma%", "ma*"),
        ("Mar", "mar*"),
        ("%ar%", "*ar*"),
        ("Ma%ie", "ma*ie"),
        ("%mar%ie%", "*mar*ie*"),
        ("%Élodi", "*elodi"),
    ],
)
def test_like_forms_become_anchored_wildcards_on_the_wild_subfield(value, pattern):
    assert clause(NAME, Operator.LIKE, value) == {"wildcard": {"names.wild": {"value": pattern}}}


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
    [(NAME, "%αβγ%", "names.wild"), (NAME, "%αβγδεζ%", "names.wild"), (ACCOUNT, "%r00%", "account_numbers.wild")],
)
def test_infixes_without_certain_slices_stay_wildcards(field, value, path):
    """Non-ASCII slices or grams (folded by Python here, by the engine there) and fields the index holds none of."""
    assert path in clause(field, Operator.LIKE, value)["wildcard"]


def test_like_escapes_engine_wildcards_typed_by_the_agent():
    assert clause(NAME, Operator.LIKE, "a*b?c\\")["wildcard"]["names.wild"]["value"] == "a\\*b\\?c\\\\*"


def test_equals_on_a_name_is_an_exact_folded_term_ranked_above_typo_tolerant_words():
    built = clause(NAME, Operator.EQUALS, "  Élodie LEFÈVRE ")
    exact, fuzzy = built["dis_max"]["queries"]
    assert exact == {"constant_score": {"filter": {"term": {"names": {"value": "elodie lefevre"}}}, "boost": 1000.0}}
    assert fuzzy["match"]["names.text"]["fuzziness"] == "AUTO:4,7"
    assert fuzzy["match"]["names.text"]["operator"] == "and"


def test_equals_on_an_identifier_is_a_plain_term_without_typo_tolerance():
    assert clause(ACCOUNT, Operator.EQUALS, "ar-000100") == {"term": {"account_numbers": {"value": "ar000100"}}}


def test_phone_equals_uses_e164_digits_whatever_the_written_format():
    expected = {"term": {"phone_numbers": {"value": "33612345678"}}}
    for typed in ("06 12 34 56 78", "+33 6 12 34 56 78", "0033 612 345 678", "06.12.34.56.78"):
        assert clause(PHONE, Operator.EQUALS, typed) == expected


def test_phone_like_keeps_only_digits():
    assert clause(PHONE, Operator.LIKE, "%34 56%")["wildcard"]["phone_numbers.wild"]["value"] == "*3456*"


def test_phone_without_digits_is_refused():
    with pytest.raises(CriteriaError, match="digits"):
        clause(PHONE, Operator.EQUALS, "call me")
    with pytest.raises(CriteriaError):
        clause(PHONE, Operator.LIKE, "%abc%")


def test_nested_value_is_searched_on_its_root_level_copy_with_separators_ignored():
    assert clause(ACCOUNT, Operator.EQUALS, "AR-0001") == {"term": {"account_numbers": {"value": "ar0001"}}}
    assert clause(ACCOUNT, Operator.LIKE, "%r 0001")["wildcard"] == {"account_numbers.wild": {"value": "*r0001"}}


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
        (PHONE, Operator.EQUALS, "06 12 34 56 78", NAME_SORT),
        (ACCOUNT, Operator.EQUALS, "AR-0001", NAME_SORT),
    ],
)
def test_only_a_typo_tolerant_lookup_is_ranked_every_other_page_is_in_name_order(field, operator, value, sort):
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
