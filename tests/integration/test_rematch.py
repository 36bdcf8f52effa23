"""Scheduled re-matching against a changing registry: the right change entries, and no profile
re-matched that the change cannot affect. Real redis-server, real worker, local CT.gov stub.

The registry here is the local stub (tests/support/ctgov_stub.py) serving copies of real records
from the bundled snapshot. The copies are *constructed modifications*: a lastUpdatePostDate is
added (the snapshot's records lack one), and each scenario edits a status, adds a record or
appends a criterion, as the real registry would between two board meetings.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from api.routes_results import read_changes
from matcher.adapters.ctgov.source import make_source
from matcher.adapters.store import Store
from matcher.domain.eligibility import EngineOptions
from matcher.services.corpus import TrialCorpus
from matcher.services.pipeline import run_match
from matcher.services.submission import submit_json
from matcher.settings import Settings
from tests.support.ctgov_stub import CtgovStub
from tests.support.jobs import wait_job
from tests.support.procs import REPO, SNAPSHOT, RedisServer, Worker, stack_env
from tests.support.profiles import example_body
from workers.celery_app import create_app
from workers.runtime import corpus_query

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TODAY = datetime.now(UTC).date()
BASKET, SYNOVIAL_BASKET, REGISTRY = "NCT04851119", "NCT05642455", "NCT05910307"


def _record(nct_id: str, **edits: Any) -> dict[str, Any]:
    study: dict[str, Any] = json.loads((SNAPSHOT / "records" / f"{nct_id}.json").read_text())
    status = study["protocolSection"].setdefault("statusModule", {})
    status["lastUpdatePostDateStruct"] = {"date": edits.pop("updated", "2026-01-05")}
    if "status" in edits:
        status["overallStatus"] = edits.pop("status")
    if "extra_criterion" in edits:
        elig = study["protocolSection"]["eligibilityModule"]
        elig["eligibilityCriteria"] += "\n* " + edits.pop("extra_criterion")
    assert not edits
    return study


@dataclass
class Env:
    server: RedisServer
    stub: CtgovStub
    folder: Path
    env: dict[str, str]
    store: Store
    settings: Settings
    publish: Any

    def write(self, nct_id: str, **edits: Any) -> None:
        (self.folder / f"{nct_id}.json").write_text(json.dumps(_record(nct_id, **edits)))

    def submit(self, body: dict[str, Any]) -> str:
        sub = submit_json(self.store, json.dumps(body), publish=self.publish, retention_days=30)
        assert wait_job(self.store, sub.job_id, 60)["status"] == "done"
        return sub.profile_id

    def seq(self, profile_id: str) -> int:
        return int(self.store.r.hget(self.store.keys.match_meta(profile_id), "seq") or 0)

    def sync(self) -> str:
        out = subprocess.run(
            [sys.executable, "-m", "cli.main", "sync", "--wait", "--timeout", "60"],
            env=self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        return out.stdout

    def kinds(self, profile_id: str, nct_id: str) -> set[str]:
        return {c.kind for c in read_changes(self.store, profile_id, None) if c.nct_id == nct_id}


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    tmp = tmp_path_factory.mktemp("rematch")
    folder = tmp / "registry"
    folder.mkdir()
    for nct in (BASKET, SYNOVIAL_BASKET):
        (folder / f"{nct}.json").write_text(json.dumps(_record(nct)))
    stub = CtgovStub(folder, data_version="v1")
    server = RedisServer(tmp / "redis")
    overrides = {"TRIALMATCH_CTGOV_BASE_URL": stub.url, "TRIALMATCH_CTGOV_MIN_INTERVAL_S": "0"}
    environment = stack_env(server.url, **overrides)
    del environment["TRIALMATCH_CTGOV_SNAPSHOT"]  # the live-API path, against the stub
    worker = Worker(environment, tmp / "worker.log", concurrency=2)
    settings = Settings(redis_url=server.url, ctgov_base_url=stub.url, ctgov_min_interval_s=0)  # type: ignore[arg-type]
    store = Store.from_settings(settings)
    app = create_app(settings)

    def publish(profile_id: str, job_id: str) -> object:
        return app.send_task("trialmatch.match_profile", args=[profile_id, job_id], task_id=job_id)

    try:
        yield Env(server, stub, folder, environment, store, settings, publish)
    finally:
        worker.stop()
        server.stop()
        stub.close()


@pytest.fixture(scope="module")
def profiles(env: Env) -> dict[str, str]:
    # Constructed profiles: a 14-year-old with synovial sarcoma and a 10-year-old with Ewing.
    ewing = example_body(
        "RM-ewing",
        dated_today=False,
        age_months=125,
        diagnosis="Ewing sarcoma",
        biomarkers=["EWSR1-FLI1 fusion"],
        recurrence_sites=["bone"],
    )
    return {
        "synovial": env.submit(example_body("RM-synovial", dated_today=False)),
        "ewing": env.submit(ewing),
    }


def test_unchanged_registry_costs_one_request_and_rematches_nothing(
    env: Env, profiles: dict[str, str]
) -> None:
    """With the data version unchanged a sync asks only /version and re-matches no profile."""
    env.sync()  # first sync: learns the data version, refreshes each search once
    seqs = {p: env.seq(p) for p in profiles.values()}
    before = env.stub.count()
    out = env.sync()
    assert env.stub.count() - before == 1
    assert env.stub.requests[-1][0] == "/api/v2/version"
    assert "0 re-matches queued" in out
    assert {p: env.seq(p) for p in profiles.values()} == seqs


def test_closed_trial_is_reported_to_every_profile_that_could_enter_it(
    env: Env, profiles: dict[str, str]
) -> None:
    """A basket trial that is suspended yields a trial_closed entry for each profile it fitted."""
    env.write(BASKET, status="SUSPENDED", updated=TODAY.isoformat())
    env.stub.data_version = "v2"
    seqs = {p: env.seq(p) for p in profiles.values()}
    env.sync()
    for pid in profiles.values():
        assert env.seq(pid) > seqs[pid], f"{pid} was not re-matched"
        assert "trial_closed" in env.kinds(pid, BASKET)


def test_new_trial_rematches_only_the_profile_it_fits(env: Env, profiles: dict[str, str]) -> None:
    """A new synovial-sarcoma trial re-matches the synovial profile, not the Ewing one."""
    env.write(REGISTRY, updated=TODAY.isoformat())
    env.stub.data_version = "v3"
    seqs = {p: env.seq(p) for p in profiles.values()}
    env.sync()
    assert env.seq(profiles["synovial"]) > seqs[profiles["synovial"]]
    assert "new_trial" in env.kinds(profiles["synovial"], REGISTRY)
    assert env.seq(profiles["ewing"]) == seqs[profiles["ewing"]], (
        "Ewing profile re-matched needlessly"
    )


def test_changed_criteria_are_reported(env: Env, profiles: dict[str, str]) -> None:
    """An added criterion on a trial the synovial profile may enter yields criteria_changed."""
    env.write(
        SYNOVIAL_BASKET,
        updated=TODAY.isoformat(),
        extra_criterion="Patients must not have received prior treatment with tazemetostat",
    )
    env.stub.data_version = "v4"
    seqs = {p: env.seq(p) for p in profiles.values()}
    env.sync()
    assert "criteria_changed" in env.kinds(profiles["synovial"], SYNOVIAL_BASKET)
    assert env.seq(profiles["ewing"]) == seqs[profiles["ewing"]], (
        "Ewing profile re-matched needlessly"
    )


def test_ageing_past_a_bound_is_rematched_without_registry_change(
    env: Env, profiles: dict[str, str]
) -> None:
    """A patient whose age passes a trial's upper bound is re-matched when that date comes."""
    # 17 years 11 months when first matched (as of two months ago): inside the synovial sarcoma
    # cohort's "2 to 17 years" (a bound written only in the criteria text); 18 y 1 m today.
    body = example_body("RM-ageing", assessed_on="2026-09-15", age_months=215)
    pid = env.submit(body)
    corpus = TrialCorpus(
        env.store,
        make_source(env.settings, env.store),
        corpus_query(env.settings),
        ttl_s=3600,
    )
    run_match(env.store, corpus, pid, options=EngineOptions(), as_of=date(2026, 9, 20))
    before = {m.nct_id: m.verdict for m in env.store.read_matches(pid).results}  # type: ignore[union-attr]
    assert before[SYNOVIAL_BASKET] != "ineligible"
    others = {p: env.seq(p) for p in profiles.values()}
    env.sync()  # registry unchanged (still v4): only the due profile is re-matched
    after = {m.nct_id: m.verdict for m in env.store.read_matches(pid).results}  # type: ignore[union-attr]
    assert after[SYNOVIAL_BASKET] == "ineligible"
    flips = [c for c in read_changes(env.store, pid, None) if c.nct_id == SYNOVIAL_BASKET]
    assert any(c.kind == "verdict_changed" and "[age]" in c.detail for c in flips), flips
    assert {p: env.seq(p) for p in profiles.values()} == others


def test_quarantined_entry_is_rebuilt_by_the_next_sync_though_no_verdict_moved(
    env: Env, profiles: dict[str, str]
) -> None:
    """A corrupt stored entry of a trial the patient is ineligible for (a change no board would
    see) is still rebuilt by the next sync: the quarantine marks the profile for a re-match."""
    pid = profiles["ewing"]
    run = env.store.read_matches(pid)
    assert run is not None
    ineligible = sorted(m.nct_id for m in run.results if m.verdict == "ineligible")
    assert ineligible, "premise: the Ewing profile is ineligible for a synovial sarcoma trial"
    # Constructed corruption of one stored entry (not registry data).
    env.store.r.hset(env.store.keys.matches(pid), ineligible[0], '{"title": "corrupt"}')
    damaged = env.store.read_matches(pid)  # the read quarantines it
    assert damaged is not None
    assert ineligible[0] not in {m.nct_id for m in damaged.results}
    before = env.seq(pid)
    env.sync()  # registry unchanged: only the rebuild makes this profile due
    assert env.seq(pid) > before
    rebuilt = env.store.read_matches(pid)
    assert rebuilt is not None
    assert ineligible[0] in {m.nct_id for m in rebuilt.results}
