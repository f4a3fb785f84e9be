"""Imports a JSONL or CSV file of contacts or communications: streamed, validated line by line, committed in batches.

A batch of lines is validated first (no transaction open meanwhile), then written in one transaction: a batch of
new contacts whose keys collide with nothing in bulk (service.imports.bulk), any other batch with a savepoint per
line, so a line the database refuses rolls back alone and the others of its batch still commit.
Rejected lines are reported with their line number and reason and write nothing; a stored line may carry
warnings (a phone kept as typed since it is no valid number). Records are keyed by their
external ids, so importing the same file again creates no duplicates: changed lines update, the others are kept.

Each batch's transaction also records the file's checkpoint (the line its last record starts on), so a run killed
at any point leaves the checkpoint of exactly what was committed: `resume=True` skips those lines, and since lines
are keyed by external ids, re-importing the few it could not skip is harmless either way.

Line by line, writes go through the ORM session, whose change capture queues each created or updated document in
the outbox; in bulk, the outbox rows are inserted beside the contacts. Either way in the batch's transaction (a
running sync worker, or the next `index sync`/`index rebuild`, indexes them).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from service.db.session import build_sessionmaker
from service.errors import DomainError
from service.imports import repository
from service.imports.bulk import BulkContacts
from service.imports.items import BulkItems
from service.imports.options import BATCH_SIZE, Format, Kind
from service.imports.readers import Line, UnusableFile, infer_format, open_source
from service.imports.records import (
    ARItemRecord,
    CommunicationRecord,
    ContactRecord,
    Invalid,
    Record,
    check_columns,
    describe,
    infer_kind,
    parse,
)
from service.imports.writers import CommunicationWriter, ContactWriter, Rejected, Stored
from service.progress import progress_bar
from service.settings import Settings
from service.types import check_business_unit
from service.writes import field_path


@dataclass(frozen=True, slots=True)
class Rejection:
    line: int
    reason: str


@dataclass(slots=True)
class ImportReport:
    file: str
    kind: str
    format: str
    records: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    warnings: int = 0
    skipped: int = 0
    seconds: float = 0.0


class ImportStopped(RuntimeError):
    """The database failed mid-import; the batches before `line` are committed and a re-run is safe."""

    def __init__(self, line: int, cause: Exception) -> None:
        super().__init__(f"stopped at line {line}: {type(cause).__name__}: {str(cause).splitlines()[0][:300]}")
        self.line = line


def import_file(
    path: Path,
    *,
    settings: Settings,
    engine: Engine,
    kind: Kind | None = None,
    fmt: Format | None = None,
    business_unit: str | None = None,
    batch_size: int = BATCH_SIZE,
    progress: bool = False,
    strict_phones: bool = False,
    resume: bool = False,
    on_reject: Callable[[Rejection], None] = lambda _rejection: None,
    on_warning: Callable[[Rejection], None] = lambda _warning: None,
) -> ImportReport:
    """Raises UnusableFile when nothing of the file can be imported, ImportStopped when the database fails midway.

    `resume` starts after the line of the file's checkpoint, when a previous run left one (a different file at
    the same path is refused); without it, the import starts at line 1 and leaves checkpoints all the same.
    """
    if batch_size < 1:
        raise ValueError("batch size must be at least 1")
    if business_unit is not None:
        business_unit = check_business_unit(business_unit)
    fmt = Format(fmt) if fmt else infer_format(path)
    started = time.perf_counter()
    sessions = build_sessionmaker(engine)
    with path.open("rb") as stream:
        source = open_source(stream, fmt)
        kind = Kind(kind) if kind else infer_kind(source.keys)
        if source.columns is not None:
            check_columns(kind, source.columns)
        report = ImportReport(file=str(path), kind=kind.value, format=fmt.value)
        flat = fmt == Format.CSV
        key, fingerprint = str(path.resolve()), _fingerprint(path, kind)
        after = _resume_after(sessions, key, fingerprint) if resume else 0
        with progress_bar(f"importing {path.name}", path.stat().st_size, enabled=progress, unit="bytes") as advance:
            lines = _after(source.lines, after, report=report, advance=advance)
            for batch in _batches(lines, kind, flat=flat, size=batch_size, advance=advance):
                with sessions() as session:
                    try:
                        _begin(session)
                        outcomes = _write(
                            session,
                            batch,
                            settings=settings,
                            business_unit=business_unit,
                            flat=flat,
                            strict_phones=strict_phones,
                        )
                        repository.save_checkpoint(session, key, fingerprint, batch[-1][0])
                        session.commit()
                    except DBAPIError as exc:
                        raise ImportStopped(batch[0][0], exc) from exc
                for number, outcome in outcomes:
                    report.records += 1
                    if isinstance(outcome, Stored):
                        setattr(report, outcome.outcome.value, getattr(report, outcome.outcome.value) + 1)
                        for loc, message in outcome.warnings:
                            report.warnings += 1
                            on_warning(Rejection(number, describe(loc, message, flat=flat)))
                    else:
                        report.rejected += 1
                        on_reject(Rejection(number, outcome))
    with sessions.begin() as session:
        repository.forget_checkpoint(session, key)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


Parsed = tuple[int, Record | str]
FINGERPRINT_BYTES = 64 * 1024


def _fingerprint(path: Path, kind: Kind) -> str:
    """The file's kind and first 64 KiB: enough to tell another export put at the same path."""
    with path.open("rb") as stream:
        return hashlib.sha256(kind.value.encode() + b"\0" + stream.read(FINGERPRINT_BYTES)).hexdigest()


