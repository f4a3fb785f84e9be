"""Mixed agent traffic against a running server: quick, advanced, recent, context and writes, as an agent
screen produces them. Used by the fault tests and by `bench/load.py`."""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from service.auth.service import add_user
from service.db.session import build_sessionmaker
from service.models import Contact, Phone
from service.models.enums import UserRole

WRITES = frozenset({"log_communication", "patch_contact"})


@dataclass(frozen=True, slots=True)
class Sample:
    operation: str
    status: int | None
    seconds: float
    retry_after: bool = False
    error: str | None = None
    finished_at: float = 0.0


@dataclass(frozen=True)
class Target:
    url: str
    tokens: Sequence[str]
    phones: Sequence[str]
    name_prefixes: Sequence[str]
    contact_ids: Sequence[int]


def prepare_target(engine: Engine, url: str, *, agents: int = 4, sample: int = 500) -> Target:
    """Agent users (bound to no business unit) and values the traffic can search for, from the database."""
    with build_sessionmaker(engine).begin() as session:
        tokens = [add_user(session, f"load-agent-{i}", UserRole.AGENT)[1] for i in range(agents)]
        return _target(session, url, tokens, sample)


def _target(session: Session, url: str, tokens: list[str], sample: int) -> Target:
    contacts = session.execute(select(Contact.id, Contact.last_name).order_by(Contact.id).limit(sample)).all()
    phones = session.scalars(select(Phone.e164).where(Phone.e164.is_not(None)).order_by(Phone.id).limit(sample)).all()
    prefixes = sorted({name[:3] for _, name in contacts if name and len(name) >= 3})
    return Target(
        url=url,
        tokens=tokens,
        phones=list(phones),
        name_prefixes=prefixes or ["Mar"],
        contact_ids=[contact_id for contact_id, _ in contacts],
    )


Operation = Callable[[httpx.AsyncClient, random.Random, "Worker"], Any]


@dataclass
class Worker:
    """One simulated agent: its own connection, token and slice of contacts to write to (no two agents patch the
    same contact, so a 409 never muddies the figures)."""

    target: Target
    index: int
    token: str
    own_contacts: Sequence[int]
    samples: list[Sample] = field(default_factory=list)


def _quick_phone(client: httpx.AsyncClient, rng: random.Random, worker: Worker) -> Any:
    body = {"field": "phone", "operator": "=", "value": rng.choice(worker.target.phones)}
    return client.post("/api/search/quick", json=body)


def _quick_name(client: httpx.AsyncClient, rng: random.Random, worker: Worker) -> Any:
    prefix = rng.choice(worker.target.name_prefixes)
    value = rng.choice([f"{prefix}%", f"%{prefix[1:]}%"])
    return client.post("/api/search/quick", json={"field": "name", "operator": "like", "value": value})


def _advanced(client: httpx.AsyncClient, rng: random.Random, worker: Worker) -> Any:
    criteria = rng.choice(
        [
            {"address": {"scope": "billing", "city": rng.choice(["Paris", "Lyon", "Berlin", "Madrid", "Praha"])}},
            {"accounts_receivable": {"credit_hold": True}, "size": 10},
            {"contact": {"last_name": f"{rng.choice(worker.target.name_prefixes)}%"}},
        ]
    )
    return client.post("/api/search/advanced", json=criteria)


def _recent(client: httpx.AsyncClient, rng: random.Random, worker: Worker) -> Any:
    return client.get("/api/communications/recent")


def _context(client: httpx.AsyncClient, rng: random.Random, worker: Worker) -> Any:
    return client.get(f"/api/contacts/{rng.choice(worker.target.contact_ids)}/context")


def _log_communication(client: httpx.AsyncClient, rng: random.Random, worker: Worker) -> Any:
    body = {
        "contact_id": rng.choice(worker.own_contacts),
        "direction": rng.choice(["incoming", "outgoing"]),
        "channel": "phone",
        "topic": f"Load call {rng.randrange(10_000)}",
        "keywords": ["load"],
    }
    return client.post("/api/communications", json=body)


def _patch_contact(client: httpx.AsyncClient, rng: random.Random, worker: Worker) -> Any:
    contact_id = rng.choice(worker.own_contacts)
    return client.patch(f"/api/contacts/{contact_id}", json={"category": f"load-{rng.randrange(1000)}"})


