"""Versioned indices behind aliases: create, swap in one atomic call, prune what the alias left behind."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import NotFoundError


def new_index_name(alias: str) -> str:
    return f"{alias}-{datetime.now(UTC).strftime('%Y%m%d%H%M%S%f')}"


def building_alias(alias: str) -> str:
    """Points at an index while it is being built, so live changes are written there too."""
    return f"{alias}-building"


def create(client: OpenSearch, name: str, body: dict[str, Any], *, loading: bool) -> None:
    """While loading, refreshes are off (fewer, larger segments); `finish_loading` restores them."""
    if loading:
        index_settings = {**body["settings"]["index"], "refresh_interval": "-1"}
        body = {**body, "settings": {**body["settings"], "index": index_settings}}
    client.indices.create(index=name, body=body)


def finish_loading(client: OpenSearch, name: str, refresh_interval: str) -> None:
    client.indices.put_settings(index=name, body={"index": {"refresh_interval": refresh_interval}})
    client.indices.refresh(index=name)


def indices_of(client: OpenSearch, alias: str) -> list[str]:
    try:
        return sorted(client.indices.get_alias(name=alias))
    except NotFoundError:
        return []


def current_index(client: OpenSearch, alias: str) -> str | None:
    found = indices_of(client, alias)
    return found[-1] if found else None


def swap(client: OpenSearch, alias: str, new_index: str) -> list[str]:
    """Point the alias (and only it) at the new index in one `_aliases` call; returns the indices it left."""
    old = [name for name in indices_of(client, alias) if name != new_index]
    actions: list[dict[str, Any]] = [{"remove": {"index": name, "alias": alias}} for name in old]
    actions.append({"add": {"index": new_index, "alias": alias, "is_write_index": True}})
    if client.indices.exists_alias(name=building_alias(alias), index=new_index):
        actions.append({"remove": {"index": new_index, "alias": building_alias(alias)}})
    client.indices.update_aliases(body={"actions": actions})
    return old


def mark_building(client: OpenSearch, alias: str, index: str) -> None:
    client.indices.put_alias(index=index, name=building_alias(alias))


def prune(client: OpenSearch, alias: str, *, keep: str) -> list[str]:
    """Delete every versioned index of this alias but `keep`: the previous one and any killed rebuild's."""
    pattern = f"{alias}-2*"
    found = client.indices.get(index=pattern, params={"expand_wildcards": "open,closed"})
    doomed = sorted(name for name in found if name != keep)
    if doomed:
        client.indices.delete(index=",".join(doomed))
    return doomed
