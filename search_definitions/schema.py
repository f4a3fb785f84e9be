"""The Communication Centre definition: what agents may search, in which order, and what they see.

Validation is against the field catalogue; every error names the offending entry so an admin can fix it.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints, model_validator
from pydantic.functional_validators import BeforeValidator

from search_definitions import catalogue
from search_definitions.catalogue import Section
from service.closed import Closed
from service.models.enums import CallAction
from service.types import BusinessUnit

AddressScope = Literal["any", "billing", "subscription"]
# The operators a text quick search offers; `default_operator` is the one the console preselects.
QuickOperator = Literal["=", "like"]
MAX_RECENT_LIMIT = 500


class Action(StrEnum):
    """Action-panel actions of the Communication Centre."""

    LOG_COMMUNICATION = "log_communication"
    NEW_CONTACT_INFORMATION = "new_contact_information"
    UPDATE_CONTACT_INFORMATION = "update_contact_information"
    MANAGE_SUBSCRIPTION = "manage_subscription"
    MANAGE_ACCOUNT = "manage_account"
    RETRIEVE_VOUCHER_SECRET_CODE = "retrieve_voucher_secret_code"
    CREATE_ACTIVITY = "create_activity"
    CREATE_JOB = "create_job"
    CREATE_SERVICE_REQUEST = "create_service_request"
    PLACE_IN_DISPUTE = "place_in_dispute"
    EXCLUDE_FROM_DUNNING = "exclude_from_dunning"


class ContextSection(StrEnum):
    ADDRESSES = "addresses"
    PHONES = "phones"
    EMAILS = "emails"
    ACCOUNTS_RECEIVABLE = "accounts_receivable"
    FINANCIALS = "financials"
    SUBSCRIPTIONS = "subscriptions"
    COMMUNICATIONS = "communications"
    ACTIVITIES = "activities"
    JOBS = "jobs"
    SERVICE_REQUESTS = "service_requests"
    NOTIFICATIONS = "notifications"
    LEADS = "leads"


ADVANCED_SECTIONS = (
    Section.CONTACT,
    Section.ADDRESS,
    Section.ACCESS_TOKEN,
    Section.ACCOUNTS_RECEIVABLE,
    Section.SUBSCRIPTIONS,
    Section.COMMUNICATIONS,
)


class Code(Closed):
    """One entry of an admin-defined list (Oracle's QuickCodes): the code writes store, and what agents read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
    label: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None

    @property
    def shown(self) -> str:
        return self.label or self.code


def _code_or_text(value: object) -> object:
    """A bare string is a code without a label (`- Billing question` in a YAML file)."""
    return {"code": value} if isinstance(value, str) else value


Codes = tuple[Annotated[Code, BeforeValidator(_code_or_text)], ...]
# An additional call action is stored in `communications.action` beside the built-in ones: lower-case, no spaces.
ACTION_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
# The write fields each list governs; empty (or absent, as in definitions stored before the lists) is free text.
VOCABULARIES = {"topics": "topic", "customer_responses": "customer_response", "additional_actions": "action"}


class AdvancedFields(Closed):
    """Fields enabled for advanced search, per criteria section."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    contact: tuple[str, ...] = ()
    address: tuple[str, ...] = ()
    access_token: tuple[str, ...] = ()
    accounts_receivable: tuple[str, ...] = ()
    subscriptions: tuple[str, ...] = ()
    communications: tuple[str, ...] = ()

    def for_section(self, section: Section) -> tuple[str, ...]:
        return getattr(self, section.value)


class Definition(Closed):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    description: Annotated[str, StringConstraints(max_length=1000)] = ""
    quick_search_fields: tuple[str, ...] = Field(min_length=1)
    advanced_search_fields: AdvancedFields = AdvancedFields()
    address_scopes: tuple[AddressScope, ...] = ("any", "billing", "subscription")
    # Left out, all of them (the Communication Centre: "if nothing is defined, all of the communications will be
    # retrieved"). Stored versions always hold the key (the store writes the whole model), so a stored 20 stays 20.
    recent_communications_limit: Annotated[int, Field(ge=1, le=MAX_RECENT_LIMIT)] | None = None
    # The Communication Centre's "Search Operator Settings": what the console preselects; `=` for stored versions
    # from before the key existed, as the console always preselected it.
    default_operator: QuickOperator = "="
    actions: tuple[Action, ...] = ()
    context_sections: tuple[ContextSection, ...] = tuple(ContextSection)
    business_units: tuple[BusinessUnit, ...] = ()
    # Admin-defined vocabularies: with entries, a write's topic or customer response must be one of the codes, and
    # an additional action (no effect) is a call action besides the built-in ones.
    topics: Codes = ()
    customer_responses: Codes = ()
    additional_actions: Codes = ()

    @model_validator(mode="after")
    def _check_against_catalogue(self) -> Definition:
        problems: list[str] = []
        _check_unique("quick_search_fields", self.quick_search_fields, problems)
        for key in self.quick_search_fields:
            field = catalogue.get(key)
            if field is None:
                problems.append(f"quick_search_fields: unknown field '{key}'")
            elif not field.quick:
                allowed = ", ".join(catalogue.quick_keys())
                problems.append(f"quick_search_fields: '{key}' cannot be a quick-search field (allowed: {allowed})")
        if self.quick_search_fields == (catalogue.ANY.key,):
            problems.append(
                f"quick_search_fields: '{catalogue.ANY.key}' searches the definition's other quick fields; list some"
            )
        for section in ADVANCED_SECTIONS:
            keys = self.advanced_search_fields.for_section(section)
            where = f"advanced_search_fields.{section.value}"
            _check_unique(where, keys, problems)
            for key in keys:
                field = catalogue.in_section(section, key) or catalogue.get(key)
                if field is None:
                    problems.append(f"{where}: unknown field '{key}'")
                elif field.section is not section:
                    problems.append(f"{where}: '{key}' belongs to section '{field.section.value}'")
                elif not field.advanced:
                    problems.append(f"{where}: '{key}' cannot be an advanced-search field")
        for name, values in (
            ("address_scopes", self.address_scopes),
            ("actions", self.actions),
            ("context_sections", self.context_sections),
            ("business_units", self.business_units),
        ):
            _check_unique(name, values, problems)
        for name in VOCABULARIES:
            _check_unique(name, tuple(entry.code for entry in getattr(self, name)), problems)
        built_in = {action.value for action in CallAction}
        for entry in self.additional_actions:
            if entry.code in built_in:
                problems.append(f"additional_actions: '{entry.code}' is a built-in call action already")
            elif not ACTION_CODE.match(entry.code):
                problems.append(
                    f"additional_actions: '{entry.code}' must be lower-case letters, digits and _ (e.g. 'left_message')"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def codes(self, vocabulary: str) -> tuple[str, ...]:
        """The codes of `topics`, `customer_responses` or `additional_actions`; () when the field is free."""
        return tuple(entry.code for entry in getattr(self, vocabulary))

    def allows_advanced(self, key: str) -> bool:
        field = catalogue.get(key)
        return field is not None and key in self.advanced_search_fields.for_section(field.section)


def _check_unique(where: str, values: tuple[str, ...], problems: list[str]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            problems.append(f"{where}: '{value}' is listed twice")
        seen.add(value)
