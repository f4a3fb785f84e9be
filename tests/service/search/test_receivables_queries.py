"""PURE: the advanced AR criteria that depend on the day, built for a `today` passed in (no clock read)."""

from datetime import date

import pytest

from search_definitions import catalogue
from search_definitions.catalogue import Section
from search_definitions.loader import load_shipped
from service.search import criteria
from service.search.queries import advanced_search_body
from service.search.terms import CriteriaError

TODAY = date(2026, 12, 3)
DEFAULT = load_shipped("default")


def body(payload, *, today=TODAY):
    parsed = criteria.parse_section(DEFAULT, Section.ACCOUNTS_RECEIVABLE, payload, max_length=100)
    return advanced_search_body(
        criteria=parsed,
        address_scope="any",
        size=20,
        after=None,
        phone_region="FR",
        business_unit="BU01",
        today=today,
    )


def account_clauses(built):
    [nested] = [c for c in built["query"]["bool"]["filter"] if "nested" in c]
    assert nested["nested"]["path"] == "ar_accounts"
    return nested["nested"]["query"]["bool"]["filter"]


def test_the_shipped_default_offers_the_receivables_criteria_and_the_transaction_number():
    ar = DEFAULT.advanced_search_fields.for_section(Section.ACCOUNTS_RECEIVABLE)
    assert {"past_due_amount", "days_past_due", "in_dispute", "promise_broken"} <= set(ar)
    assert "transaction_number" in DEFAULT.quick_search_fields
    assert catalogue.BY_KEY["transaction_number"].quick_path == "transaction_numbers"


def test_past_due_amount_picks_the_step_that_holds_today_within_the_account():
    [clause] = account_clauses(body({"past_due_amount": {"min": 100, "max": 500}}))
    assert clause == {
        "nested": {
            "path": "ar_accounts.past_due",
            "query": {
                "bool": {
                    "filter": [
                        {"term": {"ar_accounts.past_due.during": "2026-12-03"}},
                        {"range": {"ar_accounts.past_due.amount": {"gte": 100.0, "lte": 500.0}}},
                    ]
                }
            },
        }
    }


def test_days_past_due_is_a_minimum_on_the_oldest_due_date_owed():
    assert account_clauses(body({"days_past_due": 30})) == [
        {"range": {"ar_accounts.oldest_due_on": {"lte": "2026-11-03"}}}
    ]
    assert account_clauses(body({"days_past_due": {"min": 1, "max": 10}})) == [
        {"range": {"ar_accounts.oldest_due_on": {"lte": "2026-12-02", "gte": "2026-11-23"}}}
    ]


def test_the_same_request_on_another_day_is_another_query():
    assert body({"days_past_due": 30}) != body({"days_past_due": 30}, today=date(2026, 12, 4))


def test_criteria_on_one_account_share_its_nested_query():
    clauses = account_clauses(body({"in_dispute": True, "days_past_due": 60, "account_number": "AR-1"}))
    assert len(clauses) == 3
    assert {"term": {"ar_accounts.in_dispute": {"value": True}}} in clauses


def test_a_daily_criterion_without_a_day_is_refused():
    with pytest.raises(CriteriaError, match="depends on the day"):
        body({"days_past_due": 3}, today=None)


@pytest.mark.parametrize("bad", [-1, 2.5, "30", True, {"min": 5, "max": 2}])
def test_days_past_due_needs_whole_days(bad):
    with pytest.raises(CriteriaError, match=r"accounts_receivable\.days_past_due"):
        body({"days_past_due": bad})


def test_promise_broken_asks_whether_a_stored_broken_day_has_come_within_the_account():
    reached = {"range": {"ar_accounts.promise_broken_from": {"lte": "2026-12-03"}}}
    assert account_clauses(body({"promise_broken": True})) == [reached]
    assert account_clauses(body({"promise_broken": False})) == [{"bool": {"must_not": [reached]}}]
    later = account_clauses(body({"promise_broken": True}, today=date(2026, 12, 10)))
    assert later == [{"range": {"ar_accounts.promise_broken_from": {"lte": "2026-12-10"}}}]


def test_promise_broken_needs_yes_or_no():
    with pytest.raises(CriteriaError, match=r"accounts_receivable\.promise_broken: needs true or false"):
        body({"promise_broken": "yes"})
