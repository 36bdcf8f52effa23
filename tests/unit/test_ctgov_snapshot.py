"""The offline snapshot source and the choice between snapshot and live client."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import redis

from matcher.adapters.ctgov.client import CtgovClient
from matcher.adapters.ctgov.pace import FleetPacer, LocalPacer
from matcher.adapters.ctgov.query import SearchQuery
from matcher.adapters.ctgov.snapshot import SnapshotSource
from matcher.adapters.ctgov.source import make_source
from matcher.adapters.keys import Keys
from matcher.adapters.store import Store
from matcher.errors import UpstreamRejected, UpstreamSchemaError
from matcher.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "snapshot" / "sarcoma"
FIX = ROOT / "tests" / "fixtures" / "ctgov"
QUERY = SearchQuery(cond_terms=("rhabdomyosarcoma",), statuses=("RECRUITING",))


def test_bundled_snapshot_has_all_fifty_records_and_skips_provenance() -> None:
    """The demo snapshot in the repo yields its 50 studies; PROVENANCE.md is not read as data."""
    assert (BUNDLED / "PROVENANCE.md").is_file()
    source = SnapshotSource(BUNDLED)
    trials = source.all_trials()
    assert len(trials) == len({t.nct_id for t in trials}) == 50


def test_search_returns_everything_regardless_of_status() -> None:
    """search() ignores the query's filters: the engine, not the snapshot, judges status and fit."""
    source = SnapshotSource(BUNDLED)
    found = source.search(QUERY)
    assert len(found) == 50
    assert {t.overall_status for t in found} - {"RECRUITING"}  # closed trials are included


def test_data_version_is_a_stable_fingerprint(tmp_path: Path) -> None:
    """data_version() is identical for identical bytes and changes when any record changes."""
    copy = tmp_path / "snap"
    shutil.copytree(BUNDLED, copy)
    assert SnapshotSource(copy).data_version() == SnapshotSource(BUNDLED).data_version()
    assert SnapshotSource(BUNDLED).data_version().startswith("snapshot:")
    (copy / "PROVENANCE.md").write_text("edited")  # non-data files do not change the version
    assert SnapshotSource(copy).data_version() == SnapshotSource(BUNDLED).data_version()
    record = copy / "records" / "NCT00334854.json"
    record.write_bytes(record.read_bytes() + b"\n")
    assert SnapshotSource(copy).data_version() != SnapshotSource(BUNDLED).data_version()


def test_get_study_by_id_and_missing_id() -> None:
    """get_study finds a snapshot study; an absent id is UpstreamRejected(404) like the live API."""
    source = SnapshotSource(BUNDLED)
    assert source.get_study("NCT04851119").nct_id == "NCT04851119"
    with pytest.raises(UpstreamRejected) as err:
        source.get_study("NCT00000001")
    assert err.value.status_code == 404


def test_pages_single_studies_nested_folders_and_aliases(tmp_path: Path) -> None:
    """Page files and single-study files in nested folders are all read; aliases resolve."""
    (tmp_path / "a" / "b").mkdir(parents=True)
    shutil.copy(FIX / "biomcp" / "search_phelan_limit5_20260811.json", tmp_path / "a" / "page.json")
    single = json.loads((FIX / "biomcp" / "get_nct02576665_20260811.json").read_bytes())
    single["protocolSection"]["identificationModule"]["nctIdAliases"] = [
        "NCT99999999"
    ]  # constructed
    (tmp_path / "a" / "b" / "one.json").write_text(json.dumps(single))
    (tmp_path / "README.md").write_text("not data")
    source = SnapshotSource(tmp_path)
    assert len(source.all_trials()) == 6
    assert source.get_study("NCT99999999").nct_id == "NCT02576665"


def test_duplicates_keep_the_first_file_by_path(tmp_path: Path) -> None:
    """A study present in two files appears once, from the first file in path order."""
    shutil.copy(FIX / "biomcp" / "search_phelan_limit5_20260811.json", tmp_path / "1.json")
    shutil.copy(FIX / "biomcp" / "search_phelan_limit50_20260811.json", tmp_path / "2.json")
    assert len(SnapshotSource(tmp_path).all_trials()) == 5


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b"{not json", "bad.json: body"),
        (b'{"studies": 3}', "bad.json: studies"),
        (json.dumps({"protocolSection": {"identificationModule": {"nctId": "NCT12345678"},
                                         "designModule": {"phases": "PHASE1"}}}).encode(),
         "bad.json: designModule.phases"),
    ],
)  # fmt: skip
def test_malformed_file_names_the_file_and_field(
    tmp_path: Path, content: bytes, field: str
) -> None:
    """A broken snapshot file (constructed) raises UpstreamSchemaError naming file and field."""
    (tmp_path / "bad.json").write_bytes(content)
    with pytest.raises(UpstreamSchemaError) as err:
        SnapshotSource(tmp_path).all_trials()
    assert err.value.field == field


def test_parsed_list_is_cached_until_the_folder_changes(tmp_path: Path) -> None:
    """Files are parsed once while unchanged; a changed folder is re-read with a new version."""
    shutil.copy(FIX / "biomcp" / "search_phelan_limit5_20260811.json", tmp_path / "p.json")
    source = SnapshotSource(tmp_path)
    first, version = source.all_trials(), source.data_version()
    assert source.all_trials() is not first  # a new list each call...
    assert source.all_trials() == first  # ...from the same parsed cache
    shutil.copy(FIX / "biomcp" / "search_phelan_next_20260811.json", tmp_path / "q.json")
    assert source.data_version() != version
    assert len(source.all_trials()) > len(first)
    (tmp_path / "q.json").unlink()
    assert source.data_version() == version
    assert source.all_trials() == first


def settings(**kw: Any) -> Settings:
    return Settings(redis_url="redis://127.0.0.1:9/0", **kw)


def test_make_source_prefers_the_snapshot() -> None:
    """With TRIALMATCH_CTGOV_SNAPSHOT set, make_source returns the snapshot source."""
    source = make_source(settings(ctgov_snapshot=BUNDLED))
    assert isinstance(source, SnapshotSource)


def test_make_source_live_paces_locally_without_redis() -> None:
    """Without a Redis client the live client gets an in-process pacer."""
    source = make_source(settings())
    try:
        assert isinstance(source, CtgovClient)
        assert isinstance(source._pacer, LocalPacer)
    finally:
        source.close()


def test_make_source_live_paces_through_redis_with_prefixed_key() -> None:
    """With the store's pace slots the pacer is fleet-wide, under "<prefix>ctgov:pace"."""
    # No connection is opened: redis-py connects on the first command, never sent here.
    store = Store(redis.Redis(port=9), Keys("tmx:"))
    source = make_source(settings(key_prefix="tmx:"), store)
    try:
        assert isinstance(source, CtgovClient)
        assert isinstance(source._pacer, FleetPacer)
        assert source._pacer._slots is store
        assert store.keys.pace() == "tmx:ctgov:pace"
    finally:
        source.close()
