"""The active definition decides what an agent may write and see of a contact, not only what the console shows.

A write needs every action (`search_definitions.catalogue.ACTION_FIELDS`) governing a field it touches: a 403
naming the missing ones otherwise. A read returns only the sections the definition shows (`context_sections`);
a hidden section is `null` (not shown), never `[]` (none). Admins are not bound by the agent's definition: they
manage the data (imports, corrections) and the definitions themselves, so they write and read everything.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from search_definitions.catalogue import actions_needed
from search_definitions.schema import Action, ContextSection, Definition
from service.auth.service import Principal
from service.contacts.schemas import ContactCreate, ContactRead, ContactUpdate, WorkItemIn
from service.errors import Forbidden
from service.models import Contact, WorkItem

# Which read field each context section stands for; work items are shown by kind.
SECTION_FIELDS = {
    ContextSection.ADDRESSES: "addresses",
    ContextSection.PHONES: "phones",
    ContextSection.EMAILS: "emails",
    ContextSection.ACCOUNTS_RECEIVABLE: "ar_accounts",
    ContextSection.SUBSCRIPTIONS: "subscriptions",
}
WORK_ITEM_SECTIONS = {
    ContextSection.ACTIVITIES: "activity",
    ContextSection.JOBS: "job",
    ContextSection.SERVICE_REQUESTS: "service_request",
    ContextSection.NOTIFICATIONS: "notification",
    ContextSection.LEADS: "lead",
}
_LISTS = ("addresses", "phones", "emails", "access_tokens")


def require_actions(paths: set[str], principal: Principal, definition: Definition | None) -> None:
    if principal.is_admin or definition is None:
        return
    enabled = {action.value for action in definition.actions}
    missing = [action for action in actions_needed(paths) if action not in enabled]
    if missing:
        raise Forbidden(
            f"the active definition '{definition.name}' does not enable the action {', '.join(missing)}, "
            "which this change needs"
        )


def require_secret_retrieval(principal: Principal, definition: Definition) -> None:
    """Reading a voucher's secret code needs `retrieve_voucher_secret_code` in the caller's active definition, for
    admins too: the disclosure of a secret is an action of the Communication Centre, not data management."""
    if Action.RETRIEVE_VOUCHER_SECRET_CODE not in definition.actions:
        raise Forbidden(
            f"the active definition '{definition.name}' does not enable the action "
            f"{Action.RETRIEVE_VOUCHER_SECRET_CODE.value}, which reading a voucher secret code needs"
        )


def create_paths(data: ContactCreate) -> set[str]:
    """A new contact with its contact information; accounts, subscriptions and work items need their own action."""
    paths = {"contact"}
    if data.ar_accounts:
        paths.add("ar_accounts")
    if any(a.dunning_excluded for a in data.ar_accounts):
        paths.add("ar_accounts.dunning_excluded")
    if data.subscriptions:
        paths.add("subscriptions")
    paths |= {f"work_items.{w.kind.value}" for w in data.work_items}
    return paths


def update_paths(data: ContactUpdate, contact: Contact, changes: dict[str, Any]) -> set[str]:
    """The fields a PATCH changes: scalars that differ from the stored value, lists that are sent."""
    paths = {name for name, value in changes.items() if getattr(contact, name) != value}
    paths |= {name for name in _LISTS if getattr(data, name) is not None}
    if data.ar_accounts is not None:
        paths.add("ar_accounts")
        stored = {a.number: a.dunning_excluded for a in contact.ar_accounts}
        if any(a.dunning_excluded != stored.get(a.number, False) for a in data.ar_accounts):
            paths.add("ar_accounts.dunning_excluded")
    if data.subscriptions is not None:
        paths.add("subscriptions")
    if data.work_items is not None:
        paths |= {f"work_items.{kind}" for kind in _changed_kinds(contact.work_items, data.work_items)}
    return paths


def _changed_kinds(stored: Sequence[WorkItem], sent: Sequence[WorkItemIn]) -> set[str]:
    old = Counter((w.kind, w.number, w.subject, w.life_cycle_state, w.due_on) for w in stored)
    new = Counter((w.kind.value, w.number, w.subject, w.life_cycle_state, w.due_on) for w in sent)
    return {key[0] for key in (old - new) + (new - old)}


def communication_paths(action: str | None, *, changed: bool = True) -> set[str]:
    """Logging or changing a communication; one carrying a call action also needs that action's own (disputes)."""
    paths = {"communications"} if changed else set()
    if action is not None:
        paths.add(f"communications.action.{action}")
    return paths


def shown(contact: Contact, principal: Principal, definition: Definition) -> ContactRead:
    """The contact as the caller may see it: the definition's sections for agents, everything for admins."""
    read = ContactRead.model_validate(contact)
    if principal.is_admin:
        return read
    sections = set(definition.context_sections)
    hidden: dict[str, Any] = {name: None for section, name in SECTION_FIELDS.items() if section not in sections}
    kinds = {kind for section, kind in WORK_ITEM_SECTIONS.items() if section in sections}
    hidden["work_items"] = [w for w in read.work_items or [] if w.kind in kinds]
    return read.model_copy(update=hidden)
