"""What one line of an import file may say: the write API's own schemas, keyed by external ids.

A contact line is a `ContactCreate` whose `external_id` is required (it is what makes a second import of the
same file update instead of duplicate). A communication line is a `CommunicationCreate` that names its contact
by the contact's `external_id` instead of a database id, and names its author (`created_by`), since an import
writes on behalf of the agents who logged the conversations in the system of record.

CSV is flat: contact fields plus one phone, email, address and AR account (`phone_number`, `email_address`,
`street`/`city`/`country`…, `account_number`…), each stored as the contact's primary one; a communication's
`keywords` are separated by `|`, its `references` are `qualifier:reference_id` pairs separated by `|`.
Anything richer (several phones, subscriptions, access tokens, work items, an account's items) is JSONL.

An AR-items line (`--kind ar-items`, the daily feed of Receivables) is one item, `ARItemIn`'s fields, naming its
account by `account_number` (and its unit by `business_unit`, else the import's); flat in CSV as in JSONL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import Field, ValidationError, field_validator

from service.communications.schemas import CommunicationCreate
from service.contacts.schemas import ARItemIn, ContactCreate
from service.imports.options import Kind
from service.imports.readers import UnusableFile
from service.types import BusinessUnit, Text32, Text64
from service.writes import field_path


class ContactRecord(ContactCreate):
    external_id: Text64 = Field(description="Id in the system of record; a re-import updates the contact with it.")


class CommunicationRecord(CommunicationCreate):
    contact_id: int | None = Field(None, exclude=True)
    external_id: Text64 = Field(description="Id in the system of record; a re-import updates it.")
    contact_external_id: Text64 = Field(description="The `external_id` of the contact it belongs to.")
    created_by: Text64 = Field(description="User name of the agent who logged it.")

    @field_validator("contact_id")
    @classmethod
    def _named_by_external_id(cls, value: int | None) -> int | None:
        if value is not None:
            raise ValueError("an import names the contact by contact_external_id, not by database id")
        return value

    def as_create(self, contact_id: int) -> CommunicationCreate:
        """The write API's request for this line, once its contact is known."""
        values = {name: getattr(self, name) for name in CommunicationCreate.model_fields if name != "contact_id"}
        return CommunicationCreate.model_validate({**values, "contact_id": contact_id})


class ARItemRecord(ARItemIn):
    account_number: Text32 = Field(description="The number of the AR account the item belongs to.")
    business_unit: BusinessUnit | None = Field(None, description="The account's unit; default: the import's.")


Record = ContactRecord | CommunicationRecord | ARItemRecord
RECORDS: dict[Kind, type[ContactRecord] | type[CommunicationRecord] | type[ARItemRecord]] = {
    Kind.CONTACTS: ContactRecord,
    Kind.COMMUNICATIONS: CommunicationRecord,
    Kind.AR_ITEMS: ARItemRecord,
}

# CSV: one entry of a nested list per row, column -> field of the entry; each is the contact's primary one.
CSV_GROUPS: dict[str, dict[str, str]] = {
    "phones": {"phone_type": "type", "phone_number": "number"},
    "emails": {"email_type": "type", "email_address": "address"},
    "addresses": {
        "address_type": "type",
        "street": "street",
        "line2": "line2",
        "city": "city",
        "postcode": "postcode",
        "region": "region",
        "country": "country",
    },
    "ar_accounts": {
        "account_number": "number",
        "account_name": "name",
        "account_balance": "balance",
        "account_currency": "currency",
        "account_status": "status",
        "credit_hold": "credit_hold",
        "dunning_excluded": "dunning_excluded",
        "collector": "collector",
    },
}


def _is_list(annotation: Any) -> bool:
    return getattr(annotation, "__origin__", None) is list


