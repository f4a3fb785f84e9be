"""Every searchable field the product knows: one source for definitions, mappings and query building.

A field's ``path`` is where its value lives in the index document. The index gives every string path a
normalised ``keyword`` (for ``=``) and a ``.wild`` wildcard sub-field (for ``like``, so a leading ``%``
never becomes an unbounded wildcard over the terms dictionary); text fields also get a ``.text``
sub-field for typo-tolerant relevance. Text is case- and accent-folded; identifiers are folded and lose
their separators (``AR-000100`` = ``ar 000100``); phones keep only their digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from service.models.enums import (
    AccessTokenType,
    AccountStatus,
    CallAction,
    Channel,
    CommunicationStatus,
    ContactKind,
    ContactState,
    Direction,
    SubscriptionStatus,
)


class Section(StrEnum):
    CONTACT = "contact"
    ADDRESS = "address"
    ACCESS_TOKEN = "access_token"
    ACCOUNTS_RECEIVABLE = "accounts_receivable"
    SUBSCRIPTIONS = "subscriptions"
    COMMUNICATIONS = "communications"


class FieldType(StrEnum):
    TEXT = "text"
    KEYWORD = "keyword"
    IDENTIFIER = "identifier"
    PHONE = "phone"
    EMAIL = "email"
    NUMBER = "number"
    AMOUNT = "amount"
    DATE = "date"
    ENUM = "enum"
    BOOLEAN = "boolean"
    # The one box: no path of its own, the value's shape says which quick fields it is searched on (`ANY`).
    ANY = "any"


class Operator(StrEnum):
    EQUALS = "="
    LIKE = "like"
    RANGE = "range"


class Daily(StrEnum):
    """How a criterion that depends on the day of the search is answered (`service.search.queries`)."""

    # The nested steps `{during, amount}` of a value that changes as days pass: the step holding today.
    STEPS = "steps"
    # Days since a stored date: N days or more is the date at most today - N (a plain value is a minimum).
    DAYS_SINCE = "days_since"
    # Yes/no: one of the stored dates has come (is at most today); no: none has.
    REACHED = "reached"


class Index(StrEnum):
    CONTACTS = "contacts"
    COMMUNICATIONS = "communications"


class Subfield(StrEnum):
    """The sub-fields of every searchable string (`indexer.mappings`), named once for the queries and the mapping."""

    WILD = "wild"  # the wildcard twin: `like` patterns verified against the folded value
    TEXT = "text"  # analysed words: typo-tolerant `=` on names
    SLICES = "slices"  # two- to four-character slices, anchored ones too: a short `like` part is one term
    GRAMS = "grams"  # positioned three-character grams: a longer infix is a phrase
    WORD_STARTS = "word_starts"  # every start of every word of a name: `Mar%` on any word is one term
    WORD_ENDS = "word_ends"  # every end of every word of a name: `%ez` on any word is one term


# The root fields of a communication document that the queries sort and filter on beside the catalogue's own.
COMMUNICATION_ID = "communication_id"
CONTACT_ID = "contact_id"
CREATED_BY = "created_by"
CREATED_AT = "created_at"
# Which of a contact's addresses an address criterion holds on (`scope`: billing, subscription): a field of each
# nested address, beside the catalogue's address fields.
ADDRESS_TYPE = "type"


# The index layout the catalogue's paths and sub-fields describe; `indexer.mappings` stamps it on every index
# it creates. Raise it with any mapping change a query relies on (2: three-character slices of names; 3: four-
# character ones as well, in `.slices`; 4: positioned three-character grams, `.grams`; 5: two-character slices
# and slices anchored at the value's start and end, on every quick field, and each document's `content_digest`),
# so `/ready` refuses an index an older release built; 6: AR items, `transaction_numbers` and the accounts' past-due
# steps, oldest due date and dispute flag; 7: the starts and ends of every word of a name, `.word_starts` and
# `.word_ends`; 8: the communications' customer response folded like the topic, and the collectors of the contact's
# accounts on every communication; 9: the day each unkept promise to pay of an account is broken from,
# `promise_broken_from`).
MAPPING_VERSION = 9

# How long the slices of a value (`.slices`) are: an infix of one of these lengths is one term lookup. The value is
# cut with a mark at its start and its end (`SLICE_START`, `SLICE_END`), so a starts-with or ends-with of up to
# three characters is one term lookup too (`Ma%` is the slice `\x02ma`).
SLICE_LENGTHS = range(2, 5)
SLICE_START = "\x02"
SLICE_END = "\x03"
# What a `like` may ask, so that every one is answered from `.slices` (or `.grams`) instead of a scan: each part
# between `%` signs at least this long (a one-character slice would hold most values), and at most this many parts
# (each part beyond the first is verified against the stored value by the wildcard field; bench/README).
LIKE_MIN_PART = 2
LIKE_MAX_PARTS = 3
# A value of several parts needs one this long: the slices only say which documents hold every part, the wildcard
# then checks their order document by document, and only a four-character slice leaves few enough to check (phone
# `%xy%zw%` verified ~2,600 of 100,000 contacts, `%336%xy%` ~6,700, `%3361%xy%` ~600; bench/README).
LIKE_LONG_PART = 4
# The grams of a name (`.grams`), each at its position: a longer infix is a phrase of them, nothing to verify.
GRAM_LENGTH = 3

STRING_OPERATORS = (Operator.EQUALS, Operator.LIKE)
STRING_TYPES = frozenset({FieldType.TEXT, FieldType.KEYWORD, FieldType.IDENTIFIER, FieldType.PHONE, FieldType.EMAIL})


@dataclass(frozen=True, slots=True)
class CatalogueField:
    key: str
    label: str
    section: Section
    type: FieldType
    path: str
    nested: str | None = None
    quick: bool = False
    advanced: bool = True
    index: Index = Index.CONTACTS
    values: tuple[str, ...] = ()
    flat_path: str | None = None
    typo_tolerant: bool = False
    shown_path: str | None = None
    # The index holds its two- to four-character slices (`.slices`, anchored ones too), such an infix, starts-with
    # or ends-with being one term lookup; with `grams`, also its positioned three-character grams (`.grams`), a
    # longer infix being a phrase of them.
    slices: bool = False
    grams: bool = False
    # Terms that hold on the same nested object as the value, the field then having a nested query of its own
    # (a transaction number is a reference whose qualifier is `transaction`, beside any other reference criterion).
    fixed: tuple[tuple[str, str], ...] = ()
    # A root list of objects in `_source` whose entry with the matched value (its `number`) the highlight names.
    item_path: str | None = None
    daily: Daily | None = None
    # The definition's vocabulary whose codes are values of this enum besides its own (`Definition.codes`).
    vocabulary: str | None = None

    @property
    def operators(self) -> tuple[Operator, ...]:
        if self.type in STRING_TYPES or self.type is FieldType.ANY:
            return STRING_OPERATORS
        if self.type in (FieldType.AMOUNT, FieldType.NUMBER, FieldType.DATE):
            return (Operator.EQUALS, Operator.RANGE)
        return (Operator.EQUALS,)

    @property
    def quick_path(self) -> str:
        """Root-level copy of a nested value: the wildcard field type does not work inside nested objects."""
        return self.flat_path or self.path

    @property
    def highlight_path(self) -> str:
        """Where the value the agent recognises lives (phones as written, not their digit forms)."""
        return self.shown_path or self.quick_path


def _values(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


_S = Section
_T = FieldType
FIELDS: tuple[CatalogueField, ...] = (
    # Contact information
    CatalogueField(
        "name",
        "Name",
        _S.CONTACT,
        _T.TEXT,
        "names",
        quick=True,
        advanced=False,
        typo_tolerant=True,
        slices=True,
        grams=True,
    ),
    CatalogueField(
        "phone", "Phone", _S.CONTACT, _T.PHONE, "phone_numbers", quick=True, shown_path="phones_written", slices=True
    ),
    CatalogueField("email", "Email", _S.CONTACT, _T.EMAIL, "email_addresses", quick=True, slices=True),
    CatalogueField("id_number", "ID number", _S.CONTACT, _T.IDENTIFIER, "id_number", quick=True, slices=True),
    CatalogueField("first_name", "First name", _S.CONTACT, _T.TEXT, "first_name", typo_tolerant=True),
    CatalogueField("last_name", "Last name", _S.CONTACT, _T.TEXT, "last_name", typo_tolerant=True),
    CatalogueField("company_name", "Company name", _S.CONTACT, _T.TEXT, "company_name", typo_tolerant=True),
    CatalogueField("contact_kind", "Type", _S.CONTACT, _T.ENUM, "kind", values=_values(ContactKind)),
    CatalogueField("business_unit", "Business unit", _S.CONTACT, _T.KEYWORD, "business_unit"),
    CatalogueField(
        "life_cycle_state", "Life cycle state", _S.CONTACT, _T.ENUM, "life_cycle_state", values=_values(ContactState)
    ),
    CatalogueField("category", "Category", _S.CONTACT, _T.KEYWORD, "category"),
    # Contact information address (scope: any, billing or subscription address)
    CatalogueField("street", "Street", _S.ADDRESS, _T.TEXT, "addresses.street", nested="addresses"),
    CatalogueField("city", "City", _S.ADDRESS, _T.TEXT, "addresses.city", nested="addresses"),
    CatalogueField(
        "postcode",
        "Postcode",
        _S.ADDRESS,
        _T.IDENTIFIER,
        "addresses.postcode",
        nested="addresses",
        quick=True,
        flat_path="postcodes",
        slices=True,
    ),
    CatalogueField("region", "Region", _S.ADDRESS, _T.TEXT, "addresses.region", nested="addresses"),
    CatalogueField("country", "Country", _S.ADDRESS, _T.KEYWORD, "addresses.country", nested="addresses"),
    # Access tokens: the identifier only; secrets are never indexed
    CatalogueField(
        "access_token_id",
        "Access token",
        _S.ACCESS_TOKEN,
        _T.IDENTIFIER,
        "access_tokens.identifier",
        nested="access_tokens",
        quick=True,
        flat_path="access_token_ids",
        slices=True,
    ),
    CatalogueField(
        "access_token_type",
        "Access token type",
        _S.ACCESS_TOKEN,
        _T.ENUM,
        "access_tokens.type",
        nested="access_tokens",
        values=_values(AccessTokenType),
    ),
    # Accounts receivable
    CatalogueField(
        "account_number",
        "Account number",
        _S.ACCOUNTS_RECEIVABLE,
        _T.IDENTIFIER,
        "ar_accounts.number",
        nested="ar_accounts",
        quick=True,
        flat_path="account_numbers",
        slices=True,
    ),
    CatalogueField(
        "account_status",
        "Account status",
        _S.ACCOUNTS_RECEIVABLE,
        _T.ENUM,
        "ar_accounts.status",
        nested="ar_accounts",
        values=_values(AccountStatus),
    ),
    CatalogueField(
        "balance", "Balance", _S.ACCOUNTS_RECEIVABLE, _T.AMOUNT, "ar_accounts.balance", nested="ar_accounts"
    ),
    CatalogueField(
        "credit_hold",
        "Credit hold",
        _S.ACCOUNTS_RECEIVABLE,
        _T.BOOLEAN,
        "ar_accounts.credit_hold",
        nested="ar_accounts",
    ),
    CatalogueField(
        "dunning_excluded",
        "Excluded from dunning",
        _S.ACCOUNTS_RECEIVABLE,
        _T.BOOLEAN,
        "ar_accounts.dunning_excluded",
        nested="ar_accounts",
    ),
    CatalogueField(
        "collector", "Collector", _S.ACCOUNTS_RECEIVABLE, _T.KEYWORD, "ar_accounts.collector", nested="ar_accounts"
    ),
    # Oracle: "If you do not know the customer name, enter the Transaction Number": any item of any account.
    CatalogueField(
        "transaction_number",
        "Transaction number",
        _S.ACCOUNTS_RECEIVABLE,
        _T.IDENTIFIER,
        "transaction_numbers",
        quick=True,
        advanced=False,
        slices=True,
        item_path="transactions",
    ),
    # Advanced criteria answered for the day of the search (`service.search.queries.daily_clause`).
    CatalogueField(
        "past_due_amount",
        "Past due amount",
        _S.ACCOUNTS_RECEIVABLE,
        _T.AMOUNT,
        "ar_accounts.past_due",
        nested="ar_accounts",
        daily=Daily.STEPS,
    ),
    CatalogueField(
        "days_past_due",
        "Days past due (at least)",
        _S.ACCOUNTS_RECEIVABLE,
        _T.NUMBER,
        "ar_accounts.oldest_due_on",
        nested="ar_accounts",
        daily=Daily.DAYS_SINCE,
    ),
    CatalogueField(
        "in_dispute", "In dispute", _S.ACCOUNTS_RECEIVABLE, _T.BOOLEAN, "ar_accounts.in_dispute", nested="ar_accounts"
    ),
    CatalogueField(
        "promise_broken",
        "Promise to pay broken",
        _S.ACCOUNTS_RECEIVABLE,
        _T.BOOLEAN,
        "ar_accounts.promise_broken_from",
        nested="ar_accounts",
        daily=Daily.REACHED,
    ),
    # Subscriptions
    CatalogueField(
        "subscription_number",
        "Subscription number",
        _S.SUBSCRIPTIONS,
        _T.IDENTIFIER,
        "subscriptions.number",
        nested="subscriptions",
        quick=True,
        flat_path="subscription_numbers",
        slices=True,
    ),
    CatalogueField(
        "subscription_status",
        "Subscription status",
        _S.SUBSCRIPTIONS,
        _T.ENUM,
        "subscriptions.status",
        nested="subscriptions",
        values=_values(SubscriptionStatus),
    ),
    CatalogueField("service", "Service", _S.SUBSCRIPTIONS, _T.TEXT, "subscriptions.services", nested="subscriptions"),
    CatalogueField(
        "installed_item_serial",
        "Installed item serial number",
        _S.SUBSCRIPTIONS,
        _T.IDENTIFIER,
        "subscriptions.serial_numbers",
        nested="subscriptions",
        quick=True,
        flat_path="serial_numbers",
        slices=True,
    ),
    # Communications: references reach the contact too (Oracle: find the customer from a transaction number)
    CatalogueField(
        "reference_number",
        "Reference number",
        _S.COMMUNICATIONS,
        _T.IDENTIFIER,
        "reference_ids",
        quick=True,
        advanced=False,
        slices=True,
    ),
    CatalogueField("keyword", "Keyword", _S.COMMUNICATIONS, _T.KEYWORD, "keywords", index=Index.COMMUNICATIONS),
    CatalogueField(
        "reference_id",
        "Reference ID",
        _S.COMMUNICATIONS,
        _T.IDENTIFIER,
        "references.reference_id",
        nested="references",
        index=Index.COMMUNICATIONS,
    ),
    CatalogueField(
        "reference_qualifier",
        "Reference qualifier",
        _S.COMMUNICATIONS,
        _T.KEYWORD,
        "references.qualifier",
        nested="references",
        index=Index.COMMUNICATIONS,
    ),
    CatalogueField(
        "transaction_reference",
        "Transaction number",
        _S.COMMUNICATIONS,
        _T.IDENTIFIER,
        "references.reference_id",
        nested="references",
        index=Index.COMMUNICATIONS,
        fixed=(("references.qualifier", "transaction"),),
    ),
    CatalogueField(
        "communication_status",
        "Status",
        _S.COMMUNICATIONS,
        _T.ENUM,
        "status",
        index=Index.COMMUNICATIONS,
        values=_values(CommunicationStatus),
    ),
    CatalogueField(
        "action",
        "Action",
        _S.COMMUNICATIONS,
        _T.ENUM,
        "action",
        index=Index.COMMUNICATIONS,
        values=_values(CallAction),
        vocabulary="additional_actions",
    ),
    CatalogueField("topic", "Topic", _S.COMMUNICATIONS, _T.TEXT, "topic", index=Index.COMMUNICATIONS),
    CatalogueField(
        "customer_response",
        "Customer response",
        _S.COMMUNICATIONS,
        _T.TEXT,
        "customer_response",
        index=Index.COMMUNICATIONS,
    ),
    # The collector's call history: the collectors of the contact's accounts, copied onto each communication. The
    # key is the accounts-receivable section's too; a section's criteria are looked up in it (`in_section`).
    CatalogueField("collector", "Collector", _S.COMMUNICATIONS, _T.KEYWORD, "collectors", index=Index.COMMUNICATIONS),
    CatalogueField(
        "direction",
        "Direction",
        _S.COMMUNICATIONS,
        _T.ENUM,
        "direction",
        index=Index.COMMUNICATIONS,
        values=_values(Direction),
    ),
    CatalogueField(
        "channel",
        "Channel",
        _S.COMMUNICATIONS,
        _T.ENUM,
        "channel",
        index=Index.COMMUNICATIONS,
        values=_values(Channel),
    ),
    CatalogueField(
        "interaction_date",
        "Interaction date",
        _S.COMMUNICATIONS,
        _T.DATE,
        "interaction_at",
        index=Index.COMMUNICATIONS,
    ),
    CatalogueField(
        "follow_up_date", "Follow-up date", _S.COMMUNICATIONS, _T.DATE, "follow_up_on", index=Index.COMMUNICATIONS
    ),
)

# The one box ("Any field"): not a value of the index but every quick field of the active definition the value's
# shape fits, a phone, an email, an identifier or a name (`service.search.identify.any_fields`). Outside `FIELDS`,
# which are the index's fields (mappings, `QUICK_SOURCE`); a definition names it like any quick field.
ANY = CatalogueField("any", "Any field", Section.CONTACT, FieldType.ANY, path="", quick=True, advanced=False)
# The types of the quick fields `ANY` is searched on.
ANY_TYPES = frozenset({FieldType.PHONE, FieldType.EMAIL, FieldType.IDENTIFIER, FieldType.TEXT})

# By key, the first field of a key shared by two sections (`collector`) standing for it; a section's own by both.
BY_KEY: dict[str, CatalogueField] = {f.key: f for f in reversed((ANY, *FIELDS))}
BY_SECTION: dict[tuple[Section, str], CatalogueField] = {(f.section, f.key): f for f in FIELDS}

# What every search result shows of a contact besides the values that matched (`service.search.results`).
SUMMARY_PATHS = (
    "contact_id",
    "display_name",
    "kind",
    "business_unit",
    "primary_phone",
    "primary_email",
    "main_account",
    "credit_hold",
)
# All a quick result can show: the summary and the stored value each quick field is highlighted in. The quick
# index keeps nothing else in its `_source`, so a page's hits are read whole instead of filtered by the engine,
# which parses each stored source to filter it (a `%x%` page at 1,000,000 contacts: 1.36 ms against 1.70).
QUICK_SOURCE = tuple(
    sorted(
        {
            *SUMMARY_PATHS,
            *(f.highlight_path for f in FIELDS if f.quick),
            *(f.item_path for f in FIELDS if f.quick and f.item_path),
        }
    )
)

# The order of a page whose hits all match equally, and of ties in relevance: folded name, then contact id. The
# quick index is stored in it (`indexer.mappings.QUICK_INDEX_SORT`), so such a page needs no sorting.
NAME_ORDER = ("display_name_sort", "contact_id")

ADDRESS_SCOPES = ("any", "billing", "subscription")


def get(key: str) -> CatalogueField | None:
    return BY_KEY.get(key)


def in_section(section: Section, key: str) -> CatalogueField | None:
    """The field `key` names in `section`: a key two sections share names a field of each."""
    return BY_SECTION.get((section, key))


def quick_keys() -> tuple[str, ...]:
    """Every field a definition may list for quick search, the one box first."""
    return tuple(f.key for f in (ANY, *FIELDS) if f.quick)


def advanced_keys(section: Section) -> tuple[str, ...]:
    return tuple(f.key for f in FIELDS if f.advanced and f.section is section)


# What each action of a definition lets an agent write through the API (Communication Centre: "only the actions
# that are enabled in the active definition are displayed"). A write path is a field of a contact or communication
# write: a scalar or nested list by name, `ar_accounts.dunning_excluded`, `work_items.<kind>`, a communication by
# `communications`, or a communication carrying a call action by `communications.action.<action>`. Creating a
# contact is `contact`. `retrieve_voucher_secret_code` governs no write (no answer ever returns a secret).
ACTION_FIELDS: dict[str, tuple[str, ...]] = {
    "new_contact_information": ("contact",),
    "update_contact_information": (
        "kind",
        "title",
        "first_name",
        "middle_name",
        "last_name",
        "company_name",
        "id_number",
        "external_id",
        "business_unit",
        "life_cycle_state",
        "category",
        "date_of_birth",
        "preferred_language",
        "addresses",
        "phones",
        "emails",
        "access_tokens",
        "work_items.notification",
        "work_items.lead",
    ),
    "manage_account": ("ar_accounts",),
    "exclude_from_dunning": (
        "ar_accounts.dunning_excluded",
        "communications.action.exclude_from_dunning",
        "communications.action.include_in_dunning",
    ),
    "place_in_dispute": ("communications.action.partial_dispute",),
    "manage_subscription": ("subscriptions",),
    "create_activity": ("work_items.activity",),
    "create_job": ("work_items.job",),
    "create_service_request": ("work_items.service_request",),
    "log_communication": ("communications",),
    "retrieve_voucher_secret_code": (),
}
# The one action governing each write path.
GOVERNING_ACTION: dict[str, str] = {path: action for action, paths in ACTION_FIELDS.items() for path in paths}


def actions_needed(paths: set[str]) -> list[str]:
    """The actions a write touching `paths` needs, in catalogue order; a path no action governs needs none."""
    needed = {GOVERNING_ACTION[p] for p in paths if p in GOVERNING_ACTION}
    return [action for action in ACTION_FIELDS if action in needed]
