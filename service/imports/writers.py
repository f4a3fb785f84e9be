"""Stores one validated line through the write API's own services: created, updated or kept, by external id.

Going through `ContactsService` and `CommunicationsService` applies exactly the rules of the HTTP writes (names
by kind, E.164 phones, hashed secrets, unique keys, the Partial Dispute amount), and their ORM flushes feed the
outbox through the change capture, so imported rows reach the index like any other write. The import acts as
an admin bound to `business_unit` when one is given: lines of another unit are refused rather than moved.

One rule differs from an agent's write, on purpose: a phone that is no valid number is stored as typed, without
E.164 (searchable by its digits), and reported as a warning, unless the import is strict about phones. Legacy
data holds such numbers by the thousand, and refusing the line would lose the customer for one bad number.
Imported communications are past calls: their actions are kept without effects (the accounts and items come from
the receivables feed, not from history replayed).
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from sqlalchemy.orm import Session

from service.auth.service import Principal
from service.communications.schemas import CommunicationUpdate
from service.communications.service import CommunicationsService
from service.contacts.schemas import ContactUpdate
from service.contacts.secrets import VoucherCipher
from service.contacts.service import ContactsService, invalid_phones, phone_region
from service.imports import repository
from service.imports.compare import communication_matches, contact_matches
from service.imports.records import CommunicationRecord, ContactRecord
from service.models.enums import UserRole
from service.settings import Settings
from service.writes import FieldError

IMPORT_USER = "import"


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


class Stored(NamedTuple):
    """What a stored line became, and what of it was kept though not as the API would have it."""

    outcome: Outcome
    warnings: list[FieldError]


class Rejected(Exception):
    """A valid line the database cannot take as it stands (unknown contact, another business unit…)."""


def _principal(name: str, business_unit: str | None) -> Principal:
    return Principal(id=0, name=name, role=UserRole.ADMIN, business_unit=business_unit)


def _outside(business_unit: str, bound: str | None) -> bool:
    return bound is not None and business_unit != bound


def unit_of(record: ContactRecord, bound: str | None) -> str:
    """The unit a contact line is stored in: its own, else the import's; refused outside the import's unit."""
    unit = record.business_unit or bound
    if unit is None:
        raise Rejected("business_unit: required (or import with --business-unit)")
    if _outside(unit, bound):
        raise Rejected(f"business_unit: {unit} is outside this import's business unit {bound}")
    return unit


class ContactWriter:
    def __init__(
        self, session: Session, settings: Settings, *, business_unit: str | None, strict_phones: bool = False
    ) -> None:
        self._session = session
        self._settings = settings
        self._service = ContactsService(session, settings)
        self._cipher = VoucherCipher(settings.voucher_secret_keys)
        self._unit = business_unit
        self._principal = _principal(IMPORT_USER, business_unit)
        self._keep_invalid_phones = not strict_phones

    def write(self, record: ContactRecord) -> Stored:
        outcome = self._write(record)
        warnings = invalid_phones(record.phones, phone_region(record.addresses, self._settings))
        return Stored(outcome, [(loc, f"{why}; stored as typed, without E.164") for loc, why in warnings])

    def _write(self, record: ContactRecord) -> Outcome:
        record = record.model_copy(update={"business_unit": unit_of(record, self._unit)})
        found = repository.contact_by_external_id(self._session, record.external_id, record.business_unit)
        if found is None:
            self._service.create(record, self._principal, keep_invalid_phones=self._keep_invalid_phones)
            return Outcome.CREATED
        contact = self._service.get(found.id, self._principal)
        if contact_matches(contact, record, self._cipher):
            return Outcome.UNCHANGED
        update = ContactUpdate.model_validate({name: getattr(record, name) for name in ContactUpdate.model_fields})
        self._service.update(
            found.id, update, self._principal, expected_version=None, keep_invalid_phones=self._keep_invalid_phones
        )
        return Outcome.UPDATED


class CommunicationWriter:
    def __init__(self, session: Session, *, business_unit: str | None) -> None:
        self._session = session
        self._service = CommunicationsService(session)
        self._unit = business_unit

    def _contact(self, external_id: str) -> repository.ContactKey:
        """The import's unit names the contact with its external id; without one, the id must name one contact."""
        if self._unit is not None:
            found = repository.contact_by_external_id(self._session, external_id, self._unit)
            if found is None:
                raise Rejected(
                    f"contact_external_id: no contact of business unit {self._unit} has the external_id '{external_id}'"
                )
            return found
        candidates = repository.contacts_by_external_id(self._session, external_id)
        if not candidates:
            raise Rejected(f"contact_external_id: no contact has the external_id '{external_id}'")
        if len(candidates) > 1:
            units = ", ".join(c.business_unit for c in candidates)
            raise Rejected(
                f"contact_external_id: '{external_id}' names a contact in each of business units {units}; "
                "import with --business-unit to say which"
            )
        return candidates[0]

    def write(self, record: CommunicationRecord) -> Stored:
        return Stored(self._write(record), [])

    def _write(self, record: CommunicationRecord) -> Outcome:
        contact = self._contact(record.contact_external_id)
        principal = _principal(record.created_by, self._unit)
        found = repository.communication_by_external_id(self._session, record.external_id)
        if found is None:
            self._service.create(record.as_create(contact.id), principal, with_effects=False)
            return Outcome.CREATED
        if found.contact_id != contact.id:
            owner = repository.contact_external_id(self._session, found.contact_id)
            raise Rejected(
                f"contact_external_id: communication '{record.external_id}' belongs to the contact '{owner}'; "
                "a communication does not move to another contact (delete it there first)"
            )
        communication = self._service.get(found.id, principal)
        if communication_matches(communication, record, created_by=record.created_by):
            return Outcome.UNCHANGED
        values = {name: getattr(record, name) for name in CommunicationUpdate.model_fields}
        if values["interaction_at"] is None:
            del values["interaction_at"]
        for name in ("actions",) if values["actions"] is None else ("action", "action_amount"):
            del values[name]
        with self._session.no_autoflush:
            communication.created_by = record.created_by
            self._service.update(
                found.id,
                CommunicationUpdate.model_validate(values),
                principal,
                expected_version=None,
                with_effects=False,
            )
        return Outcome.UPDATED
