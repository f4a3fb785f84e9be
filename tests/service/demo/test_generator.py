"""Demo data is deterministic, realistic, and each contact stands on its own."""

from collections import Counter

from service.demo.generator import contact_bundle, generate
from service.phones import to_e164

USERS = ("demo-agent", "jan.novak")
UNITS = ("BU01", "BU02")


def bundles(count, seed=42, start=1):
    return list(generate(count, seed=seed, users=USERS, business_units=UNITS, start=start))


def test_same_seed_gives_the_same_data_and_another_seed_other_data():
    assert bundles(50) == bundles(50)
    assert bundles(50) != bundles(50, seed=7)


def test_a_contact_does_not_depend_on_the_ones_before_it():
    assert bundles(5, start=41)[-1] == contact_bundle(45, seed=42, users=USERS, business_units=UNITS)


def test_names_carry_the_accents_of_each_language():
    names = " ".join(f"{b.contact['first_name']} {b.contact['last_name']}" for b in bundles(400))
    for letter in "éèřšžñíüößä":
        assert letter in names, letter


def test_phones_are_written_in_many_formats_and_all_parse_to_e164():
    phones = [(p["number"], p["e164"], b.addresses[0]["country"]) for b in bundles(500) for p in b.phones]
    assert all(e164 and e164 == to_e164(number, country) for number, e164, country in phones)
    shapes = Counter(
        "plus" if n.startswith("+") else "00" if n.startswith("00") else "dots" if "." in n else "national"
        for n, _, _ in phones
    )
    assert len(shapes) == 4 and min(shapes.values()) > 20


def test_some_accounts_are_on_credit_hold_and_identifiers_are_unique():
    data = bundles(2000)
    accounts = [a for b in data for a in b.ar_accounts]
    held = sum(a["credit_hold"] for a in accounts) / len(accounts)
    assert 0.06 < held < 0.14
    for values in (
        [a["number"] for a in accounts],
        [s.row["number"] for b in data for s in b.subscriptions],
        [t["identifier"] for b in data for t in b.access_tokens],
        [i["serial_number"] for b in data for s in b.subscriptions for i in s.installed_items],
        [r["reference_id"] for b in data for c in b.communications for r in c.references],
    ):
        assert len(values) == len(set(values)) > 100


def test_communications_span_two_years_by_several_users_with_keywords_and_references():
    communications = [c for b in bundles(300) for c in b.communications]
    days = {c.row["created_at"].date() for c in communications}
    assert (max(days) - min(days)).days > 600
    assert {c.row["created_by"] for c in communications} == set(USERS)
    assert any(c.row["keywords"] for c in communications) and any(c.references for c in communications)
    assert all((c.row["action"] == "partial_dispute") == (c.row["action_amount"] is not None) for c in communications)