CONTACT_CSV_SCALARS = tuple(name for name, info in ContactRecord.model_fields.items() if not _is_list(info.annotation))
_COMMUNICATION_KEYS = ("external_id", "contact_external_id", "created_by")
COMMUNICATION_CSV_COLUMNS = _COMMUNICATION_KEYS + tuple(
    name for name in CommunicationRecord.model_fields if name not in {"contact_id", *_COMMUNICATION_KEYS}
)
AR_ITEM_CSV_COLUMNS = ("business_unit", "account_number", *ARItemIn.model_fields)
CSV_COLUMNS: dict[Kind, tuple[str, ...]] = {
    Kind.CONTACTS: CONTACT_CSV_SCALARS + tuple(column for group in CSV_GROUPS.values() for column in group),
    Kind.COMMUNICATIONS: COMMUNICATION_CSV_COLUMNS,
    Kind.AR_ITEMS: AR_ITEM_CSV_COLUMNS,
}
_CSV_COLUMN_OF: dict[tuple[str | int, ...], str] = {
    (list_name, 0, field): column for list_name, group in CSV_GROUPS.items() for column, field in group.items()
}
LIST_SEPARATOR = "|"


class Invalid(ValueError):
    """A line that cannot become a record; the message names every field at fault."""


def infer_kind(keys: Iterable[str]) -> Kind:
    """A file whose records (or CSV header) name `contact_external_id` holds communications; one naming an
    `account_number` but no `external_id` (which every contact line has), AR items; otherwise contacts."""
    named = set(keys)
    if "contact_external_id" in named:
        return Kind.COMMUNICATIONS
    if "account_number" in named and "external_id" not in named:
        return Kind.AR_ITEMS
    return Kind.CONTACTS


def check_columns(kind: Kind, columns: Sequence[str]) -> None:
    unknown = [c for c in columns if c not in CSV_COLUMNS[kind]]
    if unknown:
        raise UnusableFile(
            f"line 1: unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
            f"a {kind} CSV has: {', '.join(CSV_COLUMNS[kind])}"
        )


def parse(kind: Kind, fields: Mapping[str, Any], *, flat: bool) -> Record:
    """Validates one line with the write API's schema; `flat` fields come from a CSV row."""
    rows = {Kind.CONTACTS: _from_contact_row, Kind.COMMUNICATIONS: _from_communication_row, Kind.AR_ITEMS: _cells}
    values = rows[kind](fields) if flat else fields
    try:
        return RECORDS[kind].model_validate(values)
    except ValidationError as exc:
        raise Invalid(
            "; ".join(describe(tuple(error["loc"]), _wording(error), flat=flat) for error in exc.errors())
        ) from None


def describe(loc: tuple[str | int, ...], message: str, *, flat: bool) -> str:
    """`phones[0].number: …` for JSONL; the CSV column (`phone_number: …`) for a CSV row."""
    where = _CSV_COLUMN_OF.get(loc, field_path(loc)) if flat else field_path(loc)
    return f"{where}: {message}" if where else message


def _wording(error: Mapping[str, Any]) -> str:
    if error["type"] == "missing":
        return "required"
    if error["type"] == "extra_forbidden":
        return "unknown field"
    return str(error["msg"]).removeprefix("Value error, ")


def _cells(row: Mapping[str, Any]) -> dict[str, str]:
    """Non-empty cells only: an empty cell means the field is not given."""
    return {column: value.strip() for column, value in row.items() if isinstance(value, str) and value.strip()}


def _from_contact_row(row: Mapping[str, Any]) -> dict[str, Any]:
    cells = _cells(row)
    values: dict[str, Any] = {name: cells[name] for name in CONTACT_CSV_SCALARS if name in cells}
    for list_name, group in CSV_GROUPS.items():
        entry = {field: cells[column] for column, field in group.items() if column in cells}
        if entry:
            values[list_name] = [{**entry, "is_primary": True}]
    return values


def _from_communication_row(row: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = _cells(row)
    if "keywords" in values:
        values["keywords"] = [k.strip() for k in values["keywords"].split(LIST_SEPARATOR) if k.strip()]
    if "references" in values:
        references = []
        for pair in (p.strip() for p in values["references"].split(LIST_SEPARATOR) if p.strip()):
            qualifier, separator, reference_id = pair.partition(":")
            if not separator:
                raise Invalid(f"references: '{pair}' is not qualifier:reference_id (e.g. invoice:INV-2025-004211)")
            references.append({"qualifier": qualifier.strip(), "reference_id": reference_id.strip()})
        values["references"] = references
    return values
