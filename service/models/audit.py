"""The audit trail: who searched what, which contacts and communications each answer showed, and every write."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, SmallInteger, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, UTCDateTime, utcnow


class Lookup(StrEnum):
    """The endpoints that show contact data; each of their calls leaves one audit entry."""

    QUICK_SEARCH = "quick_search"
    ADVANCED_SEARCH = "advanced_search"
    COMMUNICATIONS_SEARCH = "communications_search"
    RECENT_COMMUNICATIONS = "recent_communications"
    FOLLOW_UP_WORKLIST = "follow_up_worklist"
    CONTACT_CONTEXT = "contact_context"
    CONTACT = "contact"
    COMMUNICATION = "communication"
    CALLER_LOOKUP = "caller_lookup"
    SIMILAR_CONTACTS = "similar_contacts"
    SEARCH_SUGGEST = "search_suggest"
    VOUCHER_SECRET = "voucher_secret"
    COMMUNICATION_ALERTS = "communication_alerts"


class Action(StrEnum):
    """What the entry records: a read (every lookup, and the body a write answers with counts as one too), or a
    write of the contact or communication it names."""

    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class Outcome(StrEnum):
    OK = "ok"
    REJECTED = "rejected"
    UNAVAILABLE = "unavailable"
    FAILED = "failed"

    @classmethod
    def of(cls, status_code: int) -> Outcome:
        if status_code < 400:
            return cls.OK
        if status_code == 503:
            return cls.UNAVAILABLE
        return cls.REJECTED if status_code < 500 else cls.FAILED


class AuditEntry(Base):
    """Written once, after the answer, and never updated.

    `criteria` is what the caller asked, as validated (field, operator and value, or the advanced criteria; never a
    secret: none is searchable), or a bounded summary of a refused request. `contact_ids` and `communication_ids`
    are what the answer showed or the write touched, so "who saw contact 42" is one containment query (a GIN index
    on PostgreSQL). `changed` names the fields a write changed, never their values (a secret is named, as
    `access_tokens.secret`, and that is all). `business_unit` is the caller's unit, `contact_unit` the one unit of
    every contact the entry is about (null when none or several): together they decide which unit-bound admin
    reads the entry. No foreign keys: the trail outlives users and contacts.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: Mapped[int] = mapped_column(Integer)
    user_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    business_unit: Mapped[str | None] = mapped_column(String(20))
    endpoint: Mapped[str] = mapped_column(String(32))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(300))
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    contact_ids: Mapped[list[int]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"), default=list)
    action: Mapped[str] = mapped_column(String(16), default=Action.READ.value, server_default=Action.READ.value)
    communication_ids: Mapped[list[int]] = mapped_column(
        JSON().with_variant(JSONB(), "postgresql"), default=list, server_default=text("'[]'")
    )
    changed: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    contact_unit: Mapped[str | None] = mapped_column(String(20))
    total: Mapped[int | None] = mapped_column(BigInteger)
    status_code: Mapped[int] = mapped_column(SmallInteger)
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(String(300))
    duration_ms: Mapped[int] = mapped_column(Integer)
    request_id: Mapped[str | None] = mapped_column(String(128), index=True)

    __table_args__ = (
        Index("ix_audit_log_user_name_id", "user_name", "id"),
        Index("ix_audit_log_endpoint_id", "endpoint", "id"),
        Index("ix_audit_log_contact_ids", "contact_ids", postgresql_using="gin").ddl_if(dialect="postgresql"),
        Index("ix_audit_log_communication_ids", "communication_ids", postgresql_using="gin").ddl_if(
            dialect="postgresql"
        ),
        Index("ix_audit_log_business_unit_id", "business_unit", "id"),
        Index("ix_audit_log_contact_unit_id", "contact_unit", "id"),
        Index("ix_audit_log_action_id", "action", "id"),
    )
