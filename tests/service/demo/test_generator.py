"""Demo data is deterministic, realistic, and each contact stands on its own (pure: no database)."""

import re
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest

from service.demo import vocabulary
from service.demo.generator import ANCHOR, contact_bundle, generate
from service.models.enums import LIFE_CYCLE_GROUPS, ARItemStatus, ARItemType, CallAction, WorkItemKind
from service.phones import to_e164

USERS = ("demo-agent", "jan.novak", "lucia.garcia")
UNITS = ("BU01", "BU02")
ACCENTS = {"FR": "éèêëçïîôâ", "CZ": "řšžčěůýáí", "ES": "ñáéíóú", "DE": "äöüß"}


def bundles(count, seed=42, start_id=1):
    return list(generate(count, seed=seed, users=USERS, business_units=UNITS, start_id=start_id))


@pytest.fixture(scope="module")
def sample():
    return bundles(2000)


def test_same_seed_gives_the_same_data_and_another_seed_other_data():
    assert bundles(50) == bundles(50)
    assert repr(bundles(50)) == repr(bundles(50))
    assert bundles(50) != bundles(50, seed=7)


def test_a_contact_does_not_depend_on_the_ones_before_it_or_on_batching():
    assert bundles(5, start_id=41)[-1] == contact_bundle(45, seed=42, users=USERS, business_units=UNITS)
    assert bundles(10) == bundles(4) + bundles(6, start_id=5)


def test_contact_ids_follow_start_id():
    assert [b.id for b in bundles(3, start_id=1000)] == [1000, 1001, 1002]
    assert all(row["contact_id"] == 1000 for row in bundles(1, start_id=1000)[0].addresses)


def test_names_carry_the_accents_of_each_language(sample):
    names = {country: "" for country in ACCENTS}
    for b in sample:
        contact = b.contact
        names[b.addresses[0]["country"]] += f"{contact['first_name']} {contact['last_name']} {contact['company_name']} "
    for country, letters in ACCENTS.items():
        assert set(letters) <= set(names[country].lower()), country


def test_persons_and_companies_are_mixed_about_four_to_one(sample):
    companies = sum(b.contact["kind"] == "company" for b in sample) / len(sample)
    assert 0.15 < companies < 0.25
    assert all(b.contact["company_name"] for b in sample if b.contact["kind"] == "company")
    assert all(
        b.contact["last_name"] and not b.contact["company_name"] for b in sample if b.contact["kind"] == "person"
    )
    assert {b.contact["business_unit"] for b in sample} == set(UNITS)


def test_phones_are_written_in_many_formats_and_all_parse_to_e164(sample):
    phones = [(p["number"], p["e164"], b.addresses[0]["country"]) for b in sample for p in b.phones]
    assert all(e164 is not None and e164 == to_e164(number, country) for number, e164, country in phones)
    assert all(e164.startswith({"FR": "+33", "CZ": "+420", "ES": "+34", "DE": "+49"}[c]) for _, e164, c in phones)

    def shape(number):
        return re.sub(r"\d+", "9", number)

    shapes = Counter(shape(number) for number, _, _ in phones)
    assert len(shapes) > 15
    for example in ("9", "+9", "9 9 9 9 9", "+9 9 9 9 9 9", "(9) 9-9", "9/9", "9.9.9.9.9", "+9 (9)9 9 9 9 9"):
        assert example in shapes, example


def test_addresses_include_billing_and_subscription_types_sometimes_several(sample):
    kinds = [tuple(a["address_type"] for a in b.addresses) for b in sample]
    assert all(k[0] == "billing" and 1 <= len(k) <= 3 for k in kinds)
    assert any(k.count("subscription") == 2 for k in kinds)
    assert any(k.count("billing") == 2 for k in kinds)
    assert all(a["country"] == b.addresses[0]["country"] for b in sample for a in b.addresses)


def test_accounts_have_varied_balances_credit_holds_and_the_local_currency(sample):
    accounts = [(a, b.addresses[0]["country"]) for b in sample for a in b.ar_accounts]
    assert all(1 <= len(b.ar_accounts) <= 2 for b in sample)
    held = sum(a["credit_hold"] for a, _ in accounts) / len(accounts)
    assert 0.07 < held < 0.13
    assert 0 < sum(a["dunning_excluded"] for a, _ in accounts) < len(accounts) * 0.15
    balances = [a["balance"] for a, _ in accounts]
    assert min(balances) < 0 and 0 in balances and max(balances) > 10_000
    assert all(a["currency"] == ("CZK" if country == "CZ" else "EUR") for a, country in accounts)
    assert {a["collector"] for a, _ in accounts} >= {"Amélie Roux", "Jan Novák"}


def test_subscriptions_carry_mandatory_and_optional_services_and_installed_items(sample):
    subscriptions = [(s, len(b.ar_accounts)) for b in sample for s in b.subscriptions]
    assert all(len(b.subscriptions) <= 2 for b in sample)
    for subscription, accounts in subscriptions:
        assert 0 <= subscription.account < accounts
        assert 2 <= len(subscription.services) <= 4
        assert any(s["mandatory"] for s in subscription.services)
        assert len(subscription.installed_items) <= 3
    assert any(not s["mandatory"] for sub, _ in subscriptions for s in sub.services)


