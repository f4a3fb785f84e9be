"""Highlights as data: which characters of the stored value matched, for each query form."""

import pytest

from search_definitions import catalogue
from search_definitions.catalogue import Operator
from service.search.highlights import allowed_edits, folded, locator

NAME = catalogue.BY_KEY["name"]
PHONE = catalogue.BY_KEY["phone"]
ACCOUNT = catalogue.BY_KEY["account_number"]


def spans(field, operator, value, candidate):
    located = locator(field, operator, value, phone_region="FR")(candidate)
    return None if located is None else (list(located.spans), located.fuzzy)


def test_folding_keeps_the_position_of_every_original_character():
    text = folded("Straße Müller")
    assert text.text == "strasse muller"
    assert text.span(4, 6) == (4, 5)
    assert text.span(8, 14) == (7, 13)


def test_folding_maps_positions_when_one_letter_grows_and_a_mark_vanishes():
    """`ß` becomes two letters and a combining accent none: the length is unchanged, the positions are not."""
    text = folded("Aße\u0301\tB")
    assert text.text == "asse b"
    assert text.origin == (0, 1, 1, 2, 4, 5)
    assert folded("Jean\tDupont").text == "jean dupont"


@pytest.mark.parametrize(
    ("value", "identifier", "text", "origin"),
    [
        ("Žofie Dvořák", False, "zofie dvorak", tuple(range(12))),
        ("Łukasz Šťastný", False, "lukasz stastny", tuple(range(14))),
        ("Weiß", False, "weiss", (0, 1, 2, 3, 3)),
        ("Žofie Dvořák", False, "zofie dvorak", tuple(range(12))),
        ("AR-0001/7", True, "ar00017", (0, 1, 3, 4, 5, 6, 8)),
        ("ÅR 0001", True, "ar0001", (0, 1, 3, 4, 5, 6)),
    ],
)
def test_folding_gives_the_same_origins_whatever_was_folded_before(value, identifier, text, origin):
    """Folds are learnt character by character as values come: a value seen after a `ß` must not inherit it."""
    result = folded(value, identifier=identifier)
    assert (result.text, tuple(result.origin)) == (text, origin)


@pytest.mark.parametrize(
    ("value", "candidate", "expected"),
    [
        ("%FÈV%", "Marie Lefèvre", [(8, 11)]),
        ("ma%", "María Núñez Peña", [(0, 2)]),
        ("%peña", "María Núñez Peña", [(12, 16)]),
        ("ma%nunez%", "María Núñez Peña", [(0, 2), (6, 11)]),
        ("%ria", "Marie Lefèvre", None),
    ],
)
def test_like_spans_point_at_each_part_of_the_pattern(value, candidate, expected):
    result = spans(NAME, Operator.LIKE, value, candidate)
    assert (result[0] if result else None) == expected


def test_an_exact_value_is_highlighted_whole_and_identifiers_ignore_separators():
    assert spans(ACCOUNT, Operator.EQUALS, "ar 000100", "AR-000100") == ([(0, 9)], False)
    assert spans(ACCOUNT, Operator.LIKE, "%0100", "AR-000100") == ([(5, 9)], False)


def test_typo_tolerant_names_mark_the_close_words_as_fuzzy():
    assert spans(NAME, Operator.EQUALS, "marie lefebvre", "Marie Lefèvre") == ([(0, 5), (6, 13)], True)
    assert spans(NAME, Operator.EQUALS, "Lefevre", "Lefèvre") == ([(0, 7)], False)
    assert spans(NAME, Operator.EQUALS, "Lfvre", "Marie Lefèvre") is None


@pytest.mark.parametrize(("word", "edits"), [("ann", 0), ("anna", 1), ("dvorak", 1), ("lefebvre", 2)])
def test_edit_budget_grows_with_word_length(word, edits):
    assert allowed_edits(word) == edits


def test_phones_are_highlighted_as_written_whatever_format_was_typed():
    assert spans(PHONE, Operator.EQUALS, "+33612345678", "06 12 34 56 78") == ([(0, 14)], False)
    assert spans(PHONE, Operator.LIKE, "%5678", "06 12 34 56 78") == ([(9, 14)], False)
    assert spans(PHONE, Operator.LIKE, "3361%", "06 12 34 56 78") == ([(0, 14)], False)
    assert locator(PHONE, Operator.EQUALS, "0612345679", phone_region="FR")("06 12 34 56 78") is None
