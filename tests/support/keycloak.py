"""A real identity provider for the single-sign-on tests: Keycloak from Maven Central, started once per session.

`org.keycloak:keycloak-quarkus-dist` is fetched with `mvn dependency:copy` (as the OpenSearch distribution is) into
the cache folder and unpacked there once. Keycloak 26 needs Java 21 or newer: the JDK is found by glob under
/usr/lib/jvm (or JAVA_HOME), never by one hard-coded version. Each session runs `bin/kc.sh start-dev` from a home
of its own (the scripts copied, the libraries linked to the cached copy) with an in-memory database, on free
loopback ports, and creates the test realm (`keycloak/realm.json`) through the admin REST API: every session
starts from the same realm, whatever an earlier one changed. Only the process group this module started is
stopped. Keycloak does not mind running as root.

Starting a fresh copy the first time re-augments it (a minute or so); later starts take about 20 s. Starts are
serialised by a lock file beside the cache, so two sessions never augment the same copy at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.opensearch import local_node
from service.settings import Settings

VERSION = os.environ.get("CONTACT_LOOKUP_TEST_KEYCLOAK_VERSION", "26.5.6")
ARTIFACT = "org.keycloak:keycloak-quarkus-dist:{version}:zip"
REALM_FILE = Path(__file__).parent / "keycloak" / "realm.json"
REALM = "contact-lookup"
AUDIENCE = "contact-lookup-api"
CONSOLE_CLIENT = "contact-lookup-console"
TEST_CLIENT = "contact-lookup-tests"
SHORT_LIVED_CLIENT = "contact-lookup-tests-short"
OTHER_AUDIENCE_CLIENT = "other-api-tests"
PASSWORDS = {"agent-bu01": "agent-bu01-pw", "agent-bu02": "agent-bu02-pw", "admin": "admin-pw"}
PASSWORDS |= {"leaver": "leaver-pw", "nobody": "nobody-pw"}
BOOTSTRAP_ADMIN = ("kcadmin", "kcadmin-pw")
MIN_JAVA = 21
START_TIMEOUT_S = 300.0
STOP_TIMEOUT_S = 20.0
FETCH_TIMEOUT_S = 900.0


class KeycloakError(RuntimeError):
    """Keycloak could not be fetched, started or configured; the message says why (with the log's tail)."""


def java_home() -> Path | None:
    """A JDK of Java 21+: JAVA_HOME when it is one, else the newest Temurin (then any JDK) under /usr/lib/jvm."""
    candidates = [Path(os.environ["JAVA_HOME"])] if os.environ.get("JAVA_HOME") else []
    for pattern in ("temurin-*", "*"):
        candidates += sorted(Path("/usr/lib/jvm").glob(pattern), key=_java_major, reverse=True)
    return next((home for home in candidates if _java_major(home) >= MIN_JAVA), None)


def _java_major(home: Path) -> int:
    """The major version a JDK's `release` file names (0 when it is no JDK)."""
    try:
        release = (home / "release").read_text()
    except OSError:
        return 0
    match = re.search(r'^JAVA_VERSION="(\d+)', release, re.MULTILINE)
    return int(match.group(1)) if match and (home / "bin" / "java").is_file() else 0


def ensure_distribution(cache_dir: Path) -> Path:
    """The unpacked Keycloak home in the cache; fetched and unpacked at most once per version."""
    home = cache_dir / f"keycloak-{VERSION}"
    if (home / "bin" / "kc.sh").is_file():
        return home
    archive = cache_dir / "dist" / f"keycloak-quarkus-dist-{VERSION}.zip"
    if not archive.is_file():
        mvn = shutil.which("mvn")
        if mvn is None:
            raise KeycloakError("Maven (mvn) is needed once to fetch Keycloak from Maven Central")
        archive.parent.mkdir(parents=True, exist_ok=True)
        artifact = ARTIFACT.format(version=VERSION)
        command = [mvn, "-q", "-B", "dependency:copy", f"-Dartifact={artifact}", f"-DoutputDirectory={archive.parent}"]
        result = subprocess.run(
            command, capture_output=True, text=True, cwd=tempfile.gettempdir(), timeout=FETCH_TIMEOUT_S, check=False
        )
        if result.returncode != 0 or not archive.is_file():
            raise KeycloakError(f"fetching {artifact} with mvn failed:\n{result.stdout}{result.stderr}")
    staging = Path(tempfile.mkdtemp(prefix=".unpack-keycloak-", dir=cache_dir))
    try:
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(staging)
        (top,) = [p for p in staging.iterdir() if p.is_dir()]
        for script in (top / "bin").glob("*.sh"):
            script.chmod(script.stat().st_mode | 0o755)
        with contextlib.suppress(OSError):
            top.rename(home)
        if not (home / "bin" / "kc.sh").is_file():
            raise KeycloakError(f"unpacking {archive} gave no bin/kc.sh")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return home


@dataclass
class Keycloak:
    """A running Keycloak with the test realm; `issuer` is what its tokens carry in `iss`."""

    url: str
    process: subprocess.Popen[bytes]
    log_file: Path
    start_s: float

    @property
    def issuer(self) -> str:
        return f"{self.url}/realms/{REALM}"

    def token(self, username: str, *, client_id: str = TEST_CLIENT) -> dict[str, Any]:
        """What a client gets from the password grant (a direct-grant client), as a client would ask for it."""
        response = httpx.post(
            f"{self.issuer}/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "client_id": client_id,
                "username": username,
                "password": PASSWORDS[username],
                "scope": "openid",
            },
            timeout=30,
        )
        if response.status_code != 200:
            raise KeycloakError(f"no token for {username}: {response.status_code} {response.text}")
        return response.json()

    def try_token(self, username: str) -> httpx.Response:
        return httpx.post(
            f"{self.issuer}/protocol/openid-connect/token",
            data={"grant_type": "password", "client_id": TEST_CLIENT, "username": username,
                  "password": PASSWORDS[username]},
            timeout=30,
        )  # fmt: skip

    def admin(self, method: str, path: str, body: Any = None) -> httpx.Response:
        """The admin REST API (`/admin/realms/...`), as the bootstrap admin."""
        response = httpx.post(
            f"{self.url}/realms/master/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "client_id": "admin-cli",
                "username": BOOTSTRAP_ADMIN[0],
                "password": BOOTSTRAP_ADMIN[1],
            },
            timeout=30,
        )
        response.raise_for_status()
        headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
        answer = httpx.request(method, f"{self.url}/admin{path}", json=body, headers=headers, timeout=60)
        if answer.status_code >= 400:
            raise KeycloakError(f"{method} /admin{path}: {answer.status_code} {answer.text}")
        return answer

    def user_id(self, username: str) -> str:
        found = self.admin("GET", f"/realms/{REALM}/users?username={username}&exact=true").json()
        return str(found[0]["id"])

    def set_enabled(self, username: str, enabled: bool) -> None:
        self.admin("PUT", f"/realms/{REALM}/users/{self.user_id(username)}", {"enabled": enabled})

    def stop(self) -> None:
        """SIGTERM the process group this module started, SIGKILL it if it lingers."""
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def start(root: Path, cache_dir: Path) -> Keycloak:
    """Keycloak from a home of its own under `root`, the realm created; bounded by START_TIMEOUT_S."""
    java = java_home()
    if java is None:
        raise KeycloakError(f"Keycloak {VERSION} needs Java {MIN_JAVA}+; none under /usr/lib/jvm nor in JAVA_HOME")
    cache_dir.mkdir(parents=True, exist_ok=True)
    with open(cache_dir / "keycloak.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        shared = ensure_distribution(cache_dir)
        home = root / "keycloak"
        home.mkdir(parents=True)
        shutil.copytree(shared / "bin", home / "bin")
        for name in ("lib", "themes", "providers", "conf"):
            (home / name).symlink_to(shared / name)
        port, management_port = local_node.free_port(), local_node.free_port()
        log_file = root / "keycloak.log"
        command = [
            str(home / "bin" / "kc.sh"),
            "start-dev",
            f"--http-port={port}",
            "--http-host=127.0.0.1",
            f"--http-management-port={management_port}",
            "--db=dev-mem",
            "--health-enabled=false",
            "--metrics-enabled=false",
        ]
        env = {
            **os.environ,
            "JAVA_HOME": str(java),
            "KC_BOOTSTRAP_ADMIN_USERNAME": BOOTSTRAP_ADMIN[0],
            "KC_BOOTSTRAP_ADMIN_PASSWORD": BOOTSTRAP_ADMIN[1],
            "JAVA_OPTS_KC_HEAP": "-Xms64m -Xmx512m",
        }
        started = time.monotonic()
        with open(log_file, "wb") as log:
            process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=home, start_new_session=True
            )
        keycloak = Keycloak(url=f"http://127.0.0.1:{port}", process=process, log_file=log_file, start_s=0.0)
        try:
            _wait_until_up(keycloak, started)
        except BaseException:
            keycloak.stop()
            raise
    try:
        realm = json.loads(REALM_FILE.read_text())
        keycloak.admin("POST", "/realms", realm)
    except BaseException:
        keycloak.stop()
        raise
    keycloak.start_s = time.monotonic() - started
    return keycloak


def _wait_until_up(keycloak: Keycloak, started: float) -> None:
    while time.monotonic() - started < START_TIMEOUT_S:
        if keycloak.process.poll() is not None:
            raise KeycloakError(f"Keycloak exited with {keycloak.process.returncode}:\n{_tail(keycloak.log_file)}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{keycloak.url}/realms/master", timeout=5).status_code == 200:
                return
        time.sleep(1)
    raise KeycloakError(f"Keycloak did not answer within {START_TIMEOUT_S:.0f} s:\n{_tail(keycloak.log_file)}")


def _tail(path: Path, lines: int = 30) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return ""


@pytest.fixture(scope="session")
def keycloak(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Keycloak]:
    """Keycloak with the test realm, for the session; skipped (failed under CI) where no Java 21+ is found."""
    if java_home() is None:
        message = f"Keycloak {VERSION} needs Java {MIN_JAVA}+ (a Temurin JDK under /usr/lib/jvm, or JAVA_HOME)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    provider = start(tmp_path_factory.mktemp("keycloak"), Settings().cache_dir)
    print(f"\nKeycloak {VERSION} at {provider.url}, ready in {provider.start_s:.1f} s")
    try:
        yield provider
    finally:
        provider.stop()
