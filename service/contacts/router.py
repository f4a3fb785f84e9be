"""/api/contacts: create, read, patch and delete a contact with its nested children.

Callers bound to a business unit only see that unit's contacts: any other is a 404, never a 403, so whether
it exists does not leak. Writes are optimistic: send the `version` you read as `If-Match: "<version>"`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from search_definitions.schema import Action as DefinitionAction
from service.audit.changes import changed, contact_state
from service.contacts.permissions import shown
from service.contacts.schemas import ContactCreate, ContactRead, ContactUpdate, VoucherSecretRead
from service.contacts.secrets import SecretHasher, WriteSlots
from service.contacts.service import ContactsService
from service.deps import (
    ActiveDefinitionDep,
    ContactAudit,
    ContactCreateAudit,
    ContactDeleteAudit,
    ContactUpdateAudit,
    CurrentUser,
    ExpectedVersion,
    SessionDep,
    SettingsDep,
    VoucherSecretAudit,
)
from service.errors import error_response
from service.models.audit import Action
from service.types import Text32
from service.writes import AUTH_ERRORS, RowId, created, deleted, not_enabled, not_found, stale, tagged

router = APIRouter(prefix="/api/contacts", tags=["contacts"])

NOT_FOUND = not_found("contact")
INVALID = error_response(422, [{"loc": ["body", "phones", 1, "number"], "msg": "phones[1].number: ..."}])
NOT_ENABLED = not_enabled("manage_subscription")
STALE = stale("contact")
DUPLICATE = error_response(409, "ar_accounts[0].number: account number 'AR-1' is already used by another contact")
BUSY = error_response(429, "this token already has 2 contact writes in progress (the limit); retry in 1 s")
STALE_OR_DUPLICATE = error_response(
    409, "contact 7 is at version 4, not 3; reload it | ar_accounts[0].number: ... is already used by another contact"
)


class WriteGuards:
    """Per app: the bounded pool hashing secrets and the per-token slots of concurrent writes (`secrets`)."""

    def __init__(self, hasher: SecretHasher, slots: WriteSlots) -> None:
        self.hasher = hasher
        self.slots = slots


def _guards(request: Request, settings: SettingsDep) -> WriteGuards:
    guards: WriteGuards | None = getattr(request.app.state, "contact_write_guards", None)
    if guards is None:
        guards = WriteGuards(SecretHasher(settings.secret_hash_workers), WriteSlots(settings.contact_writes_per_token))
        request.app.state.contact_write_guards = guards
    return guards


GuardsDep = Annotated[WriteGuards, Depends(_guards)]


def get_service(session: SessionDep, settings: SettingsDep, guards: GuardsDep) -> ContactsService:
    return ContactsService(session, settings, hasher=guards.hasher)


ServiceDep = Annotated[ContactsService, Depends(get_service)]


def write_slot(principal: CurrentUser, guards: GuardsDep) -> Iterator[None]:
    """Held from before the database is touched until the write is committed: a 429 past the token's limit."""
    with guards.slots.hold(principal.id):
        yield


WriteSlot = Depends(write_slot, scope="function")


@router.post(
    "",
    response_model=ContactRead,
    status_code=status.HTTP_201_CREATED,
    responses={**AUTH_ERRORS, **NOT_ENABLED, **DUPLICATE, **INVALID, **BUSY},
    dependencies=[WriteSlot],
)
def create_contact(
    data: ContactCreate,
    principal: CurrentUser,
    service: ServiceDep,
    response: Response,
    definition: ActiveDefinitionDep,
    audit: ContactCreateAudit,
) -> ContactRead:
    """Creates the contact with its children; `business_unit` defaults to the caller's own."""
    contact = service.create(data, principal, definition=definition)
    audit.wrote(
        Action.CREATE, contact_id=contact.id, unit=contact.business_unit, changed=changed(None, contact_state(contact))
    )
    return created(response, router.prefix, contact, shown(contact, principal, definition))


