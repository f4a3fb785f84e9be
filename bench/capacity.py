"""Capacity: closed-loop agent traffic at increasing concurrency through `serve --workers N`, and the raw engine
asked the very bodies the service builds, side by side in one run.

    python -m bench.capacity --contacts 20000 --workers 2 [--levels 1,2,4,8,16,32] [--slice 2] [--rounds 3] [--json]

At each level, N clients send back to back (each waits for its answer before asking again) one operation at a
time: quick lookups by name (`=` and `like`) and by phone, an advanced search, a contact's context, a logged
communication. The quick lookups are also sent raw to the engine: the body the pure builders in service/search
make with the shipped default definition, with the engine-side timeout and the partial-results refusal the
service adds. Both sides go through the same client library (one httpx AsyncClient per side and level, N
keep-alive connections) and take turns in short slices over several rounds, the side going first alternating,
so the noise of a shared machine hits both alike. Reports throughput, p50 and p99 per level and operation, the
service/raw throughput ratio of the quick lookups, and the highest concurrency at which the service keeps its p99
under 50 ms.

The run works on a copy of the demo database (the logged communications must not change the one other benches
reuse) indexed under a prefix of its own, dropped afterwards; the service's log stays in the bench directory.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import httpx
import orjson
from sqlalchemy import create_engine, text

from bench.common import add_users, cli, demo_database, engine_node, percentile, service, workspace
from bench.search import Lookup, Lookups, lookups_to_time, samples
from service.settings import Settings

P99_BOUND_MS = 50.0
# The operations timed, by the name `bench.search` gives each lookup (None: built here).
OPERATIONS = {
    "quick =": "quick =",
    "quick like": "quick like %x%",
    "phone": "phone",
    "advanced": "advanced nested",
    "context": "context",
    "log communication": None,
}
RAW_TOO = ("quick =", "quick like", "phone")


@dataclass(frozen=True, slots=True)
class Figures:
    """One side of one operation at one level, over all its slices."""

    requests: int
    seconds: float
    per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    first_error: str | None = None

    @classmethod
    def of(cls, times: list[float], seconds: float, errors: list[str]) -> Figures:
        ordered = sorted(times)
        return cls(
            requests=len(ordered),
            seconds=round(seconds, 2),
            per_second=round(len(ordered) / seconds, 1) if seconds else 0.0,
            p50_ms=round(percentile(ordered, 50) * 1000, 2) if ordered else 0.0,
            p99_ms=round(percentile(ordered, 99) * 1000, 2) if ordered else 0.0,
            errors=len(errors),
            first_error=errors[0] if errors else None,
        )


@dataclass
class Tally:
    """What the slices of one side of one operation collected at one level."""

    times: list[float]
    errors: list[str]
    seconds: float = 0.0


Send = Callable[[httpx.AsyncClient, Lookup], Any]


async def to_service(client: httpx.AsyncClient, lookup: Lookup) -> str | None:
    """The request an agent's screen sends; the answer read as it would be. None, or what went wrong."""
    headers = {"Authorization": f"Bearer {lookup.token}"}
    content = None
    if lookup.request is not None:
        content = orjson.dumps(lookup.request)
        headers["Content-Type"] = "application/json"
    answer = await client.request(lookup.method, lookup.path, content=content, headers=headers)
    orjson.loads(answer.content)
    return None if answer.status_code < 400 else f"{lookup.path}: {answer.status_code} {answer.text[:200]}"


def to_engine(timeout_ms: int) -> Send:
    """The body the service built, as the service's gateway sends it: engine-side timeout, no partial results."""

    async def send(client: httpx.AsyncClient, lookup: Lookup) -> str | None:
        body = orjson.dumps({**(lookup.body or {}), "timeout": f"{timeout_ms}ms"})
        answer = await client.post(
            f"/{lookup.index}/_search",
            params={"allow_partial_search_results": "false"},
            content=body,
            headers={"Content-Type": "application/json"},
        )
        page = orjson.loads(answer.content)
        if answer.status_code != 200 or page.get("timed_out"):
            return f"{lookup.index}: {answer.status_code} {answer.text[:200]}"
        return None

    return send


async def closed_loop(
    client: httpx.AsyncClient, send: Send, make: Callable[[], Lookup], *, clients: int, seconds: float, tally: Tally
) -> None:
    """`clients` loops, each asking again as soon as it has its answer, until `seconds` are up; the requests in
    flight then are waited for and counted, and so is the time they take."""
    deadline = time.monotonic() + seconds

    async def loop() -> None:
        while time.monotonic() < deadline:
            lookup = make()
            started = time.perf_counter()
            try:
                error = await send(client, lookup)
            except httpx.HTTPError as exc:
                error = repr(exc)
            tally.times.append(time.perf_counter() - started)
            if error:
                tally.errors.append(error)

    started = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(clients)))
    tally.seconds += time.perf_counter() - started


