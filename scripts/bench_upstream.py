"""Upstream economy: ClinicalTrials.gov requests for matching N profiles and for a nightly
re-match, trialmatch versus a naive baseline that searches once per profile, side by side.

Both run in this process against the same local CT.gov stub (serving the bundled snapshot) and a
private redis-server; the stub counts every request. trialmatch's path is the real one (shared
trial cache, one search per distinct query and data version, incremental sync); the Celery
hop is left out because it does not change what is requested.

    .venv/bin/python scripts/bench_upstream.py --profiles 1000
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matcher.corpus import TrialCorpus
from matcher.ctgov.client import USER_AGENT, CtgovClient
from matcher.ctgov.pace import NoPacer
from matcher.ctgov.query import SearchQuery
from matcher.eligibility import EngineOptions, search_terms
from matcher.models.profile import parse_profile
from matcher.pipeline import run_match
from matcher.schedule import SyncResult, sync_trials
from matcher.settings import Settings
from matcher.store import Store
from scripts.bench_common import constructed_profiles
from tests.support.ctgov_stub import CtgovStub
from tests.support.procs import SNAPSHOT, RedisServer
from workers.submission import submit_json

STATUSES = ("RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION")
# Constructed registry edits for the "next night": three trials get a new update date, and the
# first of them (a basket trial for recurrent solid tumors) is suspended.
EDITED = ("NCT04851119", "NCT05642455", "NCT04995003")
SUSPENDED = "NCT04851119"


def client(stub: CtgovStub) -> CtgovClient:
    return CtgovClient(
        base_url=stub.url,
        connect_timeout_s=5,
        read_timeout_s=30,
        max_attempts=2,
        retry_total_s=5,
        page_size=1000,
        user_agent=USER_AGENT,
        pacer=NoPacer(),
    )


def naive(stub: CtgovStub, bodies: list[str]) -> int:
    """The baseline: every profile runs its own search, as a per-request client would."""
    before = stub.count()
    with client(stub) as c:
        for body in bodies:
            profile = parse_profile(body)
            c.search(SearchQuery(tuple(search_terms(profile.diagnosis)), STATUSES))
    return stub.count() - before


def edit_registry(folder: Path) -> None:
    today = datetime.now(UTC).date().isoformat()
    for nct in EDITED:
        path = folder / f"{nct}.json"
        study = json.loads(path.read_text())
        study["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"] = {"date": today}
        if nct == SUSPENDED:
            study["protocolSection"]["statusModule"]["overallStatus"] = "SUSPENDED"
        path.write_text(json.dumps(study))


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--profiles", type=int, default=1000)
    args = ap.parse_args()
    n = args.profiles
    bodies = constructed_profiles(n)
    with tempfile.TemporaryDirectory() as tmp_name, ExitStack() as cleanup:
        tmp = Path(tmp_name)
        folder = tmp / "registry"
        shutil.copytree(SNAPSHOT / "records", folder)
        for path in folder.glob("*.json"):  # constructed: the snapshot's records carry no date
            study = json.loads(path.read_text())
            study["protocolSection"].setdefault("statusModule", {})["lastUpdatePostDateStruct"] = {
                "date": "2026-01-05"
            }
            path.write_text(json.dumps(study))
        stub = CtgovStub(folder, data_version="night-1")
        cleanup.callback(stub.close)  # an error anywhere still stops the stub and the server
        server = RedisServer(tmp / "redis")
        cleanup.callback(server.stop)
        settings = Settings(redis_url=server.url, ctgov_base_url=stub.url)  # type: ignore[arg-type]
        store = Store.from_settings(settings)
        options = EngineOptions()
        corpus = TrialCorpus(
            store, client(stub), statuses=settings.recruiting_statuses, search_ttl_s=86400
        )

        started = time.perf_counter()
        ids = [
            submit_json(store, b, publish=lambda p, j: None, retention_days=2).profile_id
            for b in bodies
        ]
        before = stub.count()
        for pid in ids:
            run_match(store, corpus, pid, options=options)
        ours_match = stub.count() - before

        def nightly_sync() -> SyncResult:
            return sync_trials(store, client(stub), now=datetime.now(UTC), search_ttl_s=86400,
                               data_version_ttl_s=3600, options=options)  # fmt: skip

        nightly_sync()  # learn the version (first night)
        match_seconds = time.perf_counter() - started

        edit_registry(folder)
        stub.data_version = "night-2"
        store.r.delete(
            store.keys.data_version()
        )  # the cached version expires before the next night
        before = stub.count()
        result = nightly_sync()
        for pid in sorted(result.to_rematch):
            run_match(store, corpus, pid, options=options)
        ours_nightly = stub.count() - before
        naive_match = naive(stub, bodies)
        naive_nightly = naive(stub, bodies)  # the naive nightly job re-searches for everyone

    distinct = len({parse_profile(b).diagnosis for b in bodies})
    print(
        f"\nUpstream economy: {n} profiles, {distinct} distinct diagnoses, snapshot of "
        f"{len(list(SNAPSHOT.glob('records/*.json')))} trials served by a local stub "
        "(1 page per search)"
    )
    print(f"{'workload':<34}{'trialmatch':>12}{'naive':>10}{'ratio':>10}")
    print("-" * 66)
    for name, ours, base in (
        ("match N new profiles", ours_match, naive_match),
        ("nightly (3 edited, 1 suspended)", ours_nightly, naive_nightly),
    ):
        print(f"{name:<34}{ours:>12}{base:>10}{base / max(ours, 1):>9.0f}x")
    print(
        f"profiles re-matched that night: {len(result.to_rematch)} of {n} (those for whom "
        f"{SUSPENDED} was not already ineligible; the edits could not affect the rest)"
    )
    print(f"in-process matching of {n} profiles took {match_seconds:.1f} s")
    print("target: >= 100x fewer requests at N = 1,000")
    return 0


if __name__ == "__main__":
    sys.exit(main())
