"""The Dockerfile builds in stages, runs unprivileged with a HEALTHCHECK, and installs the locked, hash-checked
dependencies that CI installs too; the lock names every dependency pyproject.toml declares."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def instructions() -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    lines = [line.strip() for line in joined.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in lines]


def stages() -> list[list[tuple[str, str]]]:
    found: list[list[tuple[str, str]]] = []
    for keyword, rest in instructions():
        if keyword == "FROM":
            found.append([])
        if found:
            found[-1].append((keyword, rest))
    return found


def locked(path: Path) -> dict[str, str]:
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)", path.read_text(), flags=re.MULTILINE)
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in pins}


def names(requirements: list[str]) -> set[str]:
    return {re.sub(r"[-_.]+", "-", re.split(r"[\[<>=!~; ]", r, maxsplit=1)[0]).lower() for r in requirements}


def test_the_image_is_built_in_stages_and_runs_unprivileged():
    build, runtime = stages()[0], stages()[-1]
    assert len(stages()) >= 2
    assert any(keyword == "RUN" and "--require-hashes -r requirements/app.txt" in rest for keyword, rest in build)
    assert any(keyword == "COPY" and rest.startswith("--from=build") for keyword, rest in runtime)
    users = [rest for keyword, rest in runtime if keyword == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert not any(keyword == "RUN" and "pip install" in rest for keyword, rest in runtime), "nothing built at run"


def test_the_image_has_a_healthcheck_on_the_liveness_route():
    [check] = [rest for keyword, rest in stages()[-1] if keyword == "HEALTHCHECK"]
    assert "CMD" in check and "/health" in check


def test_the_image_runs_the_api():
    [command] = [rest for keyword, rest in stages()[-1] if keyword == "CMD"]
    assert command.startswith('["contact-lookup", "serve"')


def test_every_lock_is_fully_pinned_and_hashed():
    for path in (ROOT / "requirements").glob("*.txt"):
        text = path.read_text()
        pins = re.findall(r"^[A-Za-z0-9_.-]+==", text, flags=re.MULTILINE)
        entries = re.findall(r"^[A-Za-z0-9_.-]+[^\n]*$", text, flags=re.MULTILINE)
        assert pins and len(pins) == len(entries), f"{path.name}: an unpinned entry"
        assert text.count("--hash=sha256:") >= len(pins), path.name


def test_the_locks_hold_every_declared_dependency():
    project = PYPROJECT["project"]
    app = locked(ROOT / "requirements" / "app.txt")
    ci = locked(ROOT / "requirements" / "ci.txt")
    extras = project["optional-dependencies"]
    missing_app = names(project["dependencies"] + extras["otel"]) - set(app)
    missing_ci = names(project["dependencies"] + extras["otel"] + extras["dev"]) - set(ci)
    assert not missing_app, f"relock requirements/app.txt (README, Deployment): {missing_app}"
    assert not missing_ci, f"relock requirements/ci.txt (README, Deployment): {missing_ci}"
    shared = set(app) & set(ci)
    assert {name: app[name] for name in shared} == {name: ci[name] for name in shared}, "one version of each"


def test_ci_installs_from_the_lock_then_the_project_without_its_dependencies():
    script = (ROOT / ".ci" / "run").read_text()
    assert "pip install --quiet --require-hashes -r requirements/ci.txt" in script
    assert "pip install --quiet --no-deps -e ." in script
    assert script.rstrip().splitlines()[-1] == "python -m pytest"
