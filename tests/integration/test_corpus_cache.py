"""The corpus cache: one writer per data version, and evicted trial bodies restored by id.

Real redis-server started by the test; the local CT.gov stub serves real snapshot records.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from matcher.adapters.ctgov.client import CtgovClient
from matcher.adapters.ctgov.corpus_query import CorpusQuery
from matcher.adapters.keys import Keys
from matcher.adapters.store import Store, connect
from matcher.services.corpus import TrialCorpus
from matcher.settings import Settings
from tests.support.ctgov_stub import CtgovStub
from tests.support.procs import SNAPSHOT, RedisServer

pytestmark = [pytest.mark.integration]
QUERY = CorpusQuery.for_deployment(["RECRUITING"], any_status=True)


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[tuple[Store, CtgovStub]]:
    server = RedisServer(tmp_path / "redis")
    stub = CtgovStub(SNAPSHOT / "records", data_version="v1", latency_s=0.05)
    settings = Settings(redis_url=server.url)  # type: ignore[arg-type]
    try:
        yield Store(connect(settings), Keys("tm:")), stub
    finally:
        stub.close()
        server.stop()


def corpus(store: Store, stub: CtgovStub) -> TrialCorpus:
    return TrialCorpus(store, CtgovClient(base_url=stub.url), QUERY, ttl_s=600)


def test_concurrent_builders_publish_one_corpus(parts: tuple[Store, CtgovStub]) -> None:
    """Four builders racing on one data version (own clients, one Redis): one search, one record,
    the same trials for all."""
    store, stub = parts
    results: list[list[str]] = []

    def build() -> None:
        results.append([t.nct_id for t in corpus(store, stub).current().trials])

    threads = [threading.Thread(target=build) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 4
    assert all(r == results[0] for r in results)
    assert len(results[0]) == 50
    assert stub.count("/api/v2/studies") == 1


def test_second_publish_for_a_version_is_refused(parts: tuple[Store, CtgovStub]) -> None:
    """The record of a data version is written once (SET NX): a late writer changes nothing."""
    store, stub = parts
    first = corpus(store, stub).ensure("v1")
    assert not store.publish_corpus("v1", '{"query": "other"}', [], 600)
    assert store.corpus_record("v1") == first.to_json()


def test_evicted_bodies_are_fetched_again_by_id(parts: tuple[Store, CtgovStub]) -> None:
    """A trial body gone from Redis under a live record is re-fetched with one filter.ids call."""
    store, stub = parts
    record = corpus(store, stub).ensure("v1")
    victim = "NCT02637687"
    store.r.delete(store.keys.trial(victim, record.entries[victim].version))
    before = stub.count("/api/v2/studies")
    trials = corpus(store, stub).current().trials
    assert victim in {t.nct_id for t in trials}
    calls = [p for path, p in stub.requests[-1:] if path == "/api/v2/studies"]
    assert stub.count("/api/v2/studies") == before + 1
    assert calls[0]["filter.ids"] == victim