def operations(lookups: Lookups, tokens: dict[str, str], contact_ids: list[int]) -> dict[str, Callable[[], Lookup]]:
    """The lookups as `bench.search` builds them, and a logged communication on each of `contact_ids` in turn:
    thousands of them, as agents on calls rarely log on the same contact at once (two who do race for its version
    bump, and one gets a 409)."""
    timed = lookups_to_time(lookups, tokens)
    made = {name: timed[source] for name, source in OPERATIONS.items() if source}
    picks = iter(range(10**12))

    def log_communication() -> Lookup:
        turn = next(picks)
        request = {
            "contact_id": contact_ids[turn % len(contact_ids)],
            "direction": "incoming" if turn % 2 else "outgoing",
            "channel": "phone",
            "topic": f"Capacity call {turn}",
            "keywords": ["capacity"],
        }
        return Lookup("POST", "/api/communications", request, tokens["agent"], None, None)

    return {**made, "log communication": log_communication}


async def run_level(
    made: dict[str, Callable[[], Lookup]],
    *,
    service_url: str,
    engine_url: str,
    timeout_ms: int,
    clients: int,
    slice_s: float,
    rounds: int,
    warmup_s: float,
) -> dict[str, dict[str, Any]]:
    # Connections idle between slices are dropped before uvicorn's 5 s keep-alive timeout closes them under a request.
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients, keepalive_expiry=4.0)
    tallies = {(name, side): Tally([], []) for name in made for side in ("service", "raw")}
    async with (
        httpx.AsyncClient(base_url=service_url, limits=limits, timeout=30) as to_service_client,
        httpx.AsyncClient(base_url=engine_url, limits=limits, timeout=30) as to_engine_client,
    ):
        sides = {
            "service": (to_service_client, to_service),
            "raw": (to_engine_client, to_engine(timeout_ms)),
        }
        if warmup_s:
            for name, make in made.items():
                for side in ("service", "raw") if name in RAW_TOO else ("service",):
                    client, send = sides[side]
                    discard = Tally([], [])
                    await closed_loop(client, send, make, clients=clients, seconds=warmup_s, tally=discard)
        for turn in range(rounds):
            for name, make in made.items():
                order = ["service", "raw"] if name in RAW_TOO else ["service"]
                if turn % 2:
                    order.reverse()
                for side in order:
                    client, send = sides[side]
                    await closed_loop(client, send, make, clients=clients, seconds=slice_s, tally=tallies[name, side])
    level: dict[str, dict[str, Any]] = {}
    for name in made:
        by_service = Figures.of(**_tally_args(tallies[name, "service"]))
        by_engine = Figures.of(**_tally_args(tallies[name, "raw"])) if name in RAW_TOO else None
        ratio = round(by_service.per_second / by_engine.per_second, 3) if by_engine and by_engine.per_second else None
        level[name] = {
            "service": asdict(by_service),
            "raw": asdict(by_engine) if by_engine else None,
            "throughput_ratio": ratio,
        }
        print(f"{clients:>3} clients {name:<18} {_line(level[name])}", file=sys.stderr, flush=True)
    return level


def _tally_args(tally: Tally) -> dict[str, Any]:
    return {"times": tally.times, "seconds": tally.seconds, "errors": tally.errors}


def _line(figures: dict[str, Any]) -> str:
    by_service, by_engine = figures["service"], figures["raw"]
    text = (
        f"service {by_service['per_second']:>7.1f}/s p50 {by_service['p50_ms']:>6.1f} p99 {by_service['p99_ms']:>6.1f}"
    )
    if by_engine:
        text += (
            f" | raw {by_engine['per_second']:>7.1f}/s p50 {by_engine['p50_ms']:>6.1f} p99 {by_engine['p99_ms']:>6.1f}"
            f" | ratio {figures['throughput_ratio']:.2f}"
        )
    return text


def within_bound(levels: dict[int, dict[str, dict[str, Any]]]) -> dict[str, int | None]:
    """Per operation, and for all of them at once: the highest concurrency whose service p99 is under the bound
    (None: not even one client)."""
    names = next(iter(levels.values())) if levels else {}
    highest: dict[str, int | None] = {}
    for name in [*names, "every operation"]:
        kept = [
            clients
            for clients, level in levels.items()
            if all(
                level[op]["service"]["p99_ms"] < P99_BOUND_MS for op in (level if name == "every operation" else [name])
            )
        ]
        highest[name] = max(kept) if kept else None
    return highest


