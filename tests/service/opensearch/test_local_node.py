"""The local node: started once, found again, stopped exactly."""

import os

import pytest

from service.opensearch import local_node
from service.settings import Settings


@pytest.mark.skipif(bool(os.environ.get("CONTACT_LOOKUP_OPENSEARCH_URL")), reason="uses the configured cluster")
def test_start_is_idempotent_and_stop_ends_exactly_that_process(tmp_path):
    settings = Settings(home=tmp_path, opensearch_heap="256m")
    info = local_node.start(settings)
    try:
        assert local_node.start(settings) == info
        assert local_node.status(settings) == info
        assert local_node.resolve_url(settings) == info.url
    finally:
        assert local_node.stop(settings) is True
    assert local_node.status(settings) is None
    assert not local_node.is_alive(info)
    assert local_node.stop(settings) is False


def test_resolve_url_prefers_the_configured_cluster(tmp_path):
    assert (
        local_node.resolve_url(Settings(home=tmp_path, opensearch_url="http://example:9200")) == "http://example:9200"
    )
