"""The benchmarks run end to end at a tiny size, so their code cannot rot between measurements."""

import pytest

from bench import capacity, flush, importing, indexing, search


@pytest.fixture(scope="module")
def bench_dir(tmp_path_factory):
    """Shared by both benches, so the tiny demo database is generated once."""
    return tmp_path_factory.mktemp("bench")


@pytest.fixture
def bench_env(monkeypatch, bench_dir, opensearch_url, os_client):
    """The benches keep their indices for reuse; on a cluster that outlives the suite, the tests' are dropped."""
    monkeypatch.setenv("CONTACT_LOOKUP_BENCH_DIR", str(bench_dir))
    monkeypatch.setenv("CONTACT_LOOKUP_OPENSEARCH_URL", opensearch_url)
    before = set(os_client.indices.get(index="bench-*"))
    yield
    left = set(os_client.indices.get(index="bench-*")) - before
    if left:
        os_client.indices.delete(index=",".join(sorted(left)))


def test_indexing_bench_measures_rebuild_raw_bulk_and_freshness(bench_env):
    result = indexing.main(["--contacts", "60", "--writes", "6", "--threads", "2"])
    assert result["contacts"] == 60 and result["documents"] > 60
    assert result["rebuild_contacts_per_s"] > 0 and result["raw_bulk_contacts_per_s"] > 0
    assert result["rebuild_peak_rss_mb"] > 0
    assert len(result["rounds"]) == 2 and all(r["raw_bulk_seconds"] > 0 for r in result["rounds"])
    assert result["freshness"]["writes"] == 6


def test_search_bench_times_every_lookup_through_the_service_and_raw(bench_env):
    result = search.main(["--contacts", "60", "--samples", "3", "--warmup", "1", "--postgres-url", ""])
    base = {"quick =", "quick like %x%", "phone", "advanced nested", "recent", "context"}
    likes = {
        f"{field} like {form}"
        for field in ("name", "phone", "account_number")
        for form in search.like_rows("", "abcdefgh")
    }
    assert base | likes <= set(result["service"])
    refused = {name for name in result["service"] if name.endswith(" %x%") or name.endswith(" %x%y%")} - base
    assert refused and set(result["raw"]) == set(result["service"]) - {"context"} - refused
    assert set(result["sqlite"]) == base - {"context"}
    assert all(timing.samples == 3 for timing in result["service"].values())
    # The identifying rows, each through the service and raw, each sample finding a stored value's contact.
    identifying = {
        "caller lookup",
        "any: phone",
        "any: name",
        "any: account number",
        "suggest name",
        "suggest phone",
        "transaction_number",
    }
    assert identifying <= set(result["raw"]) and identifying <= set(result["service"])
    assert not identifying & set(result["empty"]), result["empty"]


def test_search_bench_reuses_the_indices_an_earlier_run_built(bench_env):
    first = search.main(["--contacts", "60", "--samples", "1", "--warmup", "0", "--postgres-url", ""])
    again = ["--contacts", "60", "--samples", "2", "--warmup", "0", "--postgres-url", ""]
    result = search.main([*again, "--index-prefix", first["index_prefix"]])
    assert result["index_prefix"] == first["index_prefix"]
    assert all(timing.samples == 2 for timing in result["raw"].values())
    with pytest.raises(SystemExit, match="does not exist"):
        search.main([*again, "--index-prefix", "never-built"])


def test_importing_bench_gives_the_contacts_and_their_items_rates_and_the_items_feed_in_one_run(bench_env, os_client):
    result = importing.main(["--contacts", "30", "--timeout", "300"])
    assert result["contacts"] == 30 and result["items"] > 30, "the demo accounts carry about ten items a contact"
    (figures,) = result["rounds"]
    assert figures["import_contacts_per_s"] > 0 and figures["import_items_per_s"] > figures["import_contacts_per_s"]
    assert figures["rebuild_seconds"] > 0 and figures["ratio"] > 0
    # Every item of the imported database fed back changed (the run checks each line was an update).
    assert figures["feed_items"] == result["items"] and figures["feed_items_per_s"] > 0
    assert figures["feed_until_searchable_seconds"] >= figures["feed_seconds"]
    assert not os_client.indices.get(index="bench-im-*"), "the run drops its indices"


def test_flush_bench_times_a_patch_replacing_subscriptions_at_each_size(bench_env):
    result = flush.main(["--sizes", "1", "2", "4", "--services", "3", "--items", "2"])
    assert set(result["sizes"]) == {1, 2, 4} and result["ratio_of"] == [4, 2]
    assert all(row["seconds"] > 0 for row in result["sizes"].values())
    assert result["per_subscription_ratio"] > 0


def test_capacity_bench_measures_every_operation_at_each_level_through_the_service_and_raw(bench_env, os_client):
    result = capacity.main(
        ["--contacts", "300", "--workers", "2", "--levels", "1,2", "--slice", "1", "--rounds", "1", "--warmup", "0"]
    )
    assert set(result["levels"]) == {1, 2}
    for level in result["levels"].values():
        assert set(level) == set(capacity.OPERATIONS)
        for name, figures in level.items():
            sides = [figures["service"], *([figures["raw"]] if name in capacity.RAW_TOO else [])]
            assert all(side["per_second"] > 0 and side["errors"] == 0 for side in sides), (name, figures)
            assert (figures["throughput_ratio"] or 0) > 0 if name in capacity.RAW_TOO else figures["raw"] is None
    assert set(result["p99_under_50ms"]) == {*capacity.OPERATIONS, "every operation"}
    assert not os_client.indices.get(index=f"{result['index_prefix']}-*"), "the run drops its indices"
