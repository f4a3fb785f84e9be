"""One call assembles the contact context from the source of truth, shaped by the active definition."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from search_definitions.schema import ContextSection, Definition
from service.auth.service import Principal
from service.communications.schemas import CommunicationRead
from service.contacts import repository as contacts
from service.contacts.schemas import (
    AddressRead,
    ARAccountRead,
    EmailRead,
    SubscriptionRead,
    WorkItemRead,
)
from service.context.financials import financials
from service.context.schemas import ContactContext, ContactInformation, ContextPhone, Grouped
from service.errors import NotFound
from service.models import Communication
from service.models.enums import WorkItemKind, is_completed

DEFAULT_LATEST = 20
GROUPED = {
    ContextSection.ACTIVITIES: WorkItemKind.ACTIVITY,
    ContextSection.JOBS: WorkItemKind.JOB,
    ContextSection.SERVICE_REQUESTS: WorkItemKind.SERVICE_REQUEST,
    ContextSection.NOTIFICATIONS: WorkItemKind.NOTIFICATION,
    ContextSection.LEADS: WorkItemKind.LEAD,
}


def latest_communications(session: Session, contact_id: int, limit: int) -> list[Communication]:
    statement = (
        select(Communication)
        .where(Communication.contact_id == contact_id)
        .order_by(Communication.created_at.desc(), Communication.id.desc())
        .limit(limit)
        .options(selectinload(Communication.references))
    )
    return list(session.scalars(statement))


def contact_context(
    session: Session, contact_id: int, *, principal: Principal, definition: Definition, today: date
) -> ContactContext:
    """A contact outside the caller's business unit is a 404, exactly like one that does not exist. `today` dates
    the financials (days past due, aging)."""
    contact = contacts.get(session, contact_id, business_unit=principal.business_unit)
    if contact is None:
        raise NotFound(f"no contact {contact_id}")
    shown = definition.context_sections
    context = ContactContext(
        contact=ContactInformation.model_validate(contact, from_attributes=True),
        credit_hold=any(account.credit_hold for account in contact.ar_accounts),
        sections=[section.value for section in shown],
        actions=[action.value for action in definition.actions],
    )
    simple = {
        ContextSection.ADDRESSES: ("addresses", AddressRead, contact.addresses),
        ContextSection.PHONES: ("phones", ContextPhone, contact.phones),
        ContextSection.EMAILS: ("emails", EmailRead, contact.emails),
        ContextSection.ACCOUNTS_RECEIVABLE: ("accounts_receivable", ARAccountRead, contact.ar_accounts),
        ContextSection.SUBSCRIPTIONS: ("subscriptions", SubscriptionRead, contact.subscriptions),
    }
    for section in shown:
        if section in simple:
            name, schema, rows = simple[section]
            setattr(context, name, [schema.model_validate(row) for row in rows])
        elif section in GROUPED:
            kind = GROUPED[section]
            items = [item for item in contact.work_items if item.kind == kind]
            setattr(
                context,
                section.value,
                Grouped(
                    non_completed=[
                        WorkItemRead.model_validate(i) for i in items if not is_completed(kind, i.life_cycle_state)
                    ],
                    completed=[WorkItemRead.model_validate(i) for i in items if is_completed(kind, i.life_cycle_state)],
                ),
            )
        elif section is ContextSection.FINANCIALS:
            context.financials = financials(contact.ar_accounts, today=today)
        elif section is ContextSection.COMMUNICATIONS:
            limit = definition.recent_communications_limit or DEFAULT_LATEST
            context.communications = [
                CommunicationRead.model_validate(c) for c in latest_communications(session, contact.id, limit)
            ]
    return context