def render(result: dict[str, Any]) -> str:
    lines = [
        f"{result['contacts']:,} demo contacts, {result['workers']} API workers, slices of {result['slice_s']} s × "
        f"{result['rounds']} rounds per side; throughput in requests/s, p50 / p99 in ms",
        "",
        "| clients | operation | service req/s | service p50 / p99 | raw req/s | raw p50 / p99 | service ÷ raw "
        "| errors |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for clients, level in result["levels"].items():
        for name, figures in level.items():
            by_service, by_engine = figures["service"], figures["raw"]
            raw_cells = (
                [f"{by_engine['per_second']:,.0f}", f"{by_engine['p50_ms']:.1f} / {by_engine['p99_ms']:.1f}"]
                if by_engine
                else ["", ""]
            )
            ratio = f"{figures['throughput_ratio']:.2f}" if figures["throughput_ratio"] is not None else ""
            errors = by_service["errors"] + (by_engine["errors"] if by_engine else 0)
            lines.append(
                f"| {clients} | {name} | {by_service['per_second']:,.0f} | "
                f"{by_service['p50_ms']:.1f} / {by_service['p99_ms']:.1f} | {' | '.join(raw_cells)} | {ratio} "
                f"| {errors} |"
            )
    lines += ["", f"highest concurrency with the service's p99 under {P99_BOUND_MS:.0f} ms:"]
    bound = result["p99_under_50ms"]
    lines += [f"- {name}: {clients if clients is not None else 'none'}" for name, clients in bound.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=20_000, help="demo contacts")
    parser.add_argument("--workers", type=int, default=2, help="API worker processes (serve --workers)")
    parser.add_argument("--levels", default="1,2,4,8,16,32", help="concurrencies, comma-separated")
    parser.add_argument("--slice", type=float, default=2.0, dest="slice_s", help="seconds of one side's slice")
    parser.add_argument("--rounds", type=int, default=3, help="slices per side, operation and level")
    parser.add_argument("--warmup", type=float, default=0.5, help="seconds per side and operation before a level")
    parser.add_argument("--operations", default=",".join(OPERATIONS), help="a comma-separated subset, e.g. to profile")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    levels = [int(level) for level in args.levels.split(",") if level.strip()]
    chosen = [name.strip() for name in args.operations.split(",") if name.strip()]
    if unknown := set(chosen) - set(OPERATIONS):
        parser.error(f"unknown operations {sorted(unknown)}; choose among {list(OPERATIONS)}")

    # Not `bench-`: the smoke tests drop the `bench-` indices that appear while they run, on a cluster they share.
    run = f"capacity-{uuid.uuid4().hex[:6]}"
    work = workspace() / f"capacity-{run}"
    work.mkdir(parents=True, exist_ok=True)
    # A copy: the communications it logs stay out of the demo database the other benches reuse.
    source = demo_database(args.contacts).removeprefix("sqlite:///")
    copy = work / "capacity.db"
    shutil.copyfile(source, copy)
    database = f"sqlite:///{copy}"
    try:
        with engine_node("capacity-node") as url:
            env = {
                "CONTACT_LOOKUP_DATABASE_URL": database,
                "CONTACT_LOOKUP_OPENSEARCH_URL": url,
                "CONTACT_LOOKUP_INDEX_PREFIX": run,
            }
            settings = Settings(database_url=database, opensearch_url=url, index_prefix=run)
            try:
                rebuilt = cli(env, "index", "rebuild", log=work / "rebuild.log")
                if rebuilt.returncode:
                    raise RuntimeError(rebuilt.output[-2000:])
                sqlite = create_engine(database)
                data = samples(sqlite)
                with sqlite.connect() as db:
                    to_log_on = list(db.execute(text("SELECT id FROM contacts ORDER BY id LIMIT 5000")).scalars())
                sqlite.dispose()
                tokens = add_users(database, ["capacity-agent"])
                tokens["agent"] = tokens["capacity-agent"]
                made = operations(Lookups(data, settings), tokens, to_log_on)
                made = {name: make for name, make in made.items() if name in chosen}
                measured: dict[int, dict[str, dict[str, Any]]] = {}
                with service(env, log=work / "service.log", workers=args.workers) as base:
                    for clients in levels:
                        measured[clients] = asyncio.run(
                            run_level(
                                made,
                                service_url=base,
                                engine_url=url,
                                timeout_ms=settings.search_timeout_ms,
                                clients=clients,
                                slice_s=args.slice_s,
                                rounds=args.rounds,
                                warmup_s=args.warmup,
                            )
                        )
            finally:
                drop_indices(url, run)
    finally:
        copy.unlink(missing_ok=True)  # the logs stay, for a run that went wrong
    result = {
        "contacts": args.contacts,
        "workers": args.workers,
        "slice_s": args.slice_s,
        "rounds": args.rounds,
        "levels": measured,
        "p99_under_50ms": within_bound(measured),
        "index_prefix": run,
    }
    print(json.dumps(result, indent=2) if args.json else render(result))
    return result


def drop_indices(engine_url: str, prefix: str) -> None:
    """The run's indices, named one by one (a node may refuse wildcard deletes)."""
    listed = httpx.get(f"{engine_url}/_cat/indices/{prefix}-*", params={"format": "json", "h": "index"}, timeout=30)
    names = [row["index"] for row in listed.json()] if listed.status_code == 200 else []
    if names:
        httpx.delete(f"{engine_url}/{','.join(names)}", timeout=60).raise_for_status()


if __name__ == "__main__":
    main()
