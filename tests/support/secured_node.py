"""A real secured OpenSearch node for the tests: the 2.19.4 integ-test distribution with the security plugin.

The plugin zip comes from Maven Central like the distribution (`local_node.fetch_artifact`), is installed with
`opensearch-plugin install --batch`, and the plugin's own demo installer writes its demo certificates (a root
CA, the node's, and the `kirk` admin client certificate) and an HTTPS-only configuration into the
distribution's config folder. The result is cached beside the plain distributions, built once through a
staging folder and a rename (a killed build never looks finished).

Two changes to the demo's security configuration let a client certificate authenticate over HTTP: the client-
certificate authentication domain is enabled for HTTP, and `kirk` is mapped to `all_access`. The TLS layer asks
for a client certificate without requiring one (the demo's default), so basic auth works without one and a
certificate alone authenticates. Observed on 2.19.4: `_plugins/_security/authinfo` names the user by kirk's whole
DN, `CN=kirk,OU=client,O=client,L=test,C=de`, the demo's `admin_dn`, which the plugin lets do anything (so the
`all_access` mapping of the CN is not what grants it). A certificate the CA did not sign is not tested here.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml

from service.opensearch import local_node
from service.settings import Settings

VERSION = "2.19.4"
SECURITY_ARTIFACT = "org.opensearch.plugin:opensearch-security:{version}.0:zip"
# The demo installer refuses a password its zxcvbn check does not rate strong.
ADMIN_USER = "admin"
ADMIN_PASSWORD = "Lookup-Secured-2194!Quartz"
INSTALL_TIMEOUT_S = 300.0
READY_TIMEOUT_S = 180.0


@dataclass(frozen=True)
class Tls:
    """The demo certificates of the secured distribution (paths inside its config folder)."""

    root_ca: Path
    client_cert: Path
    client_key: Path


def ensure_secured_distribution(cache_dir: Path) -> Path:
    """An unpacked 2.19.4 with the security plugin installed and demo-configured; built at most once."""
    home = cache_dir / f"opensearch-{VERSION}-secured"
    if (home / "config" / "root-ca.pem").is_file():
        return home
    plain = local_node.ensure_distribution(Settings(cache_dir=cache_dir, opensearch_version=VERSION))
    plugin = local_node.fetch_artifact(
        SECURITY_ARTIFACT.format(version=VERSION), cache_dir / "dist" / f"opensearch-security-{VERSION}.0.zip"
    )
    staging = Path(tempfile.mkdtemp(prefix=".secured-", dir=cache_dir))
    try:
        built = staging / "home"
        shutil.copytree(plain, built, symlinks=True)
        env = {**os.environ, "OPENSEARCH_PATH_CONF": str(built / "config")}
        if java := local_node.java_home():
            env["JAVA_HOME"] = java
        _run([str(built / "bin" / "opensearch-plugin"), "install", "--batch", plugin.as_uri()], env)
        demo = built / "plugins" / "opensearch-security" / "tools" / "install_demo_configuration.sh"
        demo.chmod(demo.stat().st_mode | 0o755)
        _run(
            ["bash", str(demo), "-y", "-i", "-s"],
            {**env, "OPENSEARCH_HOME": str(built), "OPENSEARCH_INITIAL_ADMIN_PASSWORD": ADMIN_PASSWORD},
        )
        if not (built / "config" / "root-ca.pem").is_file():
            raise local_node.NodeError("the security demo installer wrote no certificates")
        _let_client_certificates_authenticate(built / "config" / "opensearch-security")
        try:
            built.rename(home)
        except OSError:
            if not (home / "config" / "root-ca.pem").is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return home


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(
        command,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=INSTALL_TIMEOUT_S,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        raise local_node.NodeError(
            f"{' '.join(command[:3])} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
        )


def _let_client_certificates_authenticate(security: Path) -> None:
    config_file = security / "config.yml"
    config = yaml.safe_load(config_file.read_text())
    config["config"]["dynamic"]["authc"]["clientcert_auth_domain"]["http_enabled"] = True
    config_file.write_text(yaml.safe_dump(config, sort_keys=False))
    mapping_file = security / "roles_mapping.yml"
    mapping = yaml.safe_load(mapping_file.read_text())
    mapping["all_access"]["users"] = sorted({*mapping["all_access"].get("users", []), "kirk"})
    mapping_file.write_text(yaml.safe_dump(mapping, sort_keys=False))


class SecuredNode:
    """One secured node on free loopback ports (HTTPS and transport), in its own folder; stops what it started."""

    def __init__(self, root: Path, *, cache_dir: Path) -> None:
        self.root = root
        self.home = ensure_secured_distribution(cache_dir)
        self.settings = Settings(home=root, cache_dir=cache_dir, opensearch_version=VERSION)
        self.port = local_node.free_port()
        self.url = f"https://localhost:{self.port}"
        self.log_file = root / "logs" / local_node.CONSOLE_LOG
        config = self.home / "config"
        self.tls = Tls(
            root_ca=config / "root-ca.pem", client_cert=config / "kirk.pem", client_key=config / "kirk-key.pem"
        )
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._process, _ = local_node.launch(
            self.settings,
            data_dir=self.root / "data",
            log_dir=self.root / "logs",
            port=self.port,
            home=self.home,
            options={"plugins.security.disabled": None, "node.name": "contact-lookup-secured"},
        )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_until_ready(self) -> None:
        """Yellow or green over HTTPS with the admin's password; the security index is created on first start."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise local_node.NodeError(f"secured node exited with {self._process.returncode}:\n{self._tail()}")
            with contextlib.suppress(httpx.HTTPError, ValueError):
                response = httpx.get(
                    f"{self.url}/_cluster/health",
                    params={"wait_for_status": "yellow", "timeout": "1s"},
                    auth=(ADMIN_USER, ADMIN_PASSWORD),
                    verify=ssl.create_default_context(cafile=self.tls.root_ca),
                    timeout=5.0,
                )
                if response.status_code == 200 and response.json().get("status") in ("green", "yellow"):
                    return
            time.sleep(0.5)
        raise local_node.NodeError(f"secured node at {self.url} not ready in {READY_TIMEOUT_S:.0f} s:\n{self._tail()}")

    def _tail(self) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-40:])
        return "(no log)"

    def stop(self) -> None:
        if self._process is not None:
            local_node.terminate(self._process.pid)
            self._process.wait()
            self._process = None