MIX: tuple[tuple[str, Operation, int], ...] = (
    ("quick_phone", _quick_phone, 25),
    ("quick_name", _quick_name, 20),
    ("advanced", _advanced, 10),
    ("recent", _recent, 10),
    ("context", _context, 20),
    ("log_communication", _log_communication, 10),
    ("patch_contact", _patch_contact, 5),
)


async def _agent(
    worker: Worker,
    *,
    seed: int,
    deadline: float,
    budget: list[int],
    timeout_s: float,
    think_s: float,
    stop: asyncio.Event,
) -> None:
    rng = random.Random(seed)
    names = [name for name, _, _ in MIX]
    operations = {name: operation for name, operation, _ in MIX}
    weights = [weight for _, _, weight in MIX]
    headers = {"Authorization": f"Bearer {worker.token}"}
    async with httpx.AsyncClient(base_url=worker.target.url, headers=headers, timeout=timeout_s) as client:
        while time.monotonic() < deadline and budget[0] > 0 and not stop.is_set():
            if think_s:
                await asyncio.sleep(rng.uniform(0, 2 * think_s))
            budget[0] -= 1
            name = rng.choices(names, weights)[0]
            started = time.perf_counter()
            try:
                response = await operations[name](client, rng, worker)
            except httpx.HTTPError as exc:
                elapsed = time.perf_counter() - started
                worker.samples.append(Sample(name, None, elapsed, error=repr(exc), finished_at=time.monotonic()))
                continue
            worker.samples.append(
                Sample(
                    name,
                    response.status_code,
                    time.perf_counter() - started,
                    retry_after="retry-after" in response.headers,
                    error=None if response.status_code < 400 else response.text[:200],
                    finished_at=time.monotonic(),
                )
            )


async def run(
    target: Target,
    *,
    concurrency: int,
    duration_s: float,
    max_requests: int | None = None,
    seed: int = 7,
    timeout_s: float = 15.0,
    think_s: float = 0.0,
    stop: asyncio.Event | None = None,
) -> list[Sample]:
    """Bounded: stops after `duration_s`, `max_requests` requests or when `stop` is set, whichever comes first.

    Each simulated agent waits `think_s` on average between two requests (0: back to back, for throughput).
    """
    workers = [
        Worker(
            target=target,
            index=i,
            token=target.tokens[i % len(target.tokens)],
            own_contacts=target.contact_ids[i::concurrency] or target.contact_ids,
        )
        for i in range(concurrency)
    ]
    deadline = time.monotonic() + duration_s
    budget = [max_requests if max_requests is not None else 10**12]
    stop = stop or asyncio.Event()
    await asyncio.gather(
        *(
            _agent(
                w,
                seed=seed * 1000 + w.index,
                deadline=deadline,
                budget=budget,
                timeout_s=timeout_s,
                think_s=think_s,
                stop=stop,
            )
            for w in workers
        )
    )
    return [sample for worker in workers for sample in worker.samples]


@dataclass(frozen=True)
class Summary:
    requests: int
    seconds: float
    errors: int
    by_status: dict[str, int]
    p50_ms: float
    p99_ms: float
    by_operation: dict[str, dict[str, float]]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def summarise(samples: Sequence[Sample], seconds: float) -> Summary:
    """An error is a transport failure or a status of 400 and above (a 503 during an outage counts)."""
    durations = [s.seconds * 1000 for s in samples]
    statuses: dict[str, int] = {}
    for sample in samples:
        key = str(sample.status) if sample.status is not None else "no answer"
        statuses[key] = statuses.get(key, 0) + 1
    operations: dict[str, dict[str, float]] = {}
    for name in sorted({s.operation for s in samples}):
        times = [s.seconds * 1000 for s in samples if s.operation == name]
        operations[name] = {
            "requests": len(times),
            "p50_ms": round(_percentile(times, 50), 1),
            "p99_ms": round(_percentile(times, 99), 1),
            "errors": sum(1 for s in samples if s.operation == name and (s.status is None or s.status >= 400)),
        }
    return Summary(
        requests=len(samples),
        seconds=seconds,
        errors=sum(1 for s in samples if s.status is None or s.status >= 400),
        by_status=dict(sorted(statuses.items())),
        p50_ms=round(_percentile(durations, 50), 1),
        p99_ms=round(_percentile(durations, 99), 1),
        by_operation=operations,
    )
