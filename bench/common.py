"""What every benchmark needs: its own engine node, a demo database of a given size, the service as a
subprocess, and honest statistics (percentiles over many samples, peak RSS of a child process)."""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from service.opensearch import local_node
from service.settings import Settings


def workspace() -> Path:
    """Where generated databases (reused between runs), nodes and logs live."""
    path = Path(os.environ.get("CONTACT_LOOKUP_BENCH_DIR", "/tmp/contact-lookup-bench"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass(frozen=True, slots=True)
class Child:
    """How a finished child process went: its wall time, its own CPU time and peak resident set."""

    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    returncode: int
    output: str


def cli(env: dict[str, str], *args: str, log: Path | None = None) -> Child:
    """Run `contact-lookup ARGS` as a child and read its CPU time and peak RSS from wait4 (that child alone)."""
    started = time.perf_counter()
    return reap(spawn(env, *args, log=log), started, log=log)


def spawn(env: dict[str, str], *args: str, log: Path | None = None) -> subprocess.Popen[str]:
    """`contact-lookup ARGS` started as a child, its output to `log` (or a pipe `reap` reads)."""
    out = open(log, "w") if log else subprocess.PIPE  # noqa: SIM115 - the child holds it; reap reads the log
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", *args],
        env={**os.environ, **env},
        stdout=out,
        stderr=subprocess.STDOUT,
        text=True,
    )
    if log:
        out.close()  # type: ignore[union-attr]
    return process


def reap(process: subprocess.Popen[str], started: float, *, log: Path | None = None) -> Child:
    """Wait for a child `spawn` started: wall time since `started`, its own CPU time and peak RSS (wait4)."""
    output = ""
    if process.stdout is not None:
        output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if log:
        output = log.read_text(errors="replace")
    cpu_seconds = usage.ru_utime + usage.ru_stime
    return Child(time.perf_counter() - started, cpu_seconds, usage.ru_maxrss / 1024, process.returncode, output)


@contextlib.contextmanager
def engine_node(name: str, *, heap: str = "1g") -> Iterator[str]:
    """A node of the bench's own (never the one tests or the product use), stopped afterwards; or the cluster
    CONTACT_LOOKUP_OPENSEARCH_URL names (the bench's indices get a prefix of their own there).

    The node starts empty: indices an interrupted run left behind would be recovered at every start, slowing
    it past its timeout and sharing the heap with the figures being measured.
    """
    if url := os.environ.get("CONTACT_LOOKUP_OPENSEARCH_URL"):
        yield url
        return
    settings = Settings(home=workspace() / name, opensearch_heap=heap, opensearch_url="")
    shutil.rmtree(settings.node_dir / "data", ignore_errors=True)
    node = local_node.start(settings)
    try:
        yield node.url
    finally:
        local_node.stop(settings)


def demo_database(contacts: int, *, seed: int = 7) -> str:
    """A SQLite file with `contacts` demo contacts, generated once and reused (migrated to head) by later runs."""
    path = workspace() / f"demo-{contacts}-{seed}.db"
    env = {"CONTACT_LOOKUP_HOME": str(workspace() / "home")}
    if not path.exists():
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        env["CONTACT_LOOKUP_DATABASE_URL"] = f"sqlite:///{partial}"
        for args in (("db", "upgrade"), ("demo-data", "--contacts", str(contacts), "--seed", str(seed))):
            _checked(cli(env, *args), args)
        partial.rename(path)
    env["CONTACT_LOOKUP_DATABASE_URL"] = f"sqlite:///{path}"
    _checked(cli(env, "db", "upgrade"), ("db", "upgrade"))
    return env["CONTACT_LOOKUP_DATABASE_URL"]


def _checked(child: Child, args: tuple[str, ...]) -> None:
    if child.returncode:
        raise RuntimeError(f"{' '.join(args)} failed:\n{child.output[-2000:]}")


@contextlib.contextmanager
def service(env: dict[str, str], *, log: Path, timeout_s: float = 60, workers: int = 1) -> Iterator[str]:
    """`contact-lookup serve --workers N` (with its background sync worker) on a free loopback port.

    The rate limiter stays in the request path but with a budget no benchmark reaches: it measures the service.
    """
    port = local_node.free_port()
    env = {"CONTACT_LOOKUP_RATE_LIMIT_PER_S": "1000000", "CONTACT_LOOKUP_RATE_LIMIT_BURST": "1000000", **env}
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--workers", str(workers)],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                        break
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"service did not start:\n{log.read_text()[-2000:]}")
                time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)


def add_users(database_url: str, names: list[str], role: str = "agent") -> dict[str, str]:
    """Users for the bench's requests, created (or given a new token) in one transaction: {name: token}."""
    from service.auth.service import issue_token
    from service.db.session import build_engine, build_sessionmaker
    from service.models.enums import UserRole

    engine = build_engine(Settings(database_url=database_url))
    try:
        with build_sessionmaker(engine).begin() as session:
            return {name: issue_token(session, name, UserRole(role))[1] for name in names}
    finally:
        engine.dispose()


@dataclass(frozen=True, slots=True)
class Timing:
    samples: int
    p50_ms: float
    p99_ms: float

    @classmethod
    def of(cls, seconds: list[float]) -> Timing:
        ordered = sorted(seconds)
        return cls(len(ordered), statistics.median(ordered) * 1000, percentile(ordered, 99) * 1000)


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted samples."""
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def timed(call: Callable[[], object], *, warmup: int, samples: int) -> Timing:
    for _ in range(warmup):
        call()
    seconds = []
    for _ in range(samples):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return Timing.of(seconds)
