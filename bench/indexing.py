"""Indexing benchmark, side by side on one node in one run:

1. `contact-lookup index rebuild` (a child process, its peak RSS read from wait4) against raw `_bulk` of the
   very same documents, pre-built to a file first and sent in the same chunks to fresh indices with the same
   mappings and load settings: the rebuild's share of raw throughput. The engine is warmed up first with a
   quarter of the same documents, so neither side pays for the JVM's start, and the two sides alternate over
   `--rounds` rounds (default 2), compared by their sums.
2. Write-to-searchable latency through the running service (its background sync worker): PATCH a contact's
   last name to a fresh word, then poll quick search until that contact is found.

    python -m bench.indexing --contacts 100000 --writes 500
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import orjson
from opensearchpy import OpenSearch
from opensearchpy.helpers import expand_action
from sqlalchemy.orm import Session, sessionmaker

from bench.common import Timing, add_users, cli, demo_database, engine_node, service, workspace
from indexer import aliases, mappings
from indexer.rebuild import communication_actions, contact_actions, quick_actions
from service.db.session import build_engine, build_sessionmaker
from service.opensearch.client import build_client
from service.settings import Settings

WARM_UP_SHARE = 25  # percent of each index's chunks


def prebuild(settings: Settings, path: Path) -> dict[str, list[tuple[int, int, int]]]:
    """Every bulk chunk the rebuild would send, as NDJSON in a file: {alias: [(offset, length, docs)]}."""
    engine = build_engine(settings)
    try:
        return _prebuild(build_sessionmaker(engine), settings, path)
    finally:
        engine.dispose()


def _prebuild(sessions: sessionmaker[Session], settings: Settings, path: Path) -> dict[str, list[tuple[int, int, int]]]:
    chunks: dict[str, list[tuple[int, int, int]]] = {}
    with open(path, "wb") as out, sessions() as session:
        for alias, actions in (
            (settings.contacts_alias, contact_actions),
            (settings.quick_alias, quick_actions),
            (settings.communications_alias, communication_actions),
        ):
            chunks[alias] = []
            buffer: list[bytes] = []
            size = 0

            def flush(alias: str = alias) -> None:
                nonlocal buffer, size
                if buffer:
                    offset = out.tell()
                    out.write(b"".join(buffer))
                    chunks[alias].append((offset, size, len(buffer)))
                buffer, size = [], 0

            for action in actions(session, alias, settings, lambda _n: None):
                meta, source = expand_action(action)
                meta["index"].pop("_index")  # the target is the request's: the raw indices, or the warm-up ones
                line = orjson.dumps(meta) + b"\n" + orjson.dumps(source) + b"\n"
                if buffer and (len(buffer) >= settings.bulk_chunk_docs or size + len(line) > settings.bulk_chunk_bytes):
                    flush()
                buffer.append(line)
                size += len(line)
            flush()
    return chunks


def raw_bulk(
    settings: Settings, path: Path, chunks: dict[str, list[tuple[int, int, int]]], *, suffix: str = "raw"
) -> float:
    """Send the pre-built chunks to fresh indices (refresh off, no replicas, then refreshed): seconds."""
    client = build_client(settings)
    bodies = {
        settings.contacts_alias: mappings.contacts_index_body(),
        settings.quick_alias: mappings.quick_index_body(),
        settings.communications_alias: mappings.communications_index_body(),
    }
    started = time.perf_counter()
    with open(path, "rb") as source:
        for alias, parts in chunks.items():
            index = f"{alias}-{suffix}"
            aliases.create_index(client, index, bodies[alias], loading=True)
            for offset, length, _docs in parts:
                source.seek(offset)
                send(client, index, source.read(length), timeout_s=settings.bulk_request_timeout_s)
            aliases.finish_loading(client, index, mappings.REFRESH_INTERVAL)
    return time.perf_counter() - started


def warm_up(settings: Settings, path: Path, chunks: dict[str, list[tuple[int, int, int]]]) -> None:
    """Index a share of the documents into scratch indices, then drop them. A fresh JVM compiles its hot
    paths during the first minutes of indexing; without this, whichever side runs first pays for it."""
    share = {alias: parts[: max(1, len(parts) * WARM_UP_SHARE // 100)] for alias, parts in chunks.items()}
    raw_bulk(settings, path, share, suffix="warm-up")
    client = build_client(settings)
    for alias in chunks:
        client.indices.delete(index=f"{alias}-warm-up")


def engine_cpu_seconds(client: OpenSearch) -> float:
    """CPU time the engine's processes have used so far (node stats), to split a phase's cost between the two."""
    nodes = client.nodes.stats(metric="process")["nodes"].values()
    return sum(node["process"]["cpu"]["total_in_millis"] for node in nodes) / 1000


def send(client: OpenSearch, index: str, body: bytes, *, timeout_s: float, attempts: int = 8) -> None:
    """One raw `_bulk`, with the items a busy node refused (429) sent again, as the rebuild does too."""
    for attempt in range(attempts):
        response = client.bulk(body=body, index=index, params={"request_timeout": timeout_s})
        if not response["errors"]:
            return
        lines = body.split(b"\n")
        again = []
        for position, item in enumerate(response["items"]):
            result = next(iter(item.values()))
            if result["status"] == 429:
                again.append(lines[2 * position] + b"\n" + lines[2 * position + 1] + b"\n")
            elif result["status"] >= 300:
                raise RuntimeError(f"raw _bulk into {index}: {result.get('error')}")
        if not again:
            return
        body = b"".join(again)
        time.sleep(min(0.5 * 2**attempt, 10))
    raise RuntimeError(f"raw _bulk into {index}: still refused after {attempts} attempts")


POLL_S = 0.05  # the resolution of a freshness sample; ten writers polling faster would load the service themselves


def freshness(env: dict[str, str], *, writes: int, threads: int, log: Path) -> Timing:
    """Seconds from a committed PATCH to the contact being found by its new name, `threads` writers at once."""
    name = f"bench-admin-{uuid.uuid4().hex[:6]}"
    admin = add_users(env["CONTACT_LOOKUP_DATABASE_URL"], [name], "admin")[name]
    headers = {"Authorization": f"Bearer {admin}"}
    latencies: list[float] = []
    lock = threading.Lock()
    with service(env, log=log) as url:

        def writer(first_id: int) -> None:
            with httpx.Client(base_url=url, headers=headers, timeout=30) as http:
                for n in range(writes // threads):
                    contact_id = first_id + n * threads
                    current = http.get(f"/api/contacts/{contact_id}")
                    current.raise_for_status()
                    word = f"fresh{uuid.uuid4().hex[:12]}"
                    patched = http.patch(
                        f"/api/contacts/{contact_id}",
                        json={"last_name": word},
                        headers={"If-Match": f'"{current.json()["version"]}"'},
                    )
                    patched.raise_for_status()
                    committed = time.perf_counter()
                    query = {"field": "name", "operator": "=", "value": word}
                    while True:
                        found = http.post("/api/search/quick", json=query).json()["items"]
                        if any(item["contact_id"] == contact_id for item in found):
                            break
                        if time.perf_counter() - committed > 30:
                            raise RuntimeError(f"contact {contact_id} not searchable after 30 s")
                        time.sleep(POLL_S)
                    with lock:
                        latencies.append(time.perf_counter() - committed)

        workers = [threading.Thread(target=writer, args=(1 + i,)) for i in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    return Timing.of(latencies)


def measured_round(
    settings: Settings,
    env: dict[str, str],
    work: Path,
    chunks: dict[str, list[tuple[int, int, int]]] | None,
    *,
    number: int,
) -> dict[str, Any]:
    """One rebuild, then (when comparing) raw `_bulk` of the same chunks, each with the engine's CPU time: the
    engine's own cost for the same documents drifts by a fifth between phases on a shared machine, so a run
    alternates the two sides over several rounds and compares their sums."""
    client = build_client(settings)
    engine_cpu = engine_cpu_seconds(client)
    rebuilt = cli(env, "index", "rebuild", log=work / f"rebuild-{number}.log")
    if rebuilt.returncode:
        raise RuntimeError(rebuilt.output[-2000:])
    report = json.loads(rebuilt.output.strip().splitlines()[-1])
    figures: dict[str, Any] = {
        "rebuild_seconds": round(report["seconds"], 1),
        "rebuild_peak_rss_mb": round(rebuilt.peak_rss_mb),
        # CPU time of the indexer and of the engine against the wall time and the cores they share: whether
        # the rebuild waits on the engine or on the machine.
        "rebuild_cpu_seconds": round(rebuilt.cpu_seconds, 1),
        "rebuild_engine_cpu_seconds": round(engine_cpu_seconds(client) - engine_cpu, 1),
    }
    if chunks is not None:
        engine_cpu = engine_cpu_seconds(client)
        suffix = f"raw-{number}"
        figures["raw_bulk_seconds"] = round(raw_bulk(settings, work / "documents.ndjson", chunks, suffix=suffix), 1)
        figures["raw_bulk_engine_cpu_seconds"] = round(engine_cpu_seconds(client) - engine_cpu, 1)
        figures["rebuild_vs_raw"] = round(figures["raw_bulk_seconds"] / figures["rebuild_seconds"], 3)
        for alias in chunks:
            client.indices.delete(index=f"{alias}-{suffix}")
    return figures


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--writes", type=int, default=500)
    parser.add_argument("--threads", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2, help="Rebuild and raw `_bulk`, alternated, this many times.")
    parser.add_argument("--rss-only", action="store_true", help="Only the rebuild's time and peak RSS.")
    parser.add_argument("--freshness-only", action="store_true", help="Only write-to-searchable latency.")
    args = parser.parse_args(argv)

    database = demo_database(args.contacts)
    run = f"bench-{uuid.uuid4().hex[:6]}"
    work = Path(tempfile.mkdtemp(prefix="indexing-", dir=workspace()))
    with engine_node("indexing-node") as url:
        env = {"CONTACT_LOOKUP_DATABASE_URL": database, "CONTACT_LOOKUP_OPENSEARCH_URL": url}
        env["CONTACT_LOOKUP_INDEX_PREFIX"] = run
        settings = Settings(database_url=database, opensearch_url=url, index_prefix=run)

        compare = not (args.rss_only or args.freshness_only)
        if compare:
            chunks = prebuild(settings, work / "documents.ndjson")
            warm_up(settings, work / "documents.ndjson", chunks)
        rounds = [
            measured_round(settings, env, work, chunks if compare else None, number=n)
            for n in range(args.rounds if compare else 1)
        ]
        result: dict[str, Any] = {"contacts": args.contacts}
        if not args.freshness_only:
            rebuild_seconds = sum(r["rebuild_seconds"] for r in rounds)
            result["rebuild_seconds"] = round(rebuild_seconds / len(rounds), 1)
            result["rebuild_contacts_per_s"] = round(args.contacts * len(rounds) / rebuild_seconds)
            result["rebuild_peak_rss_mb"] = max(r["rebuild_peak_rss_mb"] for r in rounds)
            result["cpus"] = os.cpu_count()
        if compare:
            raw_seconds = sum(r["raw_bulk_seconds"] for r in rounds)
            result["documents"] = sum(docs for parts in chunks.values() for _o, _l, docs in parts)
            result["raw_bulk_seconds"] = round(raw_seconds / len(rounds), 1)
            result["raw_bulk_contacts_per_s"] = round(args.contacts * len(rounds) / raw_seconds)
            result["rebuild_vs_raw"] = round(raw_seconds / rebuild_seconds, 3)
        result["rounds"] = rounds

        if not args.rss_only:
            copy = work / "writes.db"
            shutil.copyfile(database.removeprefix("sqlite:///"), copy)
            write_env = {**env, "CONTACT_LOOKUP_DATABASE_URL": f"sqlite:///{copy}"}
            fresh = freshness(write_env, writes=args.writes, threads=args.threads, log=work / "service.log")
            result["freshness"] = {
                "writes": fresh.samples,
                "p50_ms": round(fresh.p50_ms),
                "p99_ms": round(fresh.p99_ms),
            }
    print(json.dumps(result, indent=2))
    shutil.rmtree(work, ignore_errors=True)
    return result


if __name__ == "__main__":
    main()
