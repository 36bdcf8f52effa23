"""Recall of the population corpus query on a labelled set of real records, end to end.

The local CT.gov stub (tests/support/ctgov_stub.py) serves every real record in the repository
(snapshot/sarcoma/records, tests/devset/trials, tests/relevance/records); a real Celery worker
matches profiles through the real client, which sends the real corpus query; the test reads the
corpus the worker stored in a real redis-server and scores it against tests/relevance/labels.json.
The stub's matching is a simplification of the live search engine (see tests/support/essie.py),
so this measures our query's terms on these records, not the live API.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from matcher.adapters.store import Store
from matcher.domain.models import MatchRun
from matcher.services.submission import submit_json
from matcher.services.sweep import CorpusRecord
from matcher.settings import Settings
from tests.support.ctgov_stub import CtgovStub
from tests.support.jobs import wait_job
from tests.support.procs import REPO, SNAPSHOT, RedisServer, Worker, stack_env
from workers.celery_app import create_app

pytestmark = [pytest.mark.integration]

LABELS = json.loads((REPO / "tests" / "relevance" / "labels.json").read_text())["labels"]
FOLDERS = (SNAPSHOT / "records", REPO / "tests" / "devset" / "trials", REPO / "tests" / "relevance"
           / "records")  # fmt: skip
LAROTRECTINIB = "NCT02637687"
_SARCOMA = re.compile(r"sarcoma", re.I)


@dataclass
class Env:
    store: Store
    stub: CtgovStub
    runs: dict[str, MatchRun]


def _records() -> dict[str, dict[str, Any]]:
    found = {}
    for folder in FOLDERS:
        for path in sorted(folder.glob("*.json")):
            study = json.loads(path.read_text())
            found[study["protocolSection"]["identificationModule"]["nctId"]] = study
    return found


def _says_sarcoma(study: dict[str, Any]) -> bool:
    """Whether a condition search for "sarcoma" could find it: titles, conditions, keywords."""
    p = study["protocolSection"]
    ident, cond = p.get("identificationModule", {}), p.get("conditionsModule", {})
    texts = [ident.get("briefTitle", ""), ident.get("officialTitle", "")]
    texts += cond.get("conditions", []) + cond.get("keywords", [])
    return any(_SARCOMA.search(t or "") for t in texts)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    tmp = tmp_path_factory.mktemp("recall")
    registry = tmp / "registry"
    registry.mkdir()
    for folder in FOLDERS:
        for path in folder.glob("*.json"):
            shutil.copy(path, registry / path.name)
    stub = CtgovStub(registry, data_version="2026-11-26T09:00:00")
    server = RedisServer(tmp / "redis")
    overrides = {"TRIALMATCH_CTGOV_BASE_URL": stub.url, "TRIALMATCH_CTGOV_MIN_INTERVAL_S": "0",
                 "TRIALMATCH_ANY_STATUS": "true"}  # fmt: skip
    environment = stack_env(server.url, **overrides)
    del environment["TRIALMATCH_CTGOV_SNAPSHOT"]  # the live-API path, against the stub
    worker = Worker(environment, tmp / "worker.log", concurrency=2)
    settings = Settings(redis_url=server.url, ctgov_base_url=stub.url)  # type: ignore[arg-type]
    store = Store.from_settings(settings)
    app = create_app(settings)

    def publish(profile_id: str, job_id: str) -> object:
        return app.send_task("trialmatch.match_profile", args=[profile_id, job_id], task_id=job_id)

    try:
        runs = {}
        for example in ("infant-ifs-ntrk", "synovial-pulmonary", "erms-second-relapse"):
            body = (REPO / "examples" / f"{example}.json").read_text()
            sub = submit_json(store, body, publish=publish, retention_days=30)
            job = wait_job(store, sub.job_id, 90)
            assert job["status"] == "done", (job, worker.log()[-3000:])
            run = store.read_matches(sub.profile_id)
            assert run is not None
            runs[example] = run
        yield Env(store, stub, runs)
    finally:
        worker.stop()
        server.stop()
        stub.close()


def _corpus(env: Env) -> CorpusRecord:
    raw = env.store.corpus_record(env.stub.data_version)
    assert raw is not None, "the worker stored no corpus for the stub's data version"
    return CorpusRecord.from_json(raw)


def test_labelled_set_is_large_enough_and_real() -> None:
    """Every labelled id is a real record in the repo, and the relevant set has 50+ trials."""
    records = _records()
    assert set(LABELS) <= set(records)
    relevant = [n for n, label in LABELS.items() if label["relevant"]]
    assert len(relevant) >= 50
    routes = {LABELS[n]["route"] for n in relevant}
    assert {"histology", "biomarker", "drug", "generic_condition", "aya"} <= routes


def test_recall_on_the_labelled_set_is_at_least_99_percent(env: Env) -> None:
    """The corpus the worker built holds >= 99 % of the relevant records (and all that never
    say "sarcoma" in title or conditions)."""
    corpus = set(_corpus(env).entries)
    relevant = {n for n, label in LABELS.items() if label["relevant"]}
    found = relevant & corpus
    recall = len(found) / len(relevant)
    records = _records()
    hidden = {n for n in relevant if not _says_sarcoma(records[n])}
    print(f"\nrecall {len(found)}/{len(relevant)} = {recall:.1%}; "
          f"never-say-sarcoma {len(hidden & corpus)}/{len(hidden)}")  # fmt: skip
    assert recall >= 0.99, sorted(relevant - corpus)
    assert hidden <= corpus, sorted(hidden - corpus)
    assert len(hidden) >= 9  # the real records available; the issue asks for 20 (see README)


def test_adult_only_and_non_oncology_records_stay_out(env: Env) -> None:
    """Records labelled out of scope (adult-only generic, non-oncology) are not gathered."""
    corpus = set(_corpus(env).entries)
    outside = {n for n, label in LABELS.items() if not label["relevant"]}
    gathered = outside & corpus
    assert len(gathered) <= len(outside) // 5, sorted(gathered)


def test_larotrectinib_trial_reaches_the_ntrk_infant(env: Env) -> None:
    """NCT02637687 (conditions "Neoplasms") is in the NTRK infant's matches and not excluded."""
    results = {m.nct_id: m for m in env.runs["infant-ifs-ntrk"].results}
    assert LAROTRECTINIB in results
    assert results[LAROTRECTINIB].verdict != "ineligible", results[LAROTRECTINIB].decisive
    assert results[LAROTRECTINIB].status_confirmed == env.stub.data_version


def test_every_profile_sees_the_whole_corpus_from_one_search(env: Env) -> None:
    """Three profiles of three diagnoses cost one corpus search, and each is judged on all of it."""
    corpus = _corpus(env)
    assert all(len(run.results) == len(corpus.entries) for run in env.runs.values())
    searches = [p for path, p in env.stub.requests if path == "/api/v2/studies"]
    assert len(searches) == 1, len(searches)
    assert "query.cond" not in searches[0]
    assert "filter.overallStatus" not in searches[0]  # TRIALMATCH_ANY_STATUS reaches the query
    assert "AREA[ConditionSearch]" in searches[0]["query.term"]
    assert all(m.status_confirmed for run in env.runs.values() for m in run.results)