@router.get("/{contact_id}", response_model=ContactRead, responses={**AUTH_ERRORS, **NOT_FOUND})
def read_contact(
    contact_id: RowId,
    principal: CurrentUser,
    service: ServiceDep,
    response: Response,
    audit: ContactAudit,
    definition: ActiveDefinitionDep,
) -> ContactRead:
    """The contact with every child; access-token secrets are never returned, only `has_secret`."""
    audit.asked({"contact_id": contact_id})
    contact = service.get(contact_id, principal)
    audit.showed([contact.id], units=[contact.business_unit])
    return tagged(response, contact, shown(contact, principal, definition))


@router.patch(
    "/{contact_id}",
    response_model=ContactRead,
    responses={**AUTH_ERRORS, **NOT_ENABLED, **NOT_FOUND, **STALE_OR_DUPLICATE, **INVALID, **BUSY},
    dependencies=[WriteSlot],
)
def update_contact(
    contact_id: RowId,
    data: ContactUpdate,
    principal: CurrentUser,
    service: ServiceDep,
    expected: ExpectedVersion,
    response: Response,
    definition: ActiveDefinitionDep,
    audit: ContactUpdateAudit,
) -> ContactRead:
    """Fields left out stay as they are; a nested list, when given, replaces that whole list.

    Accounts and subscriptions are matched by `number` and access tokens by `identifier`, so rows kept in the new
    list keep their ids (and tokens their stored secret unless `secret` is sent); `[]` empties a list.
    """
    audit.asked({"contact_id": contact_id})
    before = service.get(contact_id, principal)
    audit.about(before.business_unit)
    state = contact_state(before)
    contact = service.update(contact_id, data, principal, expected_version=expected, definition=definition)
    audit.wrote(
        Action.UPDATE, contact_id=contact.id, unit=contact.business_unit, changed=changed(state, contact_state(contact))
    )
    return tagged(response, contact, shown(contact, principal, definition))


@router.delete(
    "/{contact_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**AUTH_ERRORS, **error_response(403, "deleting a contact needs the admin role"), **NOT_FOUND, **STALE},
)
def delete_contact(
    contact_id: RowId,
    principal: CurrentUser,
    service: ServiceDep,
    expected: ExpectedVersion,
    audit: ContactDeleteAudit,
) -> Response:
    """Admins only; deletes the contact with its children and communications."""
    audit.asked({"contact_id": contact_id})
    unit = service.get(contact_id, principal).business_unit
    audit.about(unit)
    service.delete(contact_id, principal, expected_version=expected)
    audit.wrote(Action.DELETE, contact_id=contact_id, unit=unit, changed=[])
    return deleted()


@router.post(
    "/{contact_id}/vouchers/{number}/secret",
    response_model=VoucherSecretRead,
    responses={
        **AUTH_ERRORS,
        **not_enabled(DefinitionAction.RETRIEVE_VOUCHER_SECRET_CODE.value),
        **not_found("contact or voucher"),
        **error_response(422, "voucher V-1 is on accounts AR-1, AR-2: name one with ?account="),
        **error_response(503, "voucher secret codes cannot be read: CONTACT_LOOKUP_VOUCHER_SECRET_KEYS is not set"),
    },
)
def retrieve_voucher_secret(
    contact_id: RowId,
    number: Text32,
    principal: CurrentUser,
    service: ServiceDep,
    response: Response,
    definition: ActiveDefinitionDep,
    audit: VoucherSecretAudit,
    account: Annotated[
        Text32 | None, Query(description="The account number, when two accounts hold the voucher.")
    ] = None,
) -> VoucherSecretRead:
    """The Communication Centre's "Retrieve Voucher Secret Code": the plain code, to callers whose active definition
    enables `retrieve_voucher_secret_code` (403 otherwise, admins included). A POST, since each call is a disclosure
    the audit records (who, which contact, account and voucher; never the code), answered with `no-store`."""
    audit.asked({"contact_id": contact_id, "voucher": number, "account": account})
    contact, account_number, voucher = service.voucher_secret(
        contact_id, number, principal, definition, account=account
    )
    audit.about(contact.business_unit)
    audit.asked({"contact_id": contact_id, "voucher": number, "account": account_number})
    secret = service.reveal(voucher)
    audit.showed([contact.id], units=[contact.business_unit])
    response.headers["Cache-Control"] = "no-store"
    return VoucherSecretRead(account_number=account_number, voucher_number=voucher.number, secret=secret)
