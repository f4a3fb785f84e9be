"""A local single-node OpenSearch without Docker: the integ-test distribution from Maven Central on Java 17.

The distribution is fetched once with `mvn dependency:copy` (or taken from OPENSEARCH_HOME), unpacked into
the cache folder, and started as a subprocess in its own session on free loopback ports. `node.json`
records the pid together with the process start time, so `stop` never signals a recycled pid.

Bootstrap checks (vm.max_map_count, file descriptors) are only warnings here: OpenSearch enforces them only
when transport binds a non-loopback address, and it is bound to 127.0.0.1 with single-node discovery.
https://opensearch.org/docs/latest/install-and-configure/install-opensearch/index/#important-settings
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

from service.settings import Settings

MAVEN_ARTIFACT = "org.opensearch.distribution.integ-test-zip:opensearch:{version}:zip"
# The integ-test zip ships only transport-netty4; the analyzers we need (asciifolding, pattern_replace)
# live in the analysis-common module, published on Maven Central as a plain jar.
MODULES = {"analysis-common": "org.opensearch.analysis.common.CommonAnalysisPlugin"}
MODULE_ARTIFACT = "org.opensearch.plugin:{name}:{version}:jar"
MODULE_DESCRIPTOR = """description={name} module
version={version}
name={name}
classname={classname}
java.version=11
opensearch.version={version}
custom.foldername=
extended.plugins=
has.native.controller=false
"""
DEFAULT_URL = "http://127.0.0.1:9200"
CONSOLE_LOG = "console.log"
FETCH_TIMEOUT_S = 900.0
START_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 30.0


class NodeError(RuntimeError):
    """The node could not be fetched, started or reached; the message says why (with the log's tail)."""


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """What `node.json` records; `started` is the start time from /proc/<pid>/stat, to tell a reused pid."""

    url: str
    pid: int
    port: int
    home: str
    data_dir: str
    log_file: str
    started: int


def ensure_distribution(settings: Settings) -> Path:
    """An unpacked OpenSearch home; fetched and unpacked at most once per version."""
    configured = os.environ.get("OPENSEARCH_HOME")
    if configured and (Path(configured) / "bin" / "opensearch").is_file():
        return Path(configured)
    version = settings.opensearch_version
    home = settings.cache_dir / f"opensearch-{version}"
    if (home / "bin" / "opensearch").is_file():
        return home
    dist = settings.cache_dir / "dist"
    archive = fetch_artifact(MAVEN_ARTIFACT.format(version=version), dist / f"opensearch-{version}.zip")
    modules = {
        name: fetch_artifact(MODULE_ARTIFACT.format(name=name, version=version), dist / f"{name}-{version}.jar")
        for name in MODULES
    }
    _unpack(archive, modules, home, version)
    return home


def fetch_artifact(artifact: str, target: Path) -> Path:
    """One Maven Central artifact into the cache folder, unless it is already there."""
    if target.is_file():
        return target
    mvn = shutil.which("mvn")
    if mvn is None:
        raise NodeError(f"Maven (mvn) is needed once to fetch {artifact}; install it or set OPENSEARCH_HOME")
    target.parent.mkdir(parents=True, exist_ok=True)
    command = [mvn, "-q", "-B", "dependency:copy", f"-Dartifact={artifact}", f"-DoutputDirectory={target.parent}"]
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, check=False, cwd=tempfile.gettempdir(), timeout=FETCH_TIMEOUT_S
        )
    except subprocess.TimeoutExpired as exc:
        raise NodeError(f"fetching {artifact} took longer than {FETCH_TIMEOUT_S:.0f} s") from exc
    if result.returncode != 0 or not target.is_file():
        raise NodeError(f"fetching {artifact} with mvn failed:\n{result.stdout}{result.stderr}")
    return target


