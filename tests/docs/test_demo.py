"""The demo (scripts/demo.sh) ends with commands that still work after it exits.

It runs as a newcomer runs it, from the repository root: its own set-up, a private redis-server on
a free loopback port, a real Celery worker subprocess, the bundled snapshot. The commands it prints
last are then executed exactly as printed.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess

import pytest

from tests.support.procs import REPO

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _no_kept_demo() -> None:
    """Never touch a demo a developer kept running in this checkout."""
    if (REPO / ".demo" / "pids").exists():
        pytest.skip("a kept demo is running in this checkout; stop it with ./scripts/demo.sh stop")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIALMATCH_")}
    env["DEMO_LIMIT"] = "1"
    return env


def _demo(*args: str) -> str:
    done = subprocess.run(
        ["bash", "scripts/demo.sh", *args], cwd=REPO, env=_env(), capture_output=True,
        text=True, timeout=240,
    )  # fmt: skip
    log = REPO / ".demo" / "worker.log"
    worker_log = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:] + worker_log
    return done.stdout


def _closing_commands(out: str) -> list[str]:
    """The indented command lines printed after the demo's final "Done." line."""
    tail = out[out.rindex("\nDone") :]
    return [line.strip() for line in tail.splitlines() if line.startswith("  ")]


def _submitted_id(out: str, example: str) -> str:
    """The server-assigned id the demo's submit of `example` printed."""
    section = out[out.index(f"==> trialmatch submit {example} ") :]
    found = re.search(r"^submitted profile (\S+) \(revision 1\)", section, re.MULTILINE)
    assert found, section[:2000]
    return found.group(1)


def _redis_port(out: str) -> int:
    found = re.search(r"private redis-server on 127\.0\.0\.1:(\d+)", out)
    assert found, out[:2000]
    return int(found.group(1))


def _answers(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_demo_ends_with_engine_commands_that_work_after_it_exits() -> None:
    """After the demo stops its Redis, each command it printed last runs and prints matches."""
    out = _demo()
    assert re.search(
        r"==> trialmatch submit examples/synovial-pulmonary\.json --board demo-\S+ --wait", out
    )
    assert not _answers(_redis_port(out))  # its private Redis is gone
    commands = _closing_commands(out)
    assert len(commands) == 2
    for command in commands:
        assert command.startswith(".venv/bin/trialmatch match ")
        ran = subprocess.run(
            ["bash", "-c", command], cwd=REPO, env=_env(), capture_output=True, text=True,
            timeout=120,
        )  # fmt: skip
        assert ran.returncode == 0, ran.stderr
        if "--json" in command:
            assert len(json.loads(ran.stdout)["results"]) == 50  # every snapshot trial judged
        else:
            assert "profile TB-2026-0142: 50 trials evaluated" in ran.stdout


def test_demo_keep_leaves_services_up_until_stop() -> None:
    """`demo.sh --keep` prints commands that read matches by the submitted id; `stop` ends all."""
    try:
        out = _demo("--keep")
        port = _redis_port(out)
        assert _answers(port)
        commands = _closing_commands(out)
        assert commands[0] == "source .demo/env"
        assert "./scripts/demo.sh stop" in out
        script = "set -euo pipefail\n" + "\n".join(commands)
        ran = subprocess.run(
            ["bash", "-c", script], cwd=REPO, env=_env(), capture_output=True, text=True,
            timeout=120,
        )  # fmt: skip
        assert ran.returncode == 0, ran.stderr
        stored = json.loads(ran.stdout[ran.stdout.index("\n{") :])  # the --json run, printed last
        submitted = _submitted_id(out, "examples/synovial-pulmonary.json")
        assert re.fullmatch(r"p_[0-9a-f]{24}", submitted)
        assert commands[1:] == [
            f".venv/bin/trialmatch matches {submitted} --limit 5",
            f".venv/bin/trialmatch matches {submitted} --json",
        ]
        assert stored["profile_id"] == submitted
        assert stored["results"]
    finally:
        stopped = subprocess.run(
            ["bash", "scripts/demo.sh", "stop"], cwd=REPO, capture_output=True, text=True,
            timeout=60,
        )  # fmt: skip
    assert stopped.returncode == 0
    assert "stopped redis-server" in stopped.stdout
    assert "stopped worker" in stopped.stdout
    assert not _answers(port)
    assert not (REPO / ".demo" / "pids").exists()