def _resume_after(sessions: Callable[[], Session], key: str, fingerprint: str) -> int:
    with sessions() as session:
        found = repository.checkpoint(session, key)
    if found is None:
        return 0
    if found.fingerprint != fingerprint:
        raise UnusableFile(
            f"--resume: the checkpoint at line {found.line} is of another file at this path (its start changed); "
            "import it without --resume"
        )
    return found.line


def _after(lines: Iterator[Line], line: int, *, report: ImportReport, advance: Callable[[int], None]) -> Iterator[Line]:
    """The lines after `line`; those up to it, stored by a previous run, are counted as skipped, not parsed."""
    for each in lines:
        if each.number > line:
            yield each
        elif each.fields is not None or each.error is not None:
            report.skipped += 1
            advance(each.size)
        else:
            advance(each.size)


def _batches(
    lines: Iterator[Line], kind: Kind, *, flat: bool, size: int, advance: Callable[[int], None]
) -> Iterator[list[Parsed]]:
    """Up to `size` parsed lines per batch (a rejected line is its reason); blank lines are skipped."""
    batch: list[Parsed] = []
    for line in lines:
        advance(line.size)
        if line.error is not None:
            batch.append((line.number, line.error))
        elif line.fields is not None:
            try:
                batch.append((line.number, parse(kind, line.fields, flat=flat)))
            except Invalid as exc:
                batch.append((line.number, str(exc)))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _begin(session: Session) -> None:
    """On SQLite, take the write lock up front and open a real transaction for the savepoints to nest in.

    pysqlite only emits BEGIN before a data-changing statement, so a SAVEPOINT would otherwise start (and its
    RELEASE end) the transaction itself (https://docs.sqlalchemy.org/en/20/dialects/sqlite.html#serializable-
    isolation-savepoints-transactional-ddl). A deferred transaction that read first also fails at its first
    write when another writer committed meanwhile; IMMEDIATE waits for the lock instead
    (https://www.sqlite.org/lang_transaction.html).
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _write(
    session: Session,
    batch: list[Parsed],
    *,
    settings: Settings,
    business_unit: str | None,
    flat: bool,
    strict_phones: bool,
) -> list[tuple[int, Stored | str]]:
    if all(isinstance(record, ARItemRecord | str) for _, record in batch):
        return BulkItems(session, business_unit=business_unit).write(batch)  # type: ignore[arg-type]
    if all(isinstance(record, ContactRecord | str) for _, record in batch):
        bulk = BulkContacts(session, settings, business_unit=business_unit, strict_phones=strict_phones)
        stored = bulk.write(batch)  # type: ignore[arg-type]
        if stored is not None:
            return [
                (number, _reason(outcome.detail, flat=flat) if isinstance(outcome, DomainError) else outcome)
                for number, outcome in stored
            ]
    contacts = ContactWriter(session, settings, business_unit=business_unit, strict_phones=strict_phones)
    communications = CommunicationWriter(session, business_unit=business_unit)
    outcomes: list[tuple[int, Stored | str]] = []
    for number, record in batch:
        if isinstance(record, str):
            outcomes.append((number, record))
            continue
        try:
            with session.begin_nested():
                if isinstance(record, ContactRecord):
                    outcome: Stored | str = contacts.write(record)
                else:
                    assert isinstance(record, CommunicationRecord)
                    outcome = communications.write(record)
        except Rejected as exc:
            outcome = str(exc)
        except DomainError as exc:
            outcome = _reason(exc.detail, flat=flat)
        if isinstance(outcome, str):
            session.expunge_all()
        outcomes.append((number, outcome))
    return outcomes


def _reason(detail: Any, *, flat: bool) -> str:
    """A service's 422 list (FastAPI's shape) or its 409 message, as one line."""
    if not isinstance(detail, list):
        return str(detail)
    parts = []
    for error in detail:
        loc = tuple(error.get("loc", ())[1:])
        parts.append(describe(loc, str(error.get("msg", "")).removeprefix(f"{field_path(loc)}: "), flat=flat))
    return "; ".join(parts)
