"""Pipeline benchmark: N profiles through the real queue and workers against a local CT.gov stub.

Starts a private redis-server, a local ClinicalTrials.gov stub serving the bundled snapshot with
realistic latency, and one Celery worker (2 processes); submits N constructed profiles with the
same code path as `trialmatch submit`, and prints wall time, throughput, p50/p99 submit-to-stored
latency, worker peak RSS and the number of requests that reached the stub.

    .venv/bin/python scripts/bench_pipeline.py --profiles 1000 --latency 0.3
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matcher.adapters.store import Store
from matcher.services.submission import submit_json
from matcher.settings import Settings
from scripts.bench_common import PeakRss, constructed_profiles, percentile
from tests.support.ctgov_stub import CtgovStub
from tests.support.procs import REPO, SNAPSHOT, RedisServer, Worker, stack_env
from workers.celery_app import create_app


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--profiles", type=int, default=1000)
    ap.add_argument("--latency", type=float, default=0.3, help="stub latency per request (s)")
    ap.add_argument("--concurrency", type=int, default=2)
    ap.add_argument(
        "--min-interval",
        type=float,
        default=1.5,
        help="fleet-wide CT.gov request spacing (s); 1.5 is the production default",
    )
    ap.add_argument("--timeout", type=float, default=600)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp_name, ExitStack() as cleanup:
        tmp = Path(tmp_name)
        # Registered as soon as each process exists: an error anywhere stops them all.
        stub = CtgovStub(SNAPSHOT / "records", latency_s=args.latency)
        cleanup.callback(stub.close)
        server = RedisServer(tmp / "redis", aof=True)  # the shipped config: AOF everysec
        cleanup.callback(server.stop)
        env = stack_env(
            server.url,
            TRIALMATCH_CTGOV_BASE_URL=stub.url,
            TRIALMATCH_LOG_LEVEL="INFO",  # the harness waits for the "ready." line
            TRIALMATCH_CTGOV_MIN_INTERVAL_S=str(args.min_interval),
            TRIALMATCH_ANY_STATUS="true",
        )
        del env["TRIALMATCH_CTGOV_SNAPSHOT"]
        worker = Worker(env, tmp / "worker.log", concurrency=args.concurrency)
        cleanup.callback(worker.stop)
        settings = Settings(redis_url=server.url)  # type: ignore[arg-type]
        store = Store.from_settings(settings)
        app = create_app(settings)

        def publish(profile_id: str, job_id: str) -> object:
            return app.send_task(
                "trialmatch.match_profile", args=[profile_id, job_id], task_id=job_id
            )

        bodies = constructed_profiles(args.profiles)
        rss = PeakRss(worker.proc.pid)
        started = time.perf_counter()
        jobs = [
            submit_json(store, body, publish=publish, retention_days=1).job_id for body in bodies
        ]
        submitted = time.perf_counter()
        pending = set(jobs)
        deadline = time.monotonic() + args.timeout
        while pending and time.monotonic() < deadline:
            pipe = store.r.pipeline(transaction=False)
            ordered = sorted(pending)
            for job_id in ordered:
                pipe.hget(store.keys.job(job_id), "status")
            for job_id, status in zip(ordered, pipe.execute(), strict=True):
                if status in {"done", "failed"}:
                    pending.discard(job_id)
            time.sleep(0.05)
        wall = time.perf_counter() - started
        peak = rss.stop()
        latencies, failed = [], 0
        for job_id in jobs:
            job = store.get_job(job_id)
            failed += job["status"] != "done"
            created = datetime.fromisoformat(job["created_at"])
            updated = datetime.fromisoformat(job["updated_at"])
            latencies.append((updated - created).total_seconds())
        requests = stub.count()

    n = args.profiles
    print(
        f"\nPipeline benchmark: {n} profiles, {args.concurrency} worker processes, "
        f"stub latency {args.latency * 1000:.0f} ms/request, "
        f"request spacing {args.min_interval} s, "
        f"snapshot {SNAPSHOT.relative_to(REPO)}"
    )
    print(f"{'metric':<34}{'value':>14}")
    print(f"{'-' * 48}")
    rows = [
        ("profiles submitted", f"{n}"),
        ("unfinished after timeout", f"{len(pending)}"),
        ("jobs failed", f"{failed}"),
        ("submit phase (s)", f"{submitted - started:.2f}"),
        ("wall time, first submit -> last stored (s)", f"{wall:.2f}"),
        ("throughput (profiles/s)", f"{n / wall:.1f}"),
        ("submit->stored p50 (s)", f"{percentile(latencies, 50):.2f}"),
        ("submit->stored p99 (s)", f"{percentile(latencies, 99):.2f}"),
        ("worker peak RSS, all processes (MiB)", f"{peak / 1024:.0f}"),
        ("requests that reached CT.gov stub", f"{requests}"),
    ]
    for name, value in rows:
        print(f"{name:<44}{value:>10}")
    verdict = "met" if wall <= 30 and n >= 1000 else "not met (or N < 1,000)"
    print(f"target: <= 30 s for 1,000 profiles on two cores -> {verdict}")
    return 1 if pending or failed else 0


if __name__ == "__main__":
    sys.exit(main())
