"""Outbox lag and sync throughput, read from the database so every API process reports the same figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.db.base import utcnow
from service.models import OutboxEntry, SyncPass

THROUGHPUT_PASSES = 10


@dataclass(frozen=True, slots=True)
class OutboxLag:
    """`pending` counts entries still to index (including those waiting out a retry backoff)."""

    pending: int
    oldest_pending_age_s: float | None
    parked: int


@dataclass(frozen=True, slots=True)
class SyncThroughput:
    """Documents per second of work over the latest passes that had entries; idle time does not count."""

    passes: int
    documents: int
    documents_per_second: float | None
    last_pass_at: datetime | None
    last_pass_documents: int | None


def outbox_lag(session: Session) -> OutboxLag:
    pending, oldest = session.execute(
        select(func.count(), func.min(OutboxEntry.created_at)).where(OutboxEntry.parked.is_(False))
    ).one()
    parked = session.scalar(select(func.count()).select_from(OutboxEntry).where(OutboxEntry.parked.is_(True)))
    age = max((utcnow() - oldest).total_seconds(), 0.0) if oldest is not None else None
    return OutboxLag(pending=pending, oldest_pending_age_s=age, parked=parked or 0)


def sync_throughput(session: Session, passes: int = THROUGHPUT_PASSES) -> SyncThroughput:
    latest = session.execute(
        select(SyncPass.finished_at, SyncPass.documents, SyncPass.seconds).order_by(SyncPass.id.desc()).limit(passes)
    ).all()
    if not latest:
        return SyncThroughput(0, 0, None, None, None)
    documents = sum(row.documents for row in latest)
    seconds = sum(row.seconds for row in latest)
    return SyncThroughput(
        passes=len(latest),
        documents=documents,
        documents_per_second=documents / seconds if seconds > 0 else None,
        last_pass_at=latest[0].finished_at,
        last_pass_documents=latest[0].documents,
    )
