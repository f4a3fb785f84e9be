"""Closed vocabularies of the domain, taken from the seed manuals; stored as plain strings."""

from __future__ import annotations

from enum import StrEnum


class ContactKind(StrEnum):
    PERSON = "person"
    COMPANY = "company"


class ContactState(StrEnum):
    PROSPECT = "prospect"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CLOSED = "closed"


class AddressType(StrEnum):
    BILLING = "billing"
    SUBSCRIPTION = "subscription"
    OTHER = "other"


class PhoneType(StrEnum):
    MOBILE = "mobile"
    LANDLINE = "landline"
    WORK = "work"
    FAX = "fax"


class EmailType(StrEnum):
    PERSONAL = "personal"
    WORK = "work"
    BILLING = "billing"


class AccessTokenType(StrEnum):
    CARD = "card"
    SMART_CARD = "smart_card"
    PIN = "pin"
    SECRET_CODE = "secret_code"


class AccessTokenStatus(StrEnum):
    ACTIVE = "active"
    BLOCKED = "blocked"
    EXPIRED = "expired"


class AccountStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


class ARItemType(StrEnum):
    """Oracle Receivables' transaction classes, payments among them: any of them finds its customer."""

    INVOICE = "invoice"
    DEBIT_MEMO = "debit_memo"
    CREDIT_MEMO = "credit_memo"
    CHARGEBACK = "chargeback"
    PAYMENT = "payment"


# What a customer owes on: Receivables ages invoices, debit memos and chargebacks (they have a due date); credit
# memos and payments reduce what is owed but are never past due themselves.
AR_DEBIT_TYPES = frozenset({ARItemType.INVOICE, ARItemType.DEBIT_MEMO, ARItemType.CHARGEBACK})


class ARItemStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    IN_DISPUTE = "in_dispute"


class PromiseState(StrEnum):
    """A promise to pay on a given day (`service.receivables.promise_state`)."""

    PENDING = "pending"
    KEPT = "kept"
    BROKEN = "broken"


class VoucherStatus(StrEnum):
    """A voucher's life cycle (CRM.COM): the Financials section lists the used ones."""

    ISSUED = "issued"
    USED = "used"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class SubscriptionStatus(StrEnum):
    DRAFT = "draft"
    EFFECTIVE = "effective"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"


class Direction(StrEnum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"


class Channel(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    PORTAL = "portal"
    LETTER = "letter"


class CommunicationStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


class CallAction(StrEnum):
    """Oracle Receivables call actions."""

    ALERT = "alert"
    CALL = "call"
    COLLECTION_ACTION = "collection_action"
    COLLECTION_FOLLOW_UP = "collection_follow_up"
    CREDIT_MEMO = "credit_memo"
    EXCLUDE_FROM_DUNNING = "exclude_from_dunning"
    INCLUDE_IN_DUNNING = "include_in_dunning"
    PARTIAL_DISPUTE = "partial_dispute"
    PROMISE_TO_PAY = "promise_to_pay"


class WorkItemKind(StrEnum):
    ACTIVITY = "activity"
    JOB = "job"
    SERVICE_REQUEST = "service_request"
    NOTIFICATION = "notification"
    LEAD = "lead"


class UserRole(StrEnum):
    AGENT = "agent"
    ADMIN = "admin"


# CRM.COM Communication Centre: which life-cycle states count as "Non Completed" and "Completed".
LIFE_CYCLE_GROUPS: dict[WorkItemKind, tuple[tuple[str, ...], tuple[str, ...]]] = {
    WorkItemKind.JOB: (("draft", "pending", "in_progress"), ("completed", "cancelled")),
    WorkItemKind.SERVICE_REQUEST: (
        ("draft", "pending", "responded", "temporarily_resolved", "final_resolved"),
        ("completed", "cancelled"),
    ),
    WorkItemKind.ACTIVITY: (("pending", "in_progress"), ("completed", "cancelled")),
    WorkItemKind.NOTIFICATION: (("pending",), ("completed", "rejected", "completed_and_removed")),
    WorkItemKind.LEAD: (("pending", "in_progress"), ("lost", "won")),
}


def is_completed(kind: WorkItemKind, state: str) -> bool:
    return state in LIFE_CYCLE_GROUPS[kind][1]
