"""Admin operations on definitions: store errors become HTTP-shaped domain errors; activation is seen at once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import get_args

from sqlalchemy.orm import Session

from search_definitions import catalogue, store
from search_definitions.active import ActiveDefinition
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
from service.errors import Conflict, NotFound


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
    def __init__(self, session: Session, active: ActiveDefinition) -> None:
        self._session = session
        self._active = active

    def list(self) -> list[DefinitionRead]:
        return [_read(s) for s in store.list_all(self._session)]

    def get(self, definition_id: int) -> DefinitionRead:
        with _mapped_errors():
            return _read(store.get(self._session, definition_id))

    def create(self, definition: Definition, *, author: str) -> DefinitionRead:
        with _mapped_errors():
            return _read(store.create(self._session, definition, author=author))

    def update(
        self, definition_id: int, definition: Definition, *, author: str, expected_version: int | None
    ) -> DefinitionRead:
        with _mapped_errors():
            stored = store.update(
                self._session, definition_id, definition, author=author, expected_version=expected_version
            )
        return self._changed(stored)

    def rollback(self, definition_id: int, version: int, *, author: str) -> DefinitionRead:
        with _mapped_errors():
            stored = store.rollback(self._session, definition_id, version, author=author)
        return self._changed(stored)

    def delete(self, definition_id: int) -> None:
        with _mapped_errors():
            store.delete_definition(self._session, definition_id)

    def activate(self, definition_id: int, *, author: str) -> DefinitionRead:
        with _mapped_errors():
            stored = store.activate(self._session, definition_id, author=author)
        return self._changed(stored, force=True)

    def history(self, definition_id: int) -> list[VersionRead]:
        with _mapped_errors():
            return [_version(v) for v in store.history(self._session, definition_id)]

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
            section.value: [_field(key) for key in definition.advanced_search_fields.for_section(section)]
            for section in ADVANCED_SECTIONS
            if definition.advanced_search_fields.for_section(section)
        },
    )


def catalogue_view() -> CatalogueRead:
    return CatalogueRead(
        quick_search_fields=[_field(key) for key in catalogue.quick_keys()],
        advanced_search_fields={
            section.value: [_field(key) for key in catalogue.advanced_keys(section)] for section in ADVANCED_SECTIONS
        },
        address_scopes=list(get_args(AddressScope)),
        actions=[action.value for action in Action],
        context_sections=[section.value for section in ContextSection],
        max_recent_communications_limit=MAX_RECENT_LIMIT,
    )


def _field(key: str) -> FieldRead:
    field = catalogue.BY_KEY[key]
    return FieldRead(
        key=field.key,
        label=field.label,
        type=field.type.value,
        operators=[op.value for op in field.operators],
        values=list(field.values),
    )


@contextmanager
def _mapped_errors() -> Iterator[None]:
    try:
        yield
    except DefinitionNotFound as exc:
        raise NotFound(str(exc)) from exc
    except DefinitionConflict as exc:
        raise Conflict(str(exc)) from exc
