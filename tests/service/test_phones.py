"""Phone numbers reduced to the forms the index holds (pure: no engine needed)."""

import pytest

from service import phones


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("0033 6 12 34 56 78", "DE", "+33612345678"),
        ("+420 601 234 567", "FR", "+420601234567"),
        ("+39 06 1234 5678", "FR", "+390612345678"),
        ("+33 6 12 34 56 78 ext. 12", "FR", "+33612345678"),
        ("1-800-FLOWERS", "US", "+18003569377"),
        ("12", "FR", None),
        ("not a number", "FR", None),
    ],
)
def test_a_number_in_any_written_form_has_one_e164_form(raw: str, region: str, e164: str | None) -> None:
    assert phones.to_e164(raw, region) == e164


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("06 12 34 56 78", "FR"),
        ("+33 (0)6 12 34 56 78", "DE"),
        ("+33 6 12 34 56 78 ext. 12", "FR"),
        ("+39 06 1234 5678", "IT"),
        ("1-800-FLOWERS", "US"),
        ("601 234 567", "CZ"),
        ("12", "FR"),
    ],
)
def test_forms_of_a_written_number_are_the_forms_indexed_from_its_e164(raw: str, region: str) -> None:
    """The highlight works out the forms from the number as written; the index from the stored E.164: the same."""
    assert phones.forms_of(raw, region) == phones.searchable_forms(raw, phones.to_e164(raw, region))


def test_the_national_form_keeps_the_trunk_prefix_and_drops_the_extension() -> None:
    assert phones.forms_of("+33 6 12 34 56 78 ext. 12", "FR") == [
        "3361234567812",
        "33612345678",
        "0612345678",
        "612345678",
    ]
