"""The README's quick start runs as written: its marked shell blocks are executed, in order.

Each ```bash block of README.md carries a marker on the line before its fence:
`<!-- readme-test: run -->` (run by this test) or `<!-- readme-test: skip (reason) -->`. The run
blocks are joined into one bash script, exactly as shown, and executed from the repository root,
as a newcomer would paste them into one shell: set-up, the engine alone, a redis-server, a real
Celery worker subprocess, the CLI, and the API walkthrough with curl against `trialmatch serve`.
The only substitution is the one the README itself offers: `REDIS_PORT` and `API_PORT` are set to
free loopback ports (never 6379).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.procs import REPO, free_port

README = REPO / "README.md"
MARKER = re.compile(r"<!-- readme-test: (run|skip \(.+\)) -->")


def readme_blocks() -> list[tuple[str, str]]:
    """(marker, body) of every ```bash block; a block without a marker gets marker ''."""
    lines = README.read_text().splitlines()
    blocks = []
    for n, line in enumerate(lines):
        if line.strip() != "```bash":
            continue
        before = next((lines[k] for k in range(n - 1, -1, -1) if lines[k].strip()), "")
        found = MARKER.fullmatch(before.strip())
        end = next(k for k in range(n + 1, len(lines)) if lines[k].strip() == "```")
        blocks.append((found.group(1) if found else "", "\n".join(lines[n + 1 : end])))
    return blocks


def test_every_shell_block_is_marked_run_or_skipped_with_a_reason() -> None:
    """Each bash block says whether the README test runs it; the walkthrough is among the run."""
    blocks = readme_blocks()
    assert [body for marker, body in blocks if not marker] == []
    run = "\n".join(body for marker, body in blocks if marker == "run")
    assert len([m for m, _ in blocks if m == "run"]) >= 6
    steps = ["bash scripts/bootstrap.sh", "TRIALMATCH_REDIS_URL=", "TRIALMATCH_CTGOV_SNAPSHOT="]
    steps += ["trialmatch worker", "trialmatch submit", "trialmatch serve", "curl -sf -X POST"]
    for step in steps:
        assert step in run, step


def _wait(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def _closed(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.integration
def test_readme_quick_start_runs_as_written() -> None:
    """The quick start's blocks, run in one shell, set up, match, serve the API and stop cleanly."""
    script = "set -euo pipefail\n" + "\n".join(
        body for marker, body in readme_blocks() if marker == "run"
    )
    redis_port, api_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIALMATCH_")}
    env.update(REDIS_PORT=str(redis_port), API_PORT=str(api_port))
    proc = subprocess.Popen(
        ["bash", "-c", script], cwd=REPO, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        out, err = proc.communicate(timeout=300)
        # The last block stops what the script started: give them time to shut down gracefully.
        stopped = _wait(lambda: _closed(redis_port) and _closed(api_port), 20)
    finally:
        if proc.poll() is None or not (_closed(redis_port) and _closed(api_port)):
            with _ignore(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # only what this script started
            proc.wait(10)
    report = re.search(r"printable report: (\S+)", out)
    logs = Path(report.group(1)).parent if report else None
    try:
        assert proc.returncode == 0, f"{out[-4000:]}\n--- stderr ---\n{err[-4000:]}"
        assert "profile TB-2026-0142: 50 trials evaluated" in out  # the engine alone: the reference
        # Through Redis and the worker, under a server-assigned id that the later commands reuse.
        submitted = re.findall(r"^submitted profile (p_[0-9a-f]{24}) \(revision (\d)\)", out, re.M)
        cli_id = submitted[0][0]
        assert submitted == [(cli_id, "1"), (cli_id, "2")]  # then --replace: a new revision
        assert f"profile {cli_id}: 50 trials evaluated" in out  # `matches "$PROFILE"` read it back
        assert re.search(r"^exit 2$", out, re.M)  # the same reference again is refused
        assert f"this reference is already used by your profile {cli_id}" in err
        assert '"status":"ok"' in out  # /healthz
        created = re.search(r'^\{"profile_id":"(p_[0-9a-f]{24})","job_id":"[0-9a-f]+"', out, re.M)
        assert created, out[-4000:]  # the API's 202 answer
        api_id = created.group(1)
        assert api_id != cli_id
        assert f'"profile_id":"{api_id}","status":"done"' in out  # the API's job
        assert re.search(r"^50 judged; \[\('NCT\d{8}', 'possibly_eligible', \[", out, re.M)
        assert '"field":"reference"' in out  # the refused profile names its field
        assert logs is not None
        assert "<html" in (logs / "report.html").read_text().lower()
        assert stopped  # the last block stopped Redis and the API (the worker with them)
    finally:
        if logs is not None and logs.parent == Path(tempfile.gettempdir()):
            shutil.rmtree(logs, ignore_errors=True)


class _ignore:
    def __init__(self, *kinds: type[BaseException]) -> None:
        self.kinds = kinds

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> bool:
        return kind is not None and issubclass(kind, self.kinds)
