"""Versioned indices behind aliases: create, swap in one atomic call, prune what the alias left behind.

An index is named ``{alias}-{UTC timestamp with microseconds}``, so names sort by creation time and a
name tells which alias it belongs to. Searches and writes only ever use the alias; the `_aliases` call that
moves it is atomic, so no search sees zero or two indices
(https://docs.opensearch.org/2.19/api-reference/index-apis/alias/).
"""

from __future__ import annotations

import logging
import math
import re
from datetime import UTC, datetime
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionTimeout, TransportError

log = logging.getLogger(__name__)

TIMESTAMP = "%Y%m%d%H%M%S%f"
# TieredMergePolicy's `max_merged_segment`: a larger segment is left out of every later merge.
MAX_SEGMENT_BYTES = 5 * 1024**3
MERGE_WAIT_SLACK_S = 30.0


def new_index_name(alias: str) -> str:
    return f"{alias}-{datetime.now(UTC).strftime(TIMESTAMP)}"


def is_version_of(alias: str, name: str) -> bool:
    return re.fullmatch(re.escape(alias) + r"-\d{20}", name) is not None


def building_alias(alias: str) -> str:
    """Points at the index a rebuild is loading, so live changes (sync) can be written there too."""
    return f"{alias}-building"


def create_index(client: OpenSearch, name: str, body: dict[str, Any], *, loading: bool = False) -> None:
    """While loading, refreshes are off (fewer, larger segments) and there are no replicas to copy every
    write to; `finish_loading` restores both."""
    if loading:
        body = {**body, "settings": {**body["settings"], "index": {**body["settings"]["index"]}}}
        body["settings"]["index"].update(refresh_interval="-1", number_of_replicas=0)
    client.indices.create(index=name, body=body)


def merged_segments(size_bytes: int) -> int:
    """As few segments as the index's size allows, none of them past `MAX_SEGMENT_BYTES`."""
    return max(1, math.ceil(size_bytes / MAX_SEGMENT_BYTES))


def finish_loading(
    client: OpenSearch, name: str, refresh_interval: str, *, replicas: int = 0, merge_timeout_s: float = 3600.0
) -> None:
    """Merge the loaded index into few segments, then give it its refreshes and replicas.

    A bulk load leaves dozens of segments and every search pays for each (a term looked up, a scorer built,
    a top page merged per segment): at 1,000,000 contacts one segment instead of 33 took 14-17 % off the
    engine's time for a name, a `%x%` and a phone lookup. Merging before replicas exist copies the merged
    segments once. Segments stay under the 5 GB past which the merge policy would never merge them again as
    updates delete documents in them. The merge runs as an engine task that is waited for (a request held
    open for many minutes would be retried on timeout and start another); one that outlasts
    `merge_timeout_s` goes on in the engine while the index serves."""
    client.indices.refresh(index=name)
    stats = client.indices.stats(index=name, metric="store")
    size = int(stats["indices"][name]["primaries"]["store"]["size_in_bytes"])
    merging = client.indices.forcemerge(
        index=name, max_num_segments=merged_segments(size), params={"wait_for_completion": "false"}
    )
    try:
        client.tasks.get(
            task_id=merging["task"],
            params={
                "wait_for_completion": "true",
                "timeout": f"{merge_timeout_s:.0f}s",
                "request_timeout": merge_timeout_s + MERGE_WAIT_SLACK_S,
            },
        )
    except (ConnectionTimeout, TransportError) as exc:
        log.warning("%s: merge not confirmed (%s); the engine finishes it while the index serves", name, exc)
    client.indices.put_settings(
        index=name, body={"index": {"refresh_interval": refresh_interval, "number_of_replicas": replicas}}
    )
    client.indices.refresh(index=name)


class NotGreen(RuntimeError):
    """A new index whose every shard copy was not assigned in time: it must not serve."""


def wait_until_green(client: OpenSearch, name: str, timeout_s: float) -> None:
    """Block until every primary and replica of `name` is assigned and started, or raise `NotGreen`.

    A yellow index serves, but one node lost takes the only copy of some shards with it; a red one misses
    documents. The engine does the waiting (`wait_for_status`), the client waits a little longer than it.
    """
    health = client.cluster.health(
        index=name,
        params={
            "wait_for_status": "green",
            "timeout": f"{max(1, round(timeout_s * 1000))}ms",  # the engine takes no fractional seconds
            "request_timeout": timeout_s + MERGE_WAIT_SLACK_S,
        },
        ignore=408,  # the engine's answer when the wait timed out: the body says how far it got
    )
    if health.get("timed_out") or health.get("status") != "green":
        raise NotGreen(
            f"{name} is {health.get('status')} after {timeout_s:g} s "
            f"({health.get('unassigned_shards', '?')} shard copies unassigned, "
            f"{health.get('initializing_shards', '?')} initializing, {health.get('number_of_data_nodes', '?')} "
            "data nodes): replicas the cluster cannot place, or a node missing"
        )


