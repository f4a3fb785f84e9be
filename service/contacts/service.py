"""Contact rules: business-unit scope, names by kind, E.164 phones, hashed secrets, unique keys, optimistic versions.

The service flushes, never commits (the request dependency does). Every flush goes through the ORM, whose change
capture (service.models.change_capture) writes the outbox rows and bumps the contact's version in the same
transaction, so nothing here touches the outbox.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from search_definitions.schema import Definition
from service.auth.service import Principal
from service.contacts import permissions, repository
from service.contacts.schemas import (
    AccessTokenIn,
    AddressIn,
    ARAccountIn,
    ARItemIn,
    ContactCreate,
    ContactUpdate,
    EmailIn,
    PhoneIn,
    SubscriptionIn,
    VoucherIn,
    WalletIn,
    WorkItemIn,
)
from service.contacts.secrets import (
    SecretHasher,
    SecretHashes,
    VoucherCipher,
    VoucherSecrets,
    length_errors,
    secret_hashes,
    voucher_length_errors,
    voucher_secrets,
)
from service.errors import Conflict, Forbidden, InvalidCriteria, NotFound
from service.models import (
    AccessToken,
    Address,
    ARAccount,
    ARItem,
    Contact,
    Email,
    InstalledItem,
    Phone,
    Subscription,
    SubscriptionService,
    Voucher,
    Wallet,
    WorkItem,
)
from service.phones import to_e164
from service.settings import Settings
from service.writes import FieldError, check_version, flush, invalid, plain

Row = TypeVar("Row")

SCALARS = (
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
)
# (list, key field, column, owner column, what it is) of the natural keys unique within a business unit.
UNIQUE_KEYS = (
    ("ar_accounts", "number", ARAccount.number, ARAccount.contact_id, "account number"),
    ("subscriptions", "number", Subscription.number, Subscription.contact_id, "subscription number"),
    ("access_tokens", "identifier", AccessToken.identifier, AccessToken.contact_id, "access token identifier"),
)


class ContactsService:
    def __init__(self, session: Session, settings: Settings, *, hasher: SecretHasher | None = None) -> None:
        """`hasher` bounds the threads hashing secrets (the API's); without one, hashing runs in the caller's."""
        self._session = session
        self._settings = settings
        self._hasher = hasher
        self._cipher = VoucherCipher(settings.voucher_secret_keys)

    def get(self, contact_id: int, principal: Principal) -> Contact:
        return self._visible(contact_id, principal)

    def create(
        self,
        data: ContactCreate,
        principal: Principal,
        *,
        definition: Definition | None = None,
        keep_invalid_phones: bool = False,
    ) -> Contact:
        """`definition`, the caller's active one, decides which actions an agent may use (`permissions`).
        `keep_invalid_phones` (imports of legacy data) stores a number that is no valid one as typed, without
        E.164, instead of refusing the contact; agents typing a number always get the 422."""
        permissions.require_actions(permissions.create_paths(data), principal, definition)
        unit, errors = _unit_for_create(data.business_unit, principal)
        errors += _name_errors(data.kind, data.first_name, data.last_name, data.company_name)
        region = phone_region(data.addresses, self._settings)
        phones, phone_errors = _phones(data.phones, region)
        errors += ([] if keep_invalid_phones else phone_errors) + _request_errors(data)
        if errors:
            raise invalid(errors)
        self._check_unique(data, unit=unit, contact=None)
        secrets = self._secret_hashes(data.access_tokens, [])
        vouchers = voucher_secrets(data.ar_accounts, self._cipher)
        contact = Contact(**{name: plain(getattr(data, name)) for name in SCALARS if name != "business_unit"})
        contact.business_unit = unit
        contact.phones = phones
        _apply_lists(contact, data, existing=False, secrets=secrets, vouchers=vouchers)
        repository.add(self._session, contact)
        self._flush("the new contact")
        return contact

    def update(
        self,
        contact_id: int,
        data: ContactUpdate,
        principal: Principal,
        *,
        expected_version: int | None,
        definition: Definition | None = None,
        keep_invalid_phones: bool = False,
    ) -> Contact:
        """A field left out stays; a nested list given replaces the whole list (see ContactUpdate)."""
        contact = self._visible(contact_id, principal)
        check_version(contact, expected_version, entity="contact")
        changes = {
            name: plain(value) for name, value in data.model_dump(exclude_unset=True, include=set(SCALARS)).items()
        }
        permissions.require_actions(permissions.update_paths(data, contact, changes), principal, definition)
        errors: list[FieldError] = []
        unit = changes.get("business_unit")
        if unit is not None and principal.business_unit is not None and unit != principal.business_unit:
            errors.append(
                (("business_unit",), f"you can only keep contacts in business unit {principal.business_unit}")
            )
        merged = {n: changes.get(n, getattr(contact, n)) for n in ("kind", "first_name", "last_name", "company_name")}
        errors += _name_errors(merged["kind"], merged["first_name"], merged["last_name"], merged["company_name"])
        phones: list[Phone] | None = None
        if data.phones is not None:
            phones, phone_errors = _phones(data.phones, self._phone_region(contact, data))
            errors += [] if keep_invalid_phones else phone_errors
        errors += _request_errors(data)
        if errors:
            raise invalid(errors)
        self._check_unique(data, unit=unit or contact.business_unit, contact=contact)
        secrets = self._secret_hashes(data.access_tokens, contact.access_tokens)
        vouchers = voucher_secrets(data.ar_accounts, self._cipher)
        for name, value in changes.items():
            setattr(contact, name, value)
        if phones is not None:
            contact.phones = phones
        _apply_lists(contact, data, existing=True, secrets=secrets, vouchers=vouchers)
        self._flush(f"contact {contact.id}")
        return contact

    def voucher_secret(
        self, contact_id: int, number: str, principal: Principal, definition: Definition, *, account: str | None
    ) -> tuple[Contact, str, Voucher]:
        """The voucher whose code the caller may read: the action first (a 403 that says nothing of the data), then
        the contact in the caller's unit and the voucher on it (404), one only (`account` names it when two
        accounts of the contact hold that number: 422 otherwise)."""
        permissions.require_secret_retrieval(principal, definition)
        contact = self._visible(contact_id, principal)
        found = [
            (a.number, v)
            for a in contact.ar_accounts
            if account is None or a.number == account
            for v in a.vouchers
            if v.number == number
        ]
        if not found:
            raise NotFound(
                f"contact {contact_id} has no voucher {number}" + (f" on account {account}" if account else "")
            )
        if len(found) > 1:
            accounts = ", ".join(a for a, _ in found)
            raise InvalidCriteria(f"voucher {number} is on accounts {accounts}: name one with ?account=")
        account_number, voucher = found[0]
        if voucher.secret_encrypted is None:
            raise NotFound(f"voucher {number} has no secret code")
        return contact, account_number, voucher

    def reveal(self, voucher: Voucher) -> str:
        """The plain code (503 naming the setting without a key that opens it)."""
        assert voucher.secret_encrypted is not None
        return self._cipher.decrypt(voucher.secret_encrypted)

    def delete(self, contact_id: int, principal: Principal, *, expected_version: int | None) -> None:
        """Visibility first (another unit's contact is a 404), then the role (403), then the version (409)."""
        contact = self._visible(contact_id, principal, with_communications=True)
        if not principal.is_admin:
            raise Forbidden("deleting a contact needs the admin role")
        check_version(contact, expected_version, entity="contact")
        repository.delete(self._session, contact)
        self._flush(f"contact {contact.id}")

    def _visible(self, contact_id: int, principal: Principal, *, with_communications: bool = False) -> Contact:
        contact = repository.get(
            self._session,
            contact_id,
            business_unit=principal.business_unit,
            with_communications=with_communications,
        )
        if contact is None:
            raise NotFound(f"no contact {contact_id}")
        return contact

    def _phone_region(self, contact: Contact, data: ContactUpdate) -> str:
        addresses: Sequence[AddressIn | Address] = data.addresses if data.addresses is not None else contact.addresses
        return phone_region(addresses, self._settings)

    def _check_unique(self, data: ContactCreate | ContactUpdate, *, unit: str, contact: Contact | None) -> None:
        """Keys are unique within `unit` (the contact's after the write): only that unit's rows answer, so a 409
        ("already used by another contact") never speaks of another unit.

        A contact moving unit takes its stored rows along unless the request replaces them, so those are checked
        against the new unit too. Answers 409 before the flush; a concurrent insert still ends in the
        IntegrityError mapping of `_flush`.
        """
        moving = contact is not None and unit != contact.business_unit
        contact_id = contact.id if contact is not None else None
        for list_name, key, column, owner, label in UNIQUE_KEYS:
            items: Sequence[Any] | None = getattr(data, list_name)
            if items is None and moving:
                items = getattr(contact, list_name)
            if not items:
                continue
            used = repository.values_in_use(
                self._session,
                column,
                owner,
                [getattr(i, key) for i in items],
                business_unit=unit,
                other_than=contact_id,
            )
            for index, item in enumerate(items):
                if getattr(item, key) in used:
                    value = getattr(item, key)
                    raise Conflict(f"{list_name}[{index}].{key}: {label} '{value}' is already used by another contact")
        self._check_items_unique(data, unit=unit, contact=contact, moving=moving)
        external_id = data.external_id if "external_id" in data.model_fields_set or contact is None else None
        if external_id is None and moving:
            external_id = contact.external_id  # type: ignore[union-attr]
        if external_id is not None and repository.values_in_use(
            self._session, Contact.external_id, Contact.id, [external_id], business_unit=unit, other_than=contact_id
        ):
            raise Conflict(f"external_id: '{external_id}' is already used by another contact")

    def _check_items_unique(
        self, data: ContactCreate | ContactUpdate, *, unit: str, contact: Contact | None, moving: bool
    ) -> None:
        """Item numbers are unique within the unit, across every account of every contact: a 409 names the item,
        the account of this request it is on and the account (of this unit) that holds it already."""
        if data.ar_accounts is not None:
            sent = [
                ((index, position), item.number)
                for index, account in enumerate(data.ar_accounts)
                for position, item in enumerate(account.items or [])
            ]
        elif moving and contact is not None:
            sent = [((i, p), item.number) for i, a in enumerate(contact.ar_accounts) for p, item in enumerate(a.items)]
        else:
            return
        used = repository.item_numbers_in_use(
            self._session,
            [number for _, number in sent],
            business_unit=unit,
            other_than=contact.id if contact is not None else None,
        )
        for (index, position), number in sent:
            if number in used:
                raise Conflict(
                    f"ar_accounts[{index}].items[{position}].number: transaction number '{number}' is already used "
                    f"by account {used[number]} of another contact"
                )

    def _secret_hashes(self, tokens: Sequence[AccessTokenIn] | None, stored: Sequence[AccessToken]) -> SecretHashes:
        """The hashes of the secrets sent (`secrets.secret_hashes`), within `max_secrets_per_write`."""
        limit = self._settings.max_secrets_per_write
        return secret_hashes(tokens, stored, limit=limit, hasher=self._hasher)

    def _flush(self, what: str) -> None:
        flush(self._session, what, integrity=_unique_violation)


def creation_errors(data: ContactCreate, region: str, *, keep_invalid_phones: bool) -> list[FieldError]:
    """What `create` refuses before it asks the database, for a caller allowed the unit `data` names (an import
    storing many contacts in one statement checks each line with it)."""
    errors = _name_errors(data.kind, data.first_name, data.last_name, data.company_name)
    errors += [] if keep_invalid_phones else invalid_phones(data.phones, region)
    return errors + _request_errors(data)


def phone_region(addresses: Sequence[AddressIn | Address], settings: Settings) -> str:
    """The region a contact's phones are read in: its first address's country, else the configured default."""
    return addresses[0].country if addresses else settings.default_phone_region


def invalid_phones(phones: Sequence[PhoneIn], region: str) -> list[FieldError]:
    """The numbers of `phones` that are no valid number for `region`, each with where and why."""
    return [
        (("phones", index, "number"), _no_valid_number(phone.number, region))
        for index, phone in enumerate(phones)
        if to_e164(phone.number, region) is None
    ]


def _no_valid_number(number: str, region: str) -> str:
    return f"'{number}' is no valid phone number (region {region})"


def _unit_for_create(requested: str | None, principal: Principal) -> tuple[str | None, list[FieldError]]:
    own = principal.business_unit
    if own is None:
        if requested is None:
            return None, [(("business_unit",), "required: you are bound to no business unit, so name one")]
        return requested, []
    if requested is not None and requested != own:
        return own, [(("business_unit",), f"you can only create contacts in business unit {own}")]
    return own, []


def _name_errors(kind: str, first: str | None, last: str | None, company: str | None) -> list[FieldError]:
    if kind == "person" and not (first or last):
        return [(("last_name",), "a person needs a first_name or a last_name")]
    if kind == "company" and not company:
        return [(("company_name",), "a company needs a company_name")]
    return []


def _phones(phones: Sequence[PhoneIn], region: str) -> tuple[list[Phone], list[FieldError]]:
    rows: list[Phone] = []
    errors: list[FieldError] = []
    for index, phone in enumerate(phones):
        e164 = to_e164(phone.number, region)
        if e164 is None:
            errors.append((("phones", index, "number"), _no_valid_number(phone.number, region)))
        rows.append(Phone(phone_type=phone.type.value, number=phone.number, e164=e164, is_primary=phone.is_primary))
    return rows, errors


def _request_errors(data: ContactCreate | ContactUpdate) -> list[FieldError]:
    """Keys repeated inside the request, two primaries in a list, secrets of the wrong length (never echoed)."""
    errors: list[FieldError] = []
    for list_name, key, *_ in UNIQUE_KEYS:
        seen: set[str] = set()
        for index, item in enumerate(getattr(data, list_name) or []):
            value = getattr(item, key)
            if value in seen:
                errors.append(((list_name, index, key), f"'{value}' appears twice in this request"))
            seen.add(value)
    seen_items: set[str] = set()
    for index, account in enumerate(data.ar_accounts or []):
        for position, item in enumerate(account.items or []):
            if item.number in seen_items:
                errors.append(
                    (
                        ("ar_accounts", index, "items", position, "number"),
                        f"'{item.number}' appears twice in this request",
                    )
                )
            seen_items.add(item.number)
        for list_name in ("wallets", "vouchers"):
            numbers: set[str] = set()
            for position, entry in enumerate(getattr(account, list_name) or []):
                if entry.number in numbers:
                    errors.append(
                        (
                            ("ar_accounts", index, list_name, position, "number"),
                            f"'{entry.number}' appears twice in this account",
                        )
                    )
                numbers.add(entry.number)
    for list_name in ("addresses", "phones", "emails", "ar_accounts"):
        primaries = [i for i, item in enumerate(getattr(data, list_name) or []) if item.is_primary]
        errors += [
            ((list_name, i, "is_primary"), "only one entry of the list can be the primary one") for i in primaries[1:]
        ]
    return errors + length_errors(data.access_tokens) + voucher_length_errors(data.ar_accounts)


def _apply_lists(
    contact: Contact,
    data: ContactCreate | ContactUpdate,
    *,
    existing: bool,
    secrets: SecretHashes,
    vouchers: VoucherSecrets,
) -> None:
    """Replaces each list given; keyed rows (accounts, subscriptions, tokens) are updated in place when kept."""
    if data.addresses is not None:
        contact.addresses = [_address(a) for a in data.addresses]
    if data.emails is not None:
        contact.emails = [_email(e) for e in data.emails]
    if data.work_items is not None:
        contact.work_items = [_work_item(w) for w in data.work_items]
    if data.ar_accounts is not None:
        old = contact.ar_accounts if existing else []
        # Stored items by number, from every account whose items are replaced or that goes: an item sent on
        # another account of the contact moves there (one row, its id kept), never a delete and an insert that
        # would meet on the unit's unique number within one flush.
        sent = {a.number: a for a in data.ar_accounts}
        pool = {
            item.number: item
            for account in old
            if sent.get(account.number) is None or sent[account.number].items is not None
            for item in account.items
        }
        contact.ar_accounts = _merge(
            old, data.ar_accounts, "number", ARAccount, lambda row, a: _set_account(row, a, pool, vouchers)
        )
    if data.subscriptions is not None:
        old = contact.subscriptions if existing else []
        contact.subscriptions = _merge(old, data.subscriptions, "number", Subscription, _set_subscription)
    if data.access_tokens is not None:
        old = contact.access_tokens if existing else []
        contact.access_tokens = _merge(
            old, data.access_tokens, "identifier", AccessToken, lambda row, t: _set_token(row, t, secrets)
        )


def _merge(
    rows: Sequence[Row], items: Sequence[Any], key: str, make: Callable[[], Row], apply: Callable[[Row, Any], None]
) -> list[Row]:
    by_key = {getattr(row, key): row for row in rows}
    merged = []
    for item in items:
        row = by_key.pop(getattr(item, key), None) or make()
        apply(row, item)
        merged.append(row)
    return merged


def _address(a: AddressIn) -> Address:
    return Address(
        address_type=a.type.value,
        street=a.street,
        line2=a.line2,
        city=a.city,
        postcode=a.postcode,
        region=a.region,
        country=a.country,
        is_primary=a.is_primary,
    )


def _email(e: EmailIn) -> Email:
    return Email(email_type=e.type.value, address=e.address, is_primary=e.is_primary)


def _work_item(w: WorkItemIn) -> WorkItem:
    return WorkItem(
        kind=w.kind.value, number=w.number, subject=w.subject, life_cycle_state=w.life_cycle_state, due_on=w.due_on
    )


def _set_account(row: ARAccount, a: ARAccountIn, pool: dict[str, ARItem], vouchers: VoucherSecrets) -> None:
    """Items, wallets and vouchers left out (`None`) stay as stored (the daily feed keeps them); given, they
    replace the account's (wallets and vouchers kept by number)."""
    for name, value in a.model_dump(exclude={"items", "wallets", "vouchers"}).items():
        setattr(row, name, plain(value))
    new = row.id is None
    if new and a.items is None:
        row.items = []
    elif a.items is not None:
        row.items = [_set_item(pool.pop(i.number, None) or ARItem(), i) for i in a.items]
    if a.wallets is not None:
        row.wallets = _merge([] if new else row.wallets, a.wallets, "number", Wallet, _set_wallet)
    elif new:
        row.wallets = []
    if a.vouchers is not None:
        row.vouchers = _merge(
            [] if new else row.vouchers,
            a.vouchers,
            "number",
            Voucher,
            lambda v, x: _set_voucher(v, x, a.number, vouchers),
        )
    elif new:
        row.vouchers = []


def _set_wallet(row: Wallet, w: WalletIn) -> None:
    for name, value in w.model_dump().items():
        if getattr(row, name, None) != value:
            setattr(row, name, plain(value))


def _set_voucher(row: Voucher, v: VoucherIn, account: str, secrets: VoucherSecrets) -> None:
    """A code left out keeps the stored ciphertext; sent, it is the one encrypted beforehand (`voucher_secrets`)."""
    for name, value in v.model_dump(exclude={"secret"}).items():
        if getattr(row, name, None) != plain(value):
            setattr(row, name, plain(value))
    if (account, v.number) in secrets:
        row.secret_encrypted = secrets[(account, v.number)]


def _set_item(row: ARItem, i: ARItemIn) -> ARItem:
    row.item_type = i.type.value
    for name, value in i.model_dump(exclude={"type"}).items():
        if getattr(row, name, None) != value:
            setattr(row, name, plain(value))
    return row


def _set_subscription(row: Subscription, s: SubscriptionIn) -> None:
    for name, value in s.model_dump(exclude={"services", "installed_items"}).items():
        setattr(row, name, plain(value))
    row.services = [SubscriptionService(code=x.code, name=x.name, mandatory=x.mandatory) for x in s.services]
    row.installed_items = [InstalledItem(product=x.product, serial_number=x.serial_number) for x in s.installed_items]


def _set_token(row: AccessToken, t: AccessTokenIn, secrets: SecretHashes) -> None:
    """A secret left out keeps the stored hash (clients never see it, so they cannot send it back); null removes it.

    `secrets` holds the hash of every secret sent, computed beforehand (`ContactsService._secret_hashes`).
    """
    row.token_type = t.type.value
    row.identifier = t.identifier
    row.status = t.status.value
    row.valid_until = t.valid_until
    if "secret" in t.model_fields_set:
        hashed = secrets[t.identifier] if t.secret is not None else None
        if row.secret_hash != hashed:
            row.secret_hash = hashed


def _unique_violation(exc: IntegrityError) -> str:
    """Names the field of a unique constraint hit at flush (a concurrent writer won the race, in the same unit).

    PostgreSQL names the constraint; SQLite lists its columns (`ar_accounts.business_unit, ar_accounts.number`).
    """
    message = str(exc.orig)
    for list_name, key, _column, _owner, label in UNIQUE_KEYS:
        if f"uq_{list_name}_business_unit_{key}" in message or f"{list_name}.{key}" in message:
            return f"{list_name}[].{key}: a {label} of this request is already used by another contact"
    if "uq_ar_items_business_unit_number" in message or "ar_items.number" in message:
        return "ar_accounts[].items[].number: a transaction number of this request is already used by another contact"
    if "uq_contacts_business_unit_external_id" in message or "contacts.external_id" in message:
        return "external_id: already used by another contact"
    return "the change conflicts with data saved meanwhile; reload and retry"
