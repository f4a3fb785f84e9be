"""What a lookup or a write leaves in the audit trail; routers fill it in, the middleware writes it after the answer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from service.auth.service import Principal
from service.models.audit import Action, Lookup

STATE_KEY = "audit"
ERROR_KEY = "error_detail"


@dataclass(slots=True)
class LookupRecord:
    """Created once the caller is authenticated, so every answer from then on is audited: a refusal (4xx) or an
    outage (503) as well as a hit list. Requests without a valid token leave no entry (there is no "who")."""

    endpoint: Lookup
    principal: Principal
    action: Action = Action.READ
    criteria: dict[str, Any] = field(default_factory=dict)
    contact_ids: list[int] = field(default_factory=list)
    communication_ids: list[int] = field(default_factory=list)
    total: int | None = None
    changed: list[str] = field(default_factory=list)
    contact_unit: str | None = None

    def asked(self, criteria: Mapping[str, Any]) -> None:
        """Record the question before running it, so a failed search still says what was asked.

        Only what the request model validated belongs here (its JSON-mode dump, no secret): a refused request is
        cut down to a bounded summary when the entry is built (`middleware`)."""
        self.criteria = {key: value for key, value in criteria.items() if value is not None}

    def showed(
        self,
        contact_ids: Iterable[int],
        *,
        total: int | None = None,
        communication_ids: Iterable[int] = (),
        units: Iterable[str] = (),
    ) -> None:
        """What the answer shows; `units` are the business units of those contacts, when the answer names them."""
        self.contact_ids = list(dict.fromkeys(contact_ids))
        self.communication_ids = list(dict.fromkeys(communication_ids))
        self.total = total
        distinct = set(units)
        if len(distinct) == 1:
            self.contact_unit = distinct.pop()

    def about(self, unit: str | None) -> None:
        """The unit of the one contact a read or write concerns, known before the write runs, so a write refused
        after it (409) or a delete still tells which unit's admins may read the entry."""
        self.contact_unit = unit

    def wrote(
        self,
        action: Action,
        *,
        contact_id: int,
        unit: str | None,
        changed: Iterable[str],
        communication_id: int | None = None,
    ) -> None:
        """A write that went through: what it did, to which contact (and communication), which fields it changed
        (names only). The body a create or update answers with shows the record, so it counts as shown too."""
        self.action = action
        self.contact_ids = [contact_id]
        self.communication_ids = [] if communication_id is None else [communication_id]
        self.changed = list(changed)
        self.contact_unit = unit


def open_record(request: Request, endpoint: Lookup, principal: Principal, action: Action = Action.READ) -> LookupRecord:
    """The request's audit record, where the middleware finds it once the answer has gone out."""
    record = LookupRecord(endpoint=endpoint, principal=principal, action=action)
    setattr(request.state, STATE_KEY, record)
    return record