def _unpack(archive: Path, modules: dict[str, Path], home: Path, version: str) -> None:
    """Unpack and add the modules beside the target, then rename: a killed unpack never looks finished."""
    home.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=home.parent))
    try:
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(staging)
        (top,) = [p for p in staging.iterdir() if p.is_dir()]
        for script in (top / "bin").iterdir():
            script.chmod(script.stat().st_mode | 0o755)
        for name, jar in modules.items():
            module = top / "modules" / name
            module.mkdir(parents=True, exist_ok=True)
            shutil.copy2(jar, module / jar.name)
            descriptor = MODULE_DESCRIPTOR.format(name=name, version=version, classname=MODULES[name])
            (module / "plugin-descriptor.properties").write_text(descriptor)
        try:
            top.rename(home)
        except OSError:
            if not (home / "bin" / "opensearch").is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def free_port() -> int:
    """A port the kernel just handed out on loopback (free now; another process could still take it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def unprivileged_prefix() -> list[str]:
    """OpenSearch refuses to run as root; as root, run it in a user namespace where it is an ordinary user.

    The namespace maps that user back to root outside, so the node still reads and writes our files.
    """
    if os.geteuid() != 0:
        return []
    unshare = shutil.which("unshare")
    if unshare is None:
        raise NodeError("OpenSearch cannot run as root and `unshare` (util-linux) is missing; run as another user")
    return [unshare, "--user", "--map-user=1000", "--map-group=1000"]


def java_home() -> str | None:
    """The integ-test zip bundles no JDK: an existing JAVA_HOME, else the one behind `java` on PATH."""
    if os.environ.get("JAVA_HOME"):
        return os.environ["JAVA_HOME"]
    java = shutil.which("java")
    return str(Path(java).resolve().parent.parent) if java else None


def _private_config(home: Path, target: Path, *, log_dir: Path, data_dir: Path) -> Path:
    """A copy of the distribution's config for one node, so the shared distribution is never written to.

    jvm.options names `logs/` and `data` relative to OPENSEARCH_HOME: every node of one distribution would
    rotate the same gc.log, and the keystore OpenSearch creates on first start would land in the cache.
    """
    shutil.copytree(home / "config", target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.keystore"))
    options = (home / "config" / "jvm.options").read_text()
    options = re.sub(r"(?<=[=:])logs/", f"{log_dir}/", options)
    options = options.replace("HeapDumpPath=data", f"HeapDumpPath={data_dir}")
    (target / "jvm.options").write_text(options)
    return target


def _options(home: Path, *, port: int, data_dir: Path, log_dir: Path) -> dict[str, str]:
    """`-E` settings of a throwaway development node; disk watermarks off because shared disks run full."""
    options: dict[str, str] = {
        "cluster.name": "contact-lookup",
        "node.name": "contact-lookup-local",
        "discovery.type": "single-node",
        "network.host": "127.0.0.1",
        "http.port": str(port),
        "transport.port": str(free_port()),
        "path.data": str(data_dir),
        "path.logs": str(log_dir),
        "cluster.routing.allocation.disk.threshold_enabled": "false",
        "action.destructive_requires_name": "false",
    }
    if (home / "plugins" / "opensearch-security").is_dir():
        options["plugins.security.disabled"] = "true"
    return options


def launch(
    settings: Settings,
    *,
    data_dir: Path,
    log_dir: Path,
    port: int | None = None,
    home: Path | None = None,
    options: Mapping[str, str | None] | None = None,
) -> tuple[subprocess.Popen[bytes], str]:
    """Start a node process without waiting for it; its private config and tmp folders go beside `log_dir`.

    `home` is another unpacked distribution (one with a plugin installed); `options` override the `-E` settings
    of a single development node, None removing one (a node of a cluster has no `discovery.type`).
    """
    home = home or ensure_distribution(settings)
    port = port or free_port()
    for folder in (data_dir, log_dir, log_dir.parent / "tmp"):
        folder.mkdir(parents=True, exist_ok=True)
    config = _private_config(home, log_dir.parent / "config", log_dir=log_dir, data_dir=data_dir)
    env = {
        **os.environ,
        "OPENSEARCH_PATH_CONF": str(config),
        "OPENSEARCH_TMPDIR": str(log_dir.parent / "tmp"),
        "OPENSEARCH_JAVA_OPTS": f"-Xms{settings.opensearch_heap} -Xmx{settings.opensearch_heap}",
    }
    if java := java_home():
        env["JAVA_HOME"] = java
    command = [*unprivileged_prefix(), str(home / "bin" / "opensearch")]
    settled: dict[str, str | None] = {
        **_options(home, port=port, data_dir=data_dir, log_dir=log_dir),
        **(options or {}),
    }
    for key, value in settled.items():
        if value is not None:
            command += ["-E", f"{key}={value}"]
    with (log_dir / CONSOLE_LOG).open("ab") as console:
        process = subprocess.Popen(
            command, env=env, stdout=console, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
    return process, f"http://127.0.0.1:{port}"


def wait_until_ready(url: str, *, process: subprocess.Popen[bytes] | None, log_file: Path, timeout_s: float) -> None:
    """Poll cluster health until yellow, with backoff; fail early, with the log's tail, if the process dies."""
    deadline = time.monotonic() + timeout_s
    delay = 0.2
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise NodeError(f"OpenSearch exited with {process.returncode}:\n{_tail(log_file)}")
        try:
            response = httpx.get(
                f"{url}/_cluster/health", params={"wait_for_status": "yellow", "timeout": "1s"}, timeout=5.0
            )
            if response.status_code == 200 and response.json().get("status") in ("green", "yellow"):
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(delay)
        delay = min(delay * 1.5, 2.0)
    raise NodeError(f"OpenSearch at {url} did not become ready within {timeout_s:.0f} s:\n{_tail(log_file)}")


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _process_started(pid: int) -> int | None:
    """Start time (clock ticks since boot, field 22 of /proc/<pid>/stat) of a running process; None if gone.

    A zombie counts as gone: it has exited, only its parent has not collected the exit status yet.
    """
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] in ("Z", "X") else int(fields[19])


