"""Expanded access (status AVAILABLE) reaches the corpus and is shown as such.

No real record with status AVAILABLE is in the repository, so the record used here is a
*constructed* variant: the real larotrectinib record NCT02576431 from the bundled snapshot with
its status set to AVAILABLE (and nothing else changed).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from cli.main import render_run
from matcher.adapters.ctgov.client import CtgovClient
from matcher.adapters.ctgov.corpus_query import CorpusQuery
from matcher.domain.eligibility import EngineOptions, match_trials
from matcher.domain.models.profile import parse_profile
from matcher.settings import Settings
from tests.support.ctgov_stub import CtgovStub
from tests.support.procs import REPO, SNAPSHOT

LAROTRECTINIB = "NCT02576431"


@pytest.fixture
def stub(tmp_path: Path) -> Iterator[CtgovStub]:
    study = json.loads((SNAPSHOT / "records" / f"{LAROTRECTINIB}.json").read_text())
    study["protocolSection"]["statusModule"]["overallStatus"] = "AVAILABLE"  # constructed
    (tmp_path / f"{LAROTRECTINIB}.json").write_text(json.dumps(study))
    s = CtgovStub(tmp_path)
    try:
        yield s
    finally:
        s.close()


def test_available_trial_is_gathered_counted_open_and_labelled(stub: CtgovStub) -> None:
    """The default open statuses include AVAILABLE: gathered, judged open, shown as expanded
    access with the date its status was confirmed."""
    settings = Settings(redis_url="redis://127.0.0.1:1/0")  # type: ignore[arg-type]
    assert "AVAILABLE" in settings.recruiting_statuses
    query = CorpusQuery.for_deployment(settings.recruiting_statuses, any_status=False)
    with CtgovClient(base_url=stub.url) as client:
        trials = client.corpus(query)
    assert [t.nct_id for t in trials] == [LAROTRECTINIB]
    profile = parse_profile((REPO / "examples" / "infant-ifs-ntrk.json").read_bytes())
    options = EngineOptions(statuses=frozenset(settings.recruiting_statuses))
    run = match_trials(profile, trials, as_of=date(2026, 11, 26), options=options)
    assert run.results[0].verdict != "ineligible", run.results[0].decisive
    confirmed = run.results[0].model_copy(update={"status_confirmed": "2026-11-26T09:00:00"})
    run = run.model_copy(update={"results": [confirmed]})
    assert "[expanded access (AVAILABLE), confirmed 2026-11-26T09:00:00]" in render_run(run)


def test_closed_statuses_are_left_out_of_the_open_corpus(stub: CtgovStub) -> None:
    """Without AVAILABLE among the open statuses the status filter drops the same record."""
    query = CorpusQuery(CorpusQuery.for_deployment([], False).terms, ("RECRUITING",))
    with CtgovClient(base_url=stub.url) as client:
        assert client.corpus(query) == []
