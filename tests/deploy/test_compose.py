"""docker-compose.yml, read as Docker Compose reads it (no engine runs here): every service names an image or a
build, runs only commands and options the CLI has, is health-checked, and starts in the order the product needs."""

import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
import yaml

from service.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict = COMPOSE["services"]
PRODUCT = {name for name, service in SERVICES.items() if "build" in service}
DONE = "service_completed_successfully"
HEALTHY = "service_healthy"


@cache
def cli_help(*path: str) -> str:
    """`contact-lookup [path] --help`, as the installed entry point would print it."""
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", *path, "--help"], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, f"contact-lookup {' '.join(path)} --help: {result.stderr}"
    return result.stdout


def listed(help_text: str, name: str) -> bool:
    return re.search(rf"^\W*\s{re.escape(name)}\s", help_text, flags=re.MULTILINE) is not None


def test_every_service_names_an_image_or_a_build():
    for name, service in SERVICES.items():
        assert service.get("image") or service.get("build"), name
    assert {"migrate", "api", "sync-worker", "api-secured", "sync-worker-secured"} == PRODUCT


@pytest.mark.parametrize("name", sorted(PRODUCT))
def test_product_services_run_commands_and_options_the_cli_has(name):
    command = SERVICES[name]["command"]
    assert isinstance(command, list) and command[0] == "contact-lookup", name
    words = [word for word in command[1:] if not word.startswith("-")]
    # Subcommands first (`db upgrade`, `index sync`, `serve`), each listed by the --help of the level above.
    path: list[str] = []
    for word in words:
        level = cli_help(*path)
        if not listed(level, word):
            break
        path.append(word)
    assert path, f"{name}: `{command[1]}` is not a command of `contact-lookup --help`"
    options = [word.split("=")[0] for word in command[1:] if word.startswith("--")]
    own_help = cli_help(*path)
    for option in options:
        assert option in own_help, f"{name}: `contact-lookup {' '.join(path)}` has no {option}"


def test_the_listing_check_refuses_a_command_the_cli_lacks():
    assert not listed(cli_help(), "no-such-command")
    assert listed(cli_help(), "serve") and listed(cli_help("db"), "upgrade") and listed(cli_help("index"), "sync")


def test_every_long_running_service_has_a_healthcheck():
    for name, service in SERVICES.items():
        if name == "migrate":
            continue
        check = service.get("healthcheck")
        assert check and not check.get("disable") and check.get("test"), name
        assert check["test"][0] in ("CMD", "CMD-SHELL"), name


def test_migrations_run_once_before_every_other_product_service():
    migrate = SERVICES["migrate"]
    assert migrate["command"] == ["contact-lookup", "db", "upgrade"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == HEALTHY
    for name in PRODUCT - {"migrate"}:
        depends = SERVICES[name]["depends_on"]
        assert depends["migrate"]["condition"] == DONE, name
        engine = "opensearch-secured" if name.endswith("-secured") else "opensearch"
        assert depends[engine]["condition"] == HEALTHY, name
        assert depends["postgres"]["condition"] == HEALTHY, name


def test_the_chain_has_no_cycle_and_names_only_defined_services():
    def reach(name, seen=()):
        assert name in SERVICES, f"depends_on names an unknown service {name}"
        assert name not in seen, f"cycle through {name}"
        for other in SERVICES[name].get("depends_on", {}):
            reach(other, (*seen, name))

    for name in SERVICES:
        reach(name)


def test_the_api_leaves_the_outbox_to_the_sync_worker_service():
    for api, worker in (("api", "sync-worker"), ("api-secured", "sync-worker-secured")):
        assert "--no-sync" in SERVICES[api]["command"]
        assert SERVICES[worker]["command"] == ["contact-lookup", "index", "sync"]


def test_state_lives_in_named_volumes():
    declared = set(COMPOSE["volumes"])
    used = set()
    for name, service in SERVICES.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert not source.startswith(("/", ".")), f"{name} mounts a host path: {volume}"
            used.add(source)
    assert used == declared
    assert "postgres-data" in used and "opensearch-data" in used


def test_images_are_the_versions_the_tests_use():
    assert SERVICES["opensearch"]["image"] == f"opensearchproject/opensearch:{Settings().opensearch_version}"
    assert SERVICES["opensearch-secured"]["image"] == "opensearchproject/opensearch:2.19.4"
    assert SERVICES["postgres"]["image"] == "postgres:15"


def test_the_secured_profile_turns_the_security_plugin_on():
    secured = {name for name, service in SERVICES.items() if "secured" in service.get("profiles", [])}
    assert secured == {"opensearch-secured", "api-secured", "sync-worker-secured"}
    engine = SERVICES["opensearch-secured"]["environment"]
    assert "OPENSEARCH_INITIAL_ADMIN_PASSWORD" in engine
    assert "DISABLE_SECURITY_PLUGIN" not in engine and "DISABLE_INSTALL_DEMO_CONFIG" not in engine
    for name in ("api-secured", "sync-worker-secured"):
        environment = SERVICES[name]["environment"]
        assert environment["CONTACT_LOOKUP_OPENSEARCH_URL"].startswith("https://")
        assert environment["CONTACT_LOOKUP_OPENSEARCH_USERNAME"] and environment["CONTACT_LOOKUP_OPENSEARCH_CA_CERTS"]


def test_product_settings_in_the_compose_file_are_settings_of_the_product():
    known = {f"CONTACT_LOOKUP_{name.upper()}" for name in Settings.model_fields}
    known |= {"CONTACT_LOOKUP_OPENSEARCH_USERNAME", "CONTACT_LOOKUP_OPENSEARCH_PASSWORD"}
    known |= {"CONTACT_LOOKUP_OPENSEARCH_CA_CERTS"}  # the secured-cluster settings (issue 22, item 1)
    for name in PRODUCT:
        for variable in SERVICES[name]["environment"]:
            assert variable in known, f"{name}: {variable} is no setting"
