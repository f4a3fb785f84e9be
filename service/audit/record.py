"""What a lookup leaves in the audit trail; routers fill it in, the middleware writes it after the answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request

from service.auth.service import Principal
from service.deps import CurrentUser
from service.models.audit import Lookup

STATE_KEY = "audit"
ERROR_KEY = "error_detail"


@dataclass(slots=True)
class LookupRecord:
    """Created once the caller is authenticated, so every answer from then on is audited: a refusal (4xx) or an
    outage (503) as well as a hit list. Requests without a valid token leave no entry (there is no "who")."""

    endpoint: Lookup
    principal: Principal
    criteria: dict[str, Any] = field(default_factory=dict)
    contact_ids: list[int] = field(default_factory=list)
    total: int | None = None

    def asked(self, criteria: Mapping[str, Any]) -> None:
        """Record the question before running it, so a failed search still says what was asked."""
        self.criteria = {key: value for key, value in criteria.items() if value is not None}

    def showed(self, contact_ids: Iterable[int], *, total: int | None = None) -> None:
        self.contact_ids = list(dict.fromkeys(contact_ids))
        self.total = total


def open_record(request: Request, endpoint: Lookup, principal: Principal) -> LookupRecord:
    """The request's audit record, where the middleware finds it once the answer has gone out."""
    record = LookupRecord(endpoint=endpoint, principal=principal)
    setattr(request.state, STATE_KEY, record)
    return record


def audited(endpoint: Lookup) -> Callable[[Request, Principal], Awaitable[LookupRecord]]:
    async def start(request: Request, principal: CurrentUser) -> LookupRecord:
        return open_record(request, endpoint, principal)

    return start


WorklistAudit = Annotated[LookupRecord, Depends(audited(Lookup.FOLLOW_UP_WORKLIST))]
ContextAudit = Annotated[LookupRecord, Depends(audited(Lookup.CONTACT_CONTEXT))]
ContactAudit = Annotated[LookupRecord, Depends(audited(Lookup.CONTACT))]
CommunicationAudit = Annotated[LookupRecord, Depends(audited(Lookup.COMMUNICATION))]