def indices_of(client: OpenSearch, alias: str) -> list[str]:
    """The indices behind an alias; none is an answer, not an error (and not worth a warning in the log)."""
    found = client.indices.get_alias(name=alias, ignore=404)
    if not isinstance(found, dict) or found.get("status") == 404:
        return []
    return sorted(name for name, value in found.items() if isinstance(value, dict) and "aliases" in value)


def write_targets(client: OpenSearch, *names: str) -> dict[str, list[str]]:
    """Where live changes go, per alias, asked in one request: the alias while it has an index, plus the
    building alias while a rebuild loads.

    An alias with neither gets nothing: no index serves it yet (before the first rebuild, or the quick index
    of a deployment from before it), and the rebuild that creates one loads every row from the database after
    it has put up the building alias, so no change is missed; writing would only fail and park entries that
    the rebuild makes moot. Both are aliases, so the sync keeps `require_alias` on and never creates a stray
    index by accident.
    """
    wanted = {alias: [alias, building_alias(alias)] for alias in names}
    found = client.indices.get_alias(name=",".join(n for pair in wanted.values() for n in pair), ignore=404)
    present = {name for value in found.values() if isinstance(value, dict) for name in value.get("aliases", ())}
    return {alias: [name for name in pair if name in present] for alias, pair in wanted.items()}


def older_mappings(client: OpenSearch, indices: list[str], *, version: int) -> dict[str, dict[str, Any]]:
    """The properties of each of `indices` (concrete names) that an older release built (`_meta.mapping_version`
    below `version`): what the documents written there must be cut to, their strict mapping refusing the rest."""
    if not indices:
        return {}
    found = client.indices.get_mapping(index=",".join(indices))
    older: dict[str, dict[str, Any]] = {}
    for name, value in found.items():
        mapping = value.get("mappings") or {}
        if int((mapping.get("_meta") or {}).get("mapping_version", 0)) < version:
            older[name] = mapping.get("properties") or {}
    return older


def concrete_indices(client: OpenSearch, names: list[str]) -> dict[str, str]:
    """The index behind each alias of `names` that has one (one request)."""
    if not names:
        return {}
    found = client.indices.get_alias(name=",".join(names), ignore=404)
    return {
        alias: index
        for index, value in found.items()
        if isinstance(value, dict)
        for alias in value.get("aliases", ())
        if alias in names
    }


def current_index(client: OpenSearch, alias: str) -> str | None:
    """The index the alias serves from (the newest, should a foreign tool have added more)."""
    found = indices_of(client, alias)
    return found[-1] if found else None


def versions_of(client: OpenSearch, alias: str) -> list[str]:
    """Every versioned index of the alias, open or closed, serving or not, oldest first."""
    found = client.indices.get(index=f"{alias}-*", params={"expand_wildcards": "open,closed"})
    return sorted(name for name in found if is_version_of(alias, name))


def mark_building(client: OpenSearch, alias: str, index: str) -> None:
    """Move the building alias to `index` in one call (a killed rebuild may have left it elsewhere)."""
    name = building_alias(alias)
    actions: list[dict[str, Any]] = [
        {"remove": {"index": old, "alias": name}} for old in indices_of(client, name) if old != index
    ]
    actions.append({"add": {"index": index, "alias": name, "is_write_index": True}})
    client.indices.update_aliases(body={"actions": actions})


def swap_alias(client: OpenSearch, alias: str, new_index: str) -> list[str]:
    """Point the alias at `new_index` only, in one `_aliases` call; returns the indices it was taken from.

    The same call drops the building alias from the new index, so from then on live writes reach it
    through the alias alone.
    """
    old = [name for name in indices_of(client, alias) if name != new_index]
    actions: list[dict[str, Any]] = [{"remove": {"index": name, "alias": alias}} for name in old]
    actions.append({"add": {"index": new_index, "alias": alias, "is_write_index": True}})
    if new_index in indices_of(client, building_alias(alias)):
        actions.append({"remove": {"index": new_index, "alias": building_alias(alias)}})
    client.indices.update_aliases(body={"actions": actions})
    return old


def prune(client: OpenSearch, alias: str, keep: str) -> list[str]:
    """Delete the versioned indices of the alias older than `keep`: the one it replaced, killed rebuilds'.

    Younger indices (a rebuild started later, still loading) and anything the alias points at are left.
    """
    serving = set(indices_of(client, alias))
    doomed = [name for name in versions_of(client, alias) if name < keep and name not in serving]
    if doomed:
        client.indices.delete(index=",".join(doomed))
    return doomed
