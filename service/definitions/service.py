"""Admin operations on definitions: store errors become HTTP-shaped domain errors; activation is seen at once.

An admin bound to a business unit manages only definitions scoped to exactly that unit: what they save, activate,
deactivate, roll back or delete can change what that unit's agents see and nobody else's. A definition for
everyone (no unit) or for other units needs an admin bound to no unit. Such an admin still reads the definitions
that can apply to their agents (their unit's and the one for everyone, which their agents get when their unit has
none), not those of other units.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import get_args

from sqlalchemy.orm import Session

from search_definitions import catalogue, store
from search_definitions.active import ActiveDefinition
from search_definitions.catalogue import Section
from search_definitions.schema import (
    ADVANCED_SECTIONS,
    MAX_RECENT_LIMIT,
    Action,
    AddressScope,
    ContextSection,
    Definition,
)
from search_definitions.store import DefinitionConflict, DefinitionNotFound, StoredDefinition, VersionInfo
from service.definitions.schemas import (
    ActiveDefinitionRead,
    CatalogueRead,
    DefinitionRead,
    FieldRead,
    VersionRead,
)
from service.errors import Conflict, Forbidden, NotFound


def _read(stored: StoredDefinition) -> DefinitionRead:
    return DefinitionRead(
        id=stored.id,
        version=stored.version,
        author=stored.author,
        updated_at=stored.updated_at,
        active_for=[scope or "*" for scope in stored.active_scopes],
        definition=stored.definition,
    )


def _version(info: VersionInfo) -> VersionRead:
    return VersionRead(
        version=info.version, author=info.author, created_at=info.created_at, note=info.note, definition=info.definition
    )


class DefinitionsService:
    def __init__(self, session: Session, active: ActiveDefinition, *, admin_unit: str | None = None) -> None:
        self._session = session
        self._active = active
        self._unit = admin_unit.upper() if admin_unit else None

    def list(self) -> list[DefinitionRead]:
        return [_read(s) for s in store.list_all(self._session) if self._readable(s.definition)]

    def get(self, definition_id: int) -> DefinitionRead:
        return _read(self._stored(definition_id, manage=False))

    def create(self, definition: Definition, *, author: str) -> DefinitionRead:
        self._check_manages(definition, subject="the definition sent is")
        with _mapped_errors():
            return _read(store.create(self._session, definition, author=author))

    def update(
        self, definition_id: int, definition: Definition, *, author: str, expected_version: int | None
    ) -> DefinitionRead:
        self._stored(definition_id, manage=True)
        self._check_manages(definition, subject="the definition sent is")
        with _mapped_errors():
            stored = store.update(
                self._session, definition_id, definition, author=author, expected_version=expected_version
            )
        return self._changed(stored)

    def rollback(self, definition_id: int, version: int, *, author: str) -> DefinitionRead:
        self._stored(definition_id, manage=True)
        if self._unit is not None:
            with _mapped_errors():
                target = next((v for v in store.history(self._session, definition_id) if v.version == version), None)
            if target is not None:
                self._check_manages(target.definition, subject=f"version {version} of definition {definition_id} is")
        with _mapped_errors():
            stored = store.rollback(self._session, definition_id, version, author=author)
        return self._changed(stored)

    def delete(self, definition_id: int) -> None:
        self._stored(definition_id, manage=True)
        with _mapped_errors():
            store.delete_definition(self._session, definition_id)

    def activate(self, definition_id: int, *, author: str) -> DefinitionRead:
        self._stored(definition_id, manage=True)
        with _mapped_errors():
            stored = store.activate(self._session, definition_id, author=author)
        return self._changed(stored, force=True)

    def deactivate(self, definition_id: int) -> DefinitionRead:
        self._stored(definition_id, manage=True)
        with _mapped_errors():
            stored = store.deactivate(self._session, definition_id)
        return self._changed(stored, force=True)

    def history(self, definition_id: int) -> list[VersionRead]:
        self._stored(definition_id, manage=False)
        with _mapped_errors():
            return [_version(v) for v in store.history(self._session, definition_id)]

    def _stored(self, definition_id: int, *, manage: bool) -> StoredDefinition:
        """The stored definition, when this admin may read it (or, with `manage`, change it); else a 403."""
        with _mapped_errors():
            stored = store.get(self._session, definition_id)
        if manage:
            self._check_manages(stored.definition, subject=f"definition {definition_id} is")
        elif not self._readable(stored.definition):
            raise Forbidden(
                f"definition {definition_id} is for {', '.join(stored.definition.business_units)}; "
                f"an admin bound to {self._unit} reads only the definitions of {self._unit} and the one for everyone"
            )
        return stored

    def _readable(self, definition: Definition) -> bool:
        units = definition.business_units
        return self._unit is None or not units or self._unit in units

    def _check_manages(self, definition: Definition, *, subject: str) -> None:
        """403 unless every scope the definition applies to is this admin's unit (bound to none: any scope)."""
        if self._unit is None:
            return
        units = definition.business_units
        if not units:
            raise Forbidden(
                f"{subject} for everyone, which only an admin bound to no business unit may manage; you are bound "
                f"to {self._unit}: give it business_units ['{self._unit}']"
            )
        others = [unit for unit in units if unit != self._unit]
        if others:
            raise Forbidden(
                f"{subject} for {', '.join(others)}; an admin bound to {self._unit} manages only definitions "
                f"whose business_units are ['{self._unit}']"
            )

    def _changed(self, stored: StoredDefinition, *, force: bool = False) -> DefinitionRead:
        """A change agents see is committed here, not at the request's end, so this worker re-reads it at once."""
        if force or stored.active_scopes:
            self._session.commit()
            self._active.invalidate()
        return _read(stored)


def active_view(definition: Definition) -> ActiveDefinitionRead:
    return ActiveDefinitionRead(
        definition=definition,
        quick_search_fields=[_field(key) for key in definition.quick_search_fields],
        advanced_search_fields={
            section.value: [
                _field(key, section, definition) for key in definition.advanced_search_fields.for_section(section)
            ]
            for section in ADVANCED_SECTIONS
            if definition.advanced_search_fields.for_section(section)
        },
    )


def catalogue_view() -> CatalogueRead:
    return CatalogueRead(
        quick_search_fields=[_field(key) for key in catalogue.quick_keys()],
        advanced_search_fields={
            section.value: [_field(key, section) for key in catalogue.advanced_keys(section)]
            for section in ADVANCED_SECTIONS
        },
        address_scopes=list(get_args(AddressScope)),
        actions=[action.value for action in Action],
        context_sections=[section.value for section in ContextSection],
        max_recent_communications_limit=MAX_RECENT_LIMIT,
    )


def _field(key: str, section: Section | None = None, definition: Definition | None = None) -> FieldRead:
    """A section's field by its key there; an enum lists the definition's own codes too (additional actions)."""
    field = (catalogue.in_section(section, key) if section is not None else None) or catalogue.BY_KEY[key]
    codes = definition.codes(field.vocabulary) if definition is not None and field.vocabulary else ()
    return FieldRead(
        key=field.key,
        label=field.label,
        type=field.type.value,
        operators=[op.value for op in field.operators],
        values=[*field.values, *codes],
    )


@contextmanager
def _mapped_errors() -> Iterator[None]:
    try:
        yield
    except DefinitionNotFound as exc:
        raise NotFound(str(exc)) from exc
    except DefinitionConflict as exc:
        raise Conflict(str(exc)) from exc
