"""Upstream economy: ClinicalTrials.gov requests for matching N profiles of M diagnoses and for a
nightly re-match, for three designs side by side:

- per-profile baseline: every profile runs its own search (a naive per-request client);
- per-diagnosis (the design before the shared corpus): one `query.cond` search per distinct
  diagnosis and data version, and a nightly incremental search per diagnosis — its request
  pattern replayed here with the same client, since that code path was replaced;
- corpus (trialmatch now): one population corpus per data version; nightly, one `/version`, a
  three-field listing and `filter.ids` fetches of what moved — the real code path (TrialCorpus,
  run_match, sync_trials) against a private redis-server.

All run in this process against the local CT.gov stub serving every real record in the repo (the
stub counts requests). The "next night" edits are constructed: three trials get a new update
date, and one of them is suspended. The Celery hop is left out: it does not change what is
requested.

    .venv/bin/python scripts/bench_upstream.py                       # grid of N x M
    .venv/bin/python scripts/bench_upstream.py --profiles 1000 --diagnoses 6
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matcher.adapters.ctgov.client import USER_AGENT, CtgovClient
from matcher.adapters.ctgov.corpus_query import CorpusQuery
from matcher.adapters.ctgov.pace import NoPacer
from matcher.adapters.ctgov.query import SearchQuery
from matcher.adapters.store import Store
from matcher.domain.eligibility import EngineOptions, search_terms
from matcher.domain.models.profile import parse_profile
from matcher.services.corpus import TrialCorpus
from matcher.services.pipeline import run_match
from matcher.services.submission import submit_json
from matcher.services.trial_sync import sync_trials
from matcher.settings import Settings
from scripts.bench_common import DIAGNOSES, constructed_profiles
from tests.support.ctgov_stub import CtgovStub
from tests.support.procs import REPO, SNAPSHOT, RedisServer

OPEN = ["RECRUITING", "NOT_YET_RECRUITING", "AVAILABLE"]
LEGACY_STATUSES = ("RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION")
EDITED = ("NCT04851119", "NCT05642455", "NCT04995003")
SUSPENDED = "NCT04851119"
FOLDERS = (SNAPSHOT / "records", REPO / "tests" / "devset" / "trials",
           REPO / "tests" / "relevance" / "records")  # fmt: skip


def client(stub: CtgovStub) -> CtgovClient:
    return CtgovClient(base_url=stub.url, max_attempts=2, retry_total_s=5, page_size=1000,
                       user_agent=USER_AGENT, pacer=NoPacer())  # fmt: skip


def registry_copy(folder: Path) -> None:
    folder.mkdir()
    for source in FOLDERS:
        for path in source.glob("*.json"):
            study = json.loads(path.read_text())
            status = study["protocolSection"].setdefault("statusModule", {})
            # Constructed: the snapshot's records carry no update date; give them one.
            status.setdefault("lastUpdatePostDateStruct", {"date": "2026-01-05"})
            (folder / path.name).write_text(json.dumps(study))


def edit_registry(folder: Path) -> None:
    today = datetime.now(UTC).date().isoformat()
    for nct in EDITED:
        path = folder / f"{nct}.json"
        study = json.loads(path.read_text())
        study["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"] = {"date": today}
        if nct == SUSPENDED:
            study["protocolSection"]["statusModule"]["overallStatus"] = "SUSPENDED"
        path.write_text(json.dumps(study))


def legacy(stub: CtgovStub, diagnoses: list[str], since: bool = False) -> int:
    """Replay the per-diagnosis / per-profile request pattern: one query.cond search each."""
    before = stub.count()
    day = datetime.now(UTC).date() if since else None
    with client(stub) as c:
        for diagnosis in diagnoses:
            statuses = () if since else LEGACY_STATUSES  # the old incremental pull dropped them
            c.search(SearchQuery(tuple(search_terms(diagnosis)), statuses, updated_since=day))
    return stub.count() - before


def one_run(tmp: Path, server: RedisServer, n: int, m: int) -> dict[str, int]:
    folder = tmp / f"registry-{n}-{m}"
    registry_copy(folder)
    with ExitStack() as cleanup:
        stub = CtgovStub(folder, data_version="night-1")
        cleanup.callback(stub.close)
        settings = Settings(redis_url=server.url, ctgov_base_url=stub.url)  # type: ignore[arg-type]
        store = Store.from_settings(settings)
        store.r.flushdb()
        options = EngineOptions(statuses=frozenset(OPEN))
        corpus = TrialCorpus(store, client(stub), CorpusQuery.for_deployment(OPEN, False),
                             ttl_s=86400)  # fmt: skip
        bodies = constructed_profiles(n, distinct_diagnoses=m)
        ids = [submit_json(store, b, publish=lambda p, j: None, retention_days=2).profile_id
               for b in bodies]  # fmt: skip
        before = stub.count()
        for pid in ids:
            run_match(store, corpus, pid, options=options)
        ours_match = stub.count() - before
        sync_trials(store, corpus, now=datetime.now(UTC), data_version_ttl_s=3600,
                    options=options)  # fmt: skip  # first night: learns the version
        diagnoses = [parse_profile(b).diagnosis for b in bodies]
        distinct = sorted(set(diagnoses))
        per_profile_match = legacy(stub, diagnoses)
        per_diagnosis_match = 1 + legacy(stub, distinct)  # + the /version call

        edit_registry(folder)
        stub.data_version = "night-2"
        store.r.delete(store.keys.data_version())  # the cached version expires by the night
        before = stub.count()
        result = sync_trials(store, corpus, now=datetime.now(UTC), data_version_ttl_s=3600,
                             options=options)  # fmt: skip
        for pid in sorted(result.to_rematch):
            run_match(store, corpus, pid, options=options)
        ours_nightly = stub.count() - before
        per_profile_nightly = legacy(stub, diagnoses)
        per_diagnosis_nightly = 1 + legacy(stub, distinct, since=True)
    return {
        "match_per_profile": per_profile_match,
        "match_per_diagnosis": per_diagnosis_match,
        "match_corpus": ours_match,
        "nightly_per_profile": per_profile_nightly,
        "nightly_per_diagnosis": per_diagnosis_nightly,
        "nightly_corpus": ours_nightly,
        "rematched": len(result.to_rematch),
    }


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--profiles", type=int, nargs="*", default=[10, 100, 400])
    ap.add_argument("--diagnoses", type=int, nargs="*", default=[1, 3, len(DIAGNOSES)])
    args = ap.parse_args()
    if any(not 1 <= m <= len(DIAGNOSES) for m in args.diagnoses):
        ap.error(f"--diagnoses: 1..{len(DIAGNOSES)}")
    records = len({p.name for f in FOLDERS for p in f.glob("*.json")})
    print(f"Upstream requests (local stub, {records} real records, pageSize 1000 = 1 page)\n")
    head = ("N", "M", "per-profile", "per-diagnosis", "corpus", "| nightly:", "per-profile",
            "per-diagnosis", "corpus", "re-matched")  # fmt: skip
    print("{:>5}{:>3}{:>13}{:>15}{:>8} {:<9}{:>12}{:>15}{:>8}{:>12}".format(*head))
    with tempfile.TemporaryDirectory() as tmp_name, ExitStack() as cleanup:
        tmp = Path(tmp_name)
        server = RedisServer(tmp / "redis")
        cleanup.callback(server.stop)  # an error anywhere still stops the server
        for n in args.profiles:
            for m in args.diagnoses:
                r = one_run(tmp, server, n, m)
                print(
                    f"{n:>5}{m:>3}{r['match_per_profile']:>13}{r['match_per_diagnosis']:>15}"
                    f"{r['match_corpus']:>8} {'|':<9}{r['nightly_per_profile']:>12}"
                    f"{r['nightly_per_diagnosis']:>15}{r['nightly_corpus']:>8}{r['rematched']:>12}"
                )
                shutil.rmtree(tmp / f"registry-{n}-{m}", ignore_errors=True)
    print(
        "\ncorpus, matching: /version + one corpus page per data version, whatever N and M;"
        "\ncorpus, nightly: /version + listing page(s) + ceil(changed / 200) filter.ids fetches;"
        "\nthe live registry needs more pages (see `trialmatch corpus probe`), still independent"
        " of N and M."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
