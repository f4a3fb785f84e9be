"""A ready-to-paste example for a first look: a demo contact's phone, written another way than stored.

The other way is always international, so it reads the same whatever the default phone region is.
"""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models.contact import Contact, Phone


@dataclass(frozen=True, slots=True)
class ExamplePhone:
    display_name: str
    stored: str
    typed_differently: str


def example_phone(session: Session) -> ExamplePhone | None:
    row = session.execute(
        select(Phone.number, Phone.e164, Contact)
        .join(Contact, Contact.id == Phone.contact_id)
        .where(Phone.e164.is_not(None))
        .order_by(Phone.contact_id, Phone.id)
        .limit(1)
    ).first()
    if row is None:
        return None
    number, e164, contact = row
    international = phonenumbers.format_number(
        phonenumbers.parse(e164, None), phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    other = "00" + international[1:] if number.replace(" ", "") == e164 else international
    return ExamplePhone(display_name=contact.display_name, stored=number, typed_differently=other)
