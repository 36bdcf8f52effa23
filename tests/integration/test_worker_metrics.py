"""The worker's own Prometheus endpoint sums what its prefork children recorded."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.procs import REPO, RedisServer, free_port, stack_env, wait_for
from tests.support.profiles import example_json

pytestmark = pytest.mark.integration


def test_worker_exports_task_and_verdict_metrics(tmp_path: Path) -> None:
    """After one match, the worker serves task durations and verdict counts on its metrics port."""
    server = RedisServer(tmp_path / "redis")
    port = free_port()
    env = stack_env(
        server.url, TRIALMATCH_WORKER_METRICS_PORT=str(port), TRIALMATCH_ANY_STATUS="true"
    )
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cli.main",
            "worker",
            "--concurrency=2",
            "--without-gossip",
            "--without-mingle",
        ],
        env=env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(lambda: "ready." in (tmp_path / "worker.log").read_text(), 60, what="worker")
        profile = tmp_path / "p.json"
        profile.write_text(example_json("MET-1", dated_today=False))
        out = subprocess.run(
            [sys.executable, "-m", "cli.main", "submit", str(profile), "--wait"],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stderr
        deadline = time.monotonic() + 10
        text = ""
        while time.monotonic() < deadline and "trialmatch_matches_total" not in text:
            text = (
                urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5)
                .read()
                .decode()
            )
            time.sleep(0.2)
        counts = [
            line
            for line in text.splitlines()
            if line.startswith(
                'trialmatch_task_duration_seconds_count{outcome="done",task="match_profile"}'
            )
        ]
        assert counts, text[:2000]
        assert float(counts[0].split()[-1]) >= 1
        verdicts = [
            line for line in text.splitlines() if line.startswith("trialmatch_matches_total{")
        ]
        assert sum(float(v.split()[-1]) for v in verdicts) == 50  # every snapshot trial judged once
    finally:
        worker.terminate()
        worker.wait(30)
        log.close()
        server.stop()
