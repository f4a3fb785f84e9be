"""ORM tables; importing this package registers every table and the outbox change capture."""

from service.models import change_capture as _change_capture  # noqa: F401  (registers flush events)
from service.models import unit_keys as _unit_keys  # noqa: F401  (registers flush events)
from service.models.ar_account import ARAccount, ARItem, Voucher, Wallet
from service.models.audit import AuditEntry
from service.models.communication import Communication, CommunicationReference
from service.models.contact import AccessToken, Address, Contact, Email, Phone
from service.models.credit_memo import CreditMemoRequest
from service.models.definition import DefinitionActivation, DefinitionRecord, DefinitionVersion
from service.models.import_checkpoint import ImportCheckpoint
from service.models.outbox import OutboxEntry
from service.models.promise import Promise
from service.models.subscription import InstalledItem, Subscription, SubscriptionService
from service.models.sync_pass import SyncPass
from service.models.tombstone import IndexTombstone
from service.models.user import User
from service.models.work_item import WorkItem

__all__ = [
    "ARAccount",
    "ARItem",
    "AccessToken",
    "Address",
    "AuditEntry",
    "Communication",
    "CommunicationReference",
    "Contact",
    "CreditMemoRequest",
    "DefinitionActivation",
    "DefinitionRecord",
    "DefinitionVersion",
    "Email",
    "ImportCheckpoint",
    "IndexTombstone",
    "InstalledItem",
    "OutboxEntry",
    "Phone",
    "Promise",
    "Subscription",
    "SubscriptionService",
    "SyncPass",
    "User",
    "Voucher",
    "Wallet",
    "WorkItem",
]
