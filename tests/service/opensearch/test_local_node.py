"""The local node: fetched and unpacked once, started once, found again, stopped exactly."""

import json
import os
import stat
import subprocess
import zipfile
from dataclasses import asdict
from pathlib import Path

import httpx
import pytest

from service.opensearch import local_node
from service.settings import DEFAULT_CACHE, Settings


def _settings(tmp_path: Path, **overrides) -> Settings:
    values = {"home": tmp_path / "home", "cache_dir": DEFAULT_CACHE, "opensearch_url": "", **overrides}
    return Settings(**values)


def _start_time(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])


def _record(settings: Settings, process: subprocess.Popen, *, started: int) -> local_node.NodeInfo:
    info = local_node.NodeInfo(
        url="http://127.0.0.1:1",
        pid=process.pid,
        port=1,
        home="/nowhere",
        data_dir="/nowhere",
        log_file="/nowhere/console.log",
        started=started,
    )
    settings.node_dir.mkdir(parents=True, exist_ok=True)
    (settings.node_dir / "node.json").write_text(json.dumps(asdict(info)))
    return info


@pytest.fixture
def sleeper():
    process = subprocess.Popen(["sleep", "60"], start_new_session=True)
    yield process
    process.kill()
    process.wait()


@pytest.mark.skipif(bool(os.environ.get("CONTACT_LOOKUP_OPENSEARCH_URL")), reason="uses the configured cluster")
def test_start_is_idempotent_and_stop_ends_exactly_that_process(tmp_path):
    settings = _settings(tmp_path)
    info = local_node.start(settings, data_dir=tmp_path / "data")
    try:
        assert local_node.start(settings) == info
        assert local_node.status(settings) == info
        assert local_node.resolve_url(settings) == info.url
        assert json.loads((settings.node_dir / "node.json").read_text())["pid"] == info.pid
        assert os.getsid(info.pid) == info.pid
        root = httpx.get(info.url).json()
        assert (root["cluster_name"], root["version"]["number"]) == ("contact-lookup", settings.opensearch_version)
        assert any((tmp_path / "data").iterdir())
    finally:
        assert local_node.stop(settings) is True
    assert not local_node.is_alive(info)
    assert not (settings.node_dir / "node.json").exists()
    with pytest.raises(httpx.TransportError):
        httpx.get(info.url, timeout=2)
    assert local_node.status(settings) is None
    assert local_node.stop(settings) is False


def test_status_reports_nothing_after_stop(tmp_path, sleeper):
    settings = _settings(tmp_path)
    info = _record(settings, sleeper, started=_start_time(sleeper.pid))
    assert local_node.status(settings) == info

    assert local_node.stop(settings) is True

    assert sleeper.wait(timeout=5) == -15
    assert local_node.status(settings) is None
    assert local_node.stop(settings) is False


def test_stop_leaves_a_reused_pid_alone(tmp_path, sleeper):
    settings = _settings(tmp_path)
    _record(settings, sleeper, started=_start_time(sleeper.pid) - 1)

    assert local_node.status(settings) is None
    assert local_node.stop(settings) is False

    assert sleeper.poll() is None
    assert not (settings.node_dir / "node.json").exists()


def test_start_fails_early_with_the_log_tail_when_the_node_exits(tmp_path, monkeypatch):
    home = tmp_path / "fake-opensearch"
    (home / "config").mkdir(parents=True)
    (home / "config" / "jvm.options").write_text("-XX:ErrorFile=logs/hs_err_pid%p.log\n")
    script = home / "bin" / "opensearch"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\necho 'bootstrap checks failed: pretend'\nexit 3\n")
    script.chmod(0o755)
    monkeypatch.setenv("OPENSEARCH_HOME", str(home))
    settings = _settings(tmp_path)

    with pytest.raises(local_node.NodeError, match="bootstrap checks failed: pretend"):
        local_node.start(settings)

    assert local_node.status(settings) is None
    assert not (settings.node_dir / "node.json").exists()
    assert str(settings.node_dir / "logs") in (settings.node_dir / "config" / "jvm.options").read_text()


def test_resolve_url_prefers_configured_url(tmp_path):
    settings = _settings(tmp_path, opensearch_url="http://search.example:9200")
    assert local_node.resolve_url(settings) == "http://search.example:9200"


def test_resolve_url_falls_back_to_the_usual_local_address(tmp_path):
    assert local_node.resolve_url(_settings(tmp_path)) == "http://127.0.0.1:9200"


def test_ensure_distribution_prefers_opensearch_home(tmp_path, monkeypatch):
    home = tmp_path / "opensearch"
    (home / "bin").mkdir(parents=True)
    (home / "bin" / "opensearch").write_text("")
    monkeypatch.setenv("OPENSEARCH_HOME", str(home))
    assert local_node.ensure_distribution(_settings(tmp_path, cache_dir=tmp_path / "cache")) == home


def test_ensure_distribution_unpacks_the_cached_zip_with_executable_scripts(tmp_path, monkeypatch):
    monkeypatch.delenv("OPENSEARCH_HOME", raising=False)
    settings = _settings(tmp_path, cache_dir=tmp_path / "cache", opensearch_version="9.9.9")
    dist = settings.cache_dir / "dist"
    dist.mkdir(parents=True)
    with zipfile.ZipFile(dist / "opensearch-9.9.9.zip", "w") as archive:
        archive.writestr("opensearch-9.9.9/bin/opensearch", "#!/bin/sh\n")
        archive.writestr("opensearch-9.9.9/config/jvm.options", "")
    (dist / "analysis-common-9.9.9.jar").write_bytes(b"jar")

    home = local_node.ensure_distribution(settings)

    assert home == settings.cache_dir / "opensearch-9.9.9"
    assert (home / "bin" / "opensearch").stat().st_mode & stat.S_IXUSR
    assert (
        "classname=org.opensearch.analysis.common"
        in (home / "modules" / "analysis-common" / "plugin-descriptor.properties").read_text()
    )
    assert sorted(p.name for p in settings.cache_dir.iterdir()) == ["dist", "opensearch-9.9.9"]


def test_ensure_distribution_explains_that_maven_is_missing(tmp_path, monkeypatch):
    monkeypatch.delenv("OPENSEARCH_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    settings = _settings(tmp_path, cache_dir=tmp_path / "cache")
    with pytest.raises(local_node.NodeError, match=r"mvn.*OPENSEARCH_HOME"):
        local_node.ensure_distribution(settings)
