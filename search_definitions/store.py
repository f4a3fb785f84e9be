"""Versioned store of definitions in the database.

Every save appends a version (with author and time); a rollback appends a copy of an earlier version, so
history only grows. Activation is per scope: a definition with business units is active for those units,
one without is active for everyone; each scope has exactly one active definition (the scope is the key).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from search_definitions.schema import Definition
from service.db.base import utcnow
from service.models.definition import GLOBAL_SCOPE, DefinitionActivation, DefinitionRecord, DefinitionVersion


class DefinitionNotFound(LookupError):
    pass


class DefinitionConflict(Exception):
    pass


@dataclass(frozen=True, slots=True)
class StoredDefinition:
    id: int
    version: int
    definition: Definition
    author: str
    updated_at: datetime
    active_scopes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VersionInfo:
    version: int
    author: str
    created_at: datetime
    note: str | None
    definition: Definition


@dataclass(frozen=True, slots=True)
class ActiveSnapshot:
    """What is active in each scope; `stamp` changes whenever any of it does."""

    stamp: str
    by_scope: dict[str, Definition]

    def for_business_unit(self, business_unit: str | None) -> Definition | None:
        if business_unit and business_unit in self.by_scope:
            return self.by_scope[business_unit]
        return self.by_scope.get(GLOBAL_SCOPE)


def scopes_of(definition: Definition) -> tuple[str, ...]:
    return definition.business_units or (GLOBAL_SCOPE,)


def create(session: Session, definition: Definition, *, author: str, note: str | None = None) -> StoredDefinition:
    _ensure_name_free(session, definition.name, except_id=None)
    record = DefinitionRecord(name=definition.name, current_version=1)
    session.add(record)
    session.flush()
    session.add(_version_row(record.id, 1, definition, author, note))
    session.flush()
    return get(session, record.id)


def update(
    session: Session, definition_id: int, definition: Definition, *, author: str, expected_version: int | None = None
) -> StoredDefinition:
    record = _record(session, definition_id)
    if expected_version is not None and expected_version != record.current_version:
        raise DefinitionConflict(
            f"definition {definition_id} is at version {record.current_version}, not {expected_version}; reload it"
        )
    active = _active_scopes(session, definition_id)
    if active and set(scopes_of(definition)) != set(active):
        raise DefinitionConflict("business_units of an active definition cannot change; activate another one first")
    _ensure_name_free(session, definition.name, except_id=definition_id)
    return _append(session, record, definition, author, note=None)


def rollback(session: Session, definition_id: int, version: int, *, author: str) -> StoredDefinition:
    record = _record(session, definition_id)
    row = session.scalar(
        select(DefinitionVersion).where(
            DefinitionVersion.definition_id == definition_id, DefinitionVersion.version == version
        )
    )
    if row is None:
        raise DefinitionNotFound(f"definition {definition_id} has no version {version}")
    definition = Definition.model_validate(row.body)
    active = _active_scopes(session, definition_id)
    if active and set(scopes_of(definition)) != set(active):
        raise DefinitionConflict("that version applies to other business units than the active one")
    _ensure_name_free(session, definition.name, except_id=definition_id)
    return _append(session, record, definition, author, note=f"rollback to version {version}")


def delete_definition(session: Session, definition_id: int) -> None:
    _record(session, definition_id)
    active = _active_scopes(session, definition_id)
    if active:
        where = ", ".join(scope or "everyone" for scope in active)
        raise DefinitionConflict(f"definition {definition_id} is active ({where}); activate another one first")
    session.execute(delete(DefinitionVersion).where(DefinitionVersion.definition_id == definition_id))
    session.execute(delete(DefinitionRecord).where(DefinitionRecord.id == definition_id))
    session.flush()


def activate(session: Session, definition_id: int, *, author: str) -> StoredDefinition:
    stored = get(session, definition_id)
    for scope in scopes_of(stored.definition):
        activation = session.get(DefinitionActivation, scope)
        if activation is None:
            session.add(DefinitionActivation(scope=scope, definition_id=definition_id, activated_by=author))
        else:
            activation.definition_id = definition_id
            activation.activated_by = author
            activation.activated_at = utcnow()
    session.flush()
    return get(session, definition_id)


def deactivate(session: Session, definition_id: int) -> StoredDefinition:
    """Its scopes fall back: a unit's to the definition for everyone, everyone's to the shipped default."""
    _record(session, definition_id)
    session.execute(delete(DefinitionActivation).where(DefinitionActivation.definition_id == definition_id))
    session.flush()
    return get(session, definition_id)


def get(session: Session, definition_id: int) -> StoredDefinition:
    record = _record(session, definition_id)
    row = _current_row(session, record)
    return StoredDefinition(
        id=record.id,
        version=record.current_version,
        definition=Definition.model_validate(row.body),
        author=row.author,
        updated_at=row.created_at,
        active_scopes=_active_scopes(session, definition_id),
    )


def list_all(session: Session) -> list[StoredDefinition]:
    ids = session.scalars(select(DefinitionRecord.id).order_by(DefinitionRecord.id)).all()
    return [get(session, definition_id) for definition_id in ids]


def history(session: Session, definition_id: int) -> list[VersionInfo]:
    _record(session, definition_id)
    rows = session.scalars(
        select(DefinitionVersion)
        .where(DefinitionVersion.definition_id == definition_id)
        .order_by(DefinitionVersion.version.desc())
    ).all()
    return [
        VersionInfo(
            version=r.version,
            author=r.author,
            created_at=r.created_at,
            note=r.note,
            definition=Definition.model_validate(r.body),
        )
        for r in rows
    ]


def find_by_name(session: Session, name: str) -> StoredDefinition | None:
    definition_id = session.scalar(select(DefinitionRecord.id).where(DefinitionRecord.name == name))
    return None if definition_id is None else get(session, definition_id)


def active_stamp(session: Session) -> str:
    """One cheap query: which definition, at which version, is active in each scope."""
    rows = session.execute(
        select(DefinitionActivation.scope, DefinitionRecord.id, DefinitionRecord.current_version)
        .join(DefinitionRecord, DefinitionRecord.id == DefinitionActivation.definition_id)
        .order_by(DefinitionActivation.scope)
    ).all()
    return ";".join(f"{scope}={definition_id}@{version}" for scope, definition_id, version in rows)


def active_snapshot(session: Session) -> ActiveSnapshot:
    rows = session.execute(
        select(DefinitionActivation.scope, DefinitionVersion.body)
        .join(DefinitionRecord, DefinitionRecord.id == DefinitionActivation.definition_id)
        .join(
            DefinitionVersion,
            (DefinitionVersion.definition_id == DefinitionRecord.id)
            & (DefinitionVersion.version == DefinitionRecord.current_version),
        )
    ).all()
    by_scope = {scope: Definition.model_validate(body) for scope, body in rows}
    return ActiveSnapshot(stamp=active_stamp(session), by_scope=by_scope)


def _append(
    session: Session, record: DefinitionRecord, definition: Definition, author: str, *, note: str | None
) -> StoredDefinition:
    record.current_version += 1
    record.name = definition.name
    session.add(_version_row(record.id, record.current_version, definition, author, note))
    session.flush()
    return get(session, record.id)


def _version_row(
    definition_id: int, version: int, definition: Definition, author: str, note: str | None
) -> DefinitionVersion:
    return DefinitionVersion(
        definition_id=definition_id,
        version=version,
        body=definition.model_dump(mode="json"),
        author=author,
        note=note,
    )


def _record(session: Session, definition_id: int) -> DefinitionRecord:
    record = session.get(DefinitionRecord, definition_id)
    if record is None:
        raise DefinitionNotFound(f"no definition {definition_id}")
    return record


def _current_row(session: Session, record: DefinitionRecord) -> DefinitionVersion:
    row = session.scalar(
        select(DefinitionVersion).where(
            DefinitionVersion.definition_id == record.id, DefinitionVersion.version == record.current_version
        )
    )
    assert row is not None, "every definition has its current version"
    return row


def _active_scopes(session: Session, definition_id: int) -> tuple[str, ...]:
    return tuple(
        session.scalars(
            select(DefinitionActivation.scope)
            .where(DefinitionActivation.definition_id == definition_id)
            .order_by(DefinitionActivation.scope)
        ).all()
    )


def _ensure_name_free(session: Session, name: str, *, except_id: int | None) -> None:
    existing = session.scalar(select(DefinitionRecord.id).where(DefinitionRecord.name == name))
    if existing is not None and existing != except_id:
        raise DefinitionConflict(f"a definition named '{name}' already exists (id {existing})")