def _state_file(settings: Settings) -> Path:
    return settings.node_dir / "node.json"


def _record(settings: Settings, info: NodeInfo) -> None:
    """Write node.json through a rename, so a reader never sees half a file."""
    state = _state_file(settings)
    state.parent.mkdir(parents=True, exist_ok=True)
    staging = state.with_suffix(".tmp")
    staging.write_text(json.dumps(asdict(info)))
    staging.replace(state)


def is_alive(info: NodeInfo) -> bool:
    """The recorded process still runs: same pid and same start time (a reused pid has another)."""
    return _process_started(info.pid) == info.started


def status(settings: Settings) -> NodeInfo | None:
    """The recorded local node if its process is still running."""
    try:
        info = NodeInfo(**json.loads(_state_file(settings).read_text()))
    except (OSError, ValueError, TypeError):
        return None
    return info if is_alive(info) else None


def start(settings: Settings, *, port: int | None = None, data_dir: Path | None = None) -> NodeInfo:
    """Start the local node, or return the one already running (idempotent); returns once it is yellow."""
    running = status(settings)
    if running is not None:
        wait_until_ready(running.url, process=None, log_file=Path(running.log_file), timeout_s=START_TIMEOUT_S)
        return running
    home = ensure_distribution(settings)
    data_dir = data_dir or settings.node_dir / "data"
    log_dir = settings.node_dir / "logs"
    process, url = launch(settings, data_dir=data_dir, log_dir=log_dir, port=port)
    info = NodeInfo(
        url=url,
        pid=process.pid,
        port=int(url.rsplit(":", 1)[1]),
        home=str(home),
        data_dir=str(data_dir),
        log_file=str(log_dir / CONSOLE_LOG),
        started=_process_started(process.pid) or 0,
    )
    _record(settings, info)
    try:
        wait_until_ready(url, process=process, log_file=Path(info.log_file), timeout_s=START_TIMEOUT_S)
    except NodeError:
        stop(settings)
        raise
    return info


def stop(settings: Settings) -> bool:
    """Stop exactly the recorded process (its whole group); False when nothing was running."""
    info = status(settings)
    _state_file(settings).unlink(missing_ok=True)
    if info is None:
        return False
    terminate(info.pid, started=info.started)
    return True


def terminate(pid: int, *, started: int | None = None, timeout_s: float = STOP_TIMEOUT_S) -> None:
    """SIGTERM the process group led by `pid`, SIGKILL it if still running after `timeout_s`.

    With `started`, nothing is signalled unless the pid still belongs to the process that was recorded.
    """
    current = _process_started(pid)
    if current is None or (started is not None and current != started):
        return
    for sig, wait_s in ((signal.SIGTERM, timeout_s), (signal.SIGKILL, 5.0)):
        if _process_started(pid) != current:
            return
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and _process_started(pid) == current:
            time.sleep(0.1)


def resolve_url(settings: Settings) -> str:
    """The configured cluster, else the running local node, else OpenSearch's usual local address."""
    if settings.opensearch_url:
        return settings.opensearch_url
    info = status(settings)
    return info.url if info is not None else DEFAULT_URL