def test_access_tokens_keep_only_a_hash_of_their_secret(sample):
    tokens = [t for b in sample for t in b.access_tokens]
    assert {t["token_type"] for t in tokens} == {"card", "smart_card", "pin", "secret_code"}
    assert all(re.fullmatch(r"[0-9a-f]{64}", t["secret_hash"]) for t in tokens)
    assert all(
        set(t) == {"contact_id", "token_type", "identifier", "secret_hash", "status", "valid_until"} for t in tokens
    )


def test_identifiers_are_unique_across_contacts(sample):
    for values in (
        [b.contact["external_id"] for b in sample],
        [a["number"] for b in sample for a in b.ar_accounts],
        [s.row["number"] for b in sample for s in b.subscriptions],
        [t["identifier"] for b in sample for t in b.access_tokens],
        [i["serial_number"] for b in sample for s in b.subscriptions for i in s.installed_items],
        [w["number"] for b in sample for w in b.work_items],
        [e["address"] for b in sample for e in b.emails],
    ):
        assert len(values) == len(set(values)) > 500


def test_references_belong_to_one_contact_and_look_like_business_documents(sample):
    owners: dict[str, set[int]] = {}
    for b in sample:
        for c in b.communications:
            for r in c.references:
                owners.setdefault(r["reference_id"], set()).add(b.id)
    assert all(len(ids) == 1 for ids in owners.values())
    assert any(re.fullmatch(r"INV-20\d\d-\d{6,}", ref) for ref in owners)
    assert {r["qualifier"] for b in sample for c in b.communications for r in c.references} == set(
        vocabulary.REFERENCE_PATTERNS
    )


def test_communications_span_two_years_with_actions_keywords_and_follow_ups(sample):
    rows = [c.row for b in sample for c in b.communications]
    assert all(len(b.communications) <= 8 for b in sample)
    created = [r["created_at"] for r in rows]
    assert min(created) >= ANCHOR - timedelta(days=731) and max(created) <= ANCHOR
    assert (max(created) - min(created)).days > 700
    assert all(r["interaction_at"] <= r["created_at"] for r in rows)
    assert {r["created_by"] for r in rows} == set(USERS)
    assert {r["action"] for r in rows} == {a.value for a in CallAction} | {None}
    assert all((r["action"] == "partial_dispute") == (r["action_amount"] is not None) for r in rows)
    assert {len(r["keywords"]) for r in rows} == {0, 1, 2, 3}
    follow_ups = [r["follow_up_on"] for r in rows if r["follow_up_on"]]
    assert sum(f < ANCHOR.date() for f in follow_ups) > 100 and sum(f > ANCHOR.date() for f in follow_ups) > 20
    assert {r["channel"] for r in rows} == {"phone", "email", "portal", "letter"}
    assert any(r["internal"] for r in rows) and any(r["contact_phone"] for r in rows)
    assert any(r["customer_response"] for r in rows)


def test_work_items_use_the_life_cycle_states_of_their_kind(sample):
    items = [w for b in sample for w in b.work_items]
    assert all(len(b.work_items) <= 4 for b in sample)
    assert {w["kind"] for w in items} == {k.value for k in WorkItemKind}
    for kind in WorkItemKind:
        open_states, closed_states = LIFE_CYCLE_GROUPS[kind]
        states = {w["life_cycle_state"] for w in items if w["kind"] == kind.value}
        assert states <= set(open_states + closed_states)
        assert states & set(open_states) and states & set(closed_states), kind


def test_every_locale_phone_format_fits_its_groups():
    for locale in vocabulary.LOCALES:
        groups = 2 + len(locale.subscriber_groups)
        assert all(f.count("{}") == groups for f in locale.phone_formats), locale.country


def test_generation_needs_users_and_business_units():
    with pytest.raises(ValueError, match="user"):
        list(generate(1, seed=1, users=(), business_units=UNITS))


def test_accounts_carry_about_ten_items_a_contact_whose_open_amounts_add_up_to_the_balance(sample):
    items = [(b, i) for b in sample for i in b.ar_items]
    assert 7 < len(items) / len(sample) < 12
    assert {i.row["item_type"] for _, i in items} == {t.value for t in ARItemType}
    for bundle in sample:
        for index, account in enumerate(bundle.ar_accounts):
            open_amounts = [i.row["open_amount"] for i in bundle.ar_items if i.account == index]
            assert sum(open_amounts, Decimal("0")) == account["balance"], account["number"]
    numbers = [i.row["number"] for _, i in items]
    assert len(set(numbers)) == len(numbers)
    today = ANCHOR.date()
    past_due = [i.row for _, i in items if i.row["open_amount"] > 0 and i.row["due_on"] and i.row["due_on"] < today]
    assert {(today - r["due_on"]).days // 30 for r in past_due} >= {0, 1, 2}  # several aging buckets
    disputed = [i.row for _, i in items if i.row["status"] == ARItemStatus.IN_DISPUTE]
    assert disputed and all(0 < r["disputed_amount"] <= r["open_amount"] for r in disputed)
    assert all(i.row["currency"] == b.ar_accounts[i.account]["currency"] for b, i in items)
