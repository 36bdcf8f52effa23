"""Driving Docker and Compose from the deployment tests: images, a stack, its containers.

Everything here runs the real tools (docker, `docker compose` or Debian's `docker-compose`) the
way the README's deployment section does; nothing is mocked. Containers use host networking and
bind to 127.0.0.1 only (docker-compose.hostnet.yml), so no traffic leaves the loopback.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.support.procs import REPO

BASE_TAG = "trialmatch-base:bookworm"
IMAGE_TAG = "trialmatch:compose-test"
FILES = ("docker-compose.yml", "docker-compose.hostnet.yml")
# Only what the docker tools need: a developer's REDIS_PASSWORD, *_PORT or TRIALMATCH_* in the
# shell would otherwise win over the env file in compose's interpolation.
_PASS_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "DOCKER_HOST", "DOCKER_CONFIG", "DOCKER_CERT_PATH",
             "DOCKER_TLS_VERIFY", "XDG_RUNTIME_DIR")  # fmt: skip


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k in _PASS_ENV}


def compose_cli() -> list[str] | None:
    """`docker compose` (v2 plugin) when present, else Debian's `docker-compose` (v1.29)."""
    if shutil.which("docker") is None:
        return None
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    if probe.returncode == 0:
        return ["docker", "compose"]
    return ["docker-compose"] if shutil.which("docker-compose") else None


def docker_problem() -> str | None:
    """Why the compose test cannot run here, or None when Docker, Compose and debootstrap work."""
    if compose_cli() is None:
        return "docker and Compose (docker compose / docker-compose) are not installed"
    info = subprocess.run(["docker", "info"], capture_output=True, text=True, check=False)
    if info.returncode != 0:
        reason = "permission denied" if "permission denied" in info.stderr else "no answer"
        return f"the Docker daemon is not usable by this user ({reason})"
    if shutil.which("debootstrap") is None and not os.environ.get("COMPOSE_TEST_BASE_IMAGE"):
        return "debootstrap is missing (needed to build the base image from Debian's packages)"
    return None


def run(argv: Sequence[str], *, timeout: float = 120, check: bool = True,
        env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:  # fmt: skip
    done = subprocess.run(
        list(argv), capture_output=True, text=True, timeout=timeout, check=False,
        env=dict(env) if env is not None else clean_env(), cwd=REPO,
    )  # fmt: skip
    if check and done.returncode != 0:
        raise AssertionError(
            f"{' '.join(argv[:4])}… exited {done.returncode}:\n{done.stdout[-3000:]}\n"
            f"{done.stderr[-3000:]}"
        )
    return done


def extra_ca() -> str:
    """The CA certificates this host trusts beyond Debian's bundle, as the build's PIP_EXTRA_CA.

    On the CI machines a TLS-intercepting proxy stands between pip and PyPI, and its CA sits in
    /usr/local/share/ca-certificates (where Debian keeps locally added CAs, as a hospital would).
    COMPOSE_TEST_EXTRA_CA names another PEM file.
    """
    named = os.environ.get("COMPOSE_TEST_EXTRA_CA")
    local = Path("/usr/local/share/ca-certificates")
    files = [Path(named)] if named else sorted(local.glob("*.crt"))
    return "\n".join(p.read_text().strip() for p in files)


def build_images() -> tuple[str, float]:
    """Build (or reuse) the base, then the trialmatch image; returns (base tag, seconds)."""
    started = time.monotonic()
    base = os.environ.get("COMPOSE_TEST_BASE_IMAGE") or BASE_TAG
    if base == BASE_TAG:
        # Cached in Docker's image store between runs; built from Debian's packages otherwise.
        run(["bash", "scripts/build_base_image.sh", BASE_TAG], timeout=900, env=os.environ)
    args = ["--build-arg", f"BASE_IMAGE={base}", "--build-arg", f"PIP_EXTRA_CA={extra_ca()}"]
    run(["docker", "build", "--network", "host", *args, "-t", IMAGE_TAG, "."], timeout=900)
    return base, time.monotonic() - started


def remove_stale_stacks(prefix: str) -> None:
    """Remove what a killed earlier run left (containers and volumes of `<prefix><pid>` projects).

    A run that dies by SIGKILL cannot tear down; its containers would go on using CPU. Only
    projects of this test whose process is gone are touched.
    """
    label = "com.docker.compose.project"
    out = run(["docker", "ps", "-a", "--filter", f"label={label}", "--format",
               f'{{{{.ID}}}} {{{{.Label "{label}"}}}}']).stdout  # fmt: skip
    stale: dict[str, list[str]] = {}
    for cid, project in (line.split() for line in out.splitlines() if line.strip()):
        pid = project.removeprefix(prefix)
        if pid != project and pid.isdigit() and not Path(f"/proc/{pid}").exists():
            stale.setdefault(project, []).append(cid)
    for project, ids in stale.items():
        run(["docker", "rm", "-f", "-v", *ids], check=False)
        vols = run(["docker", "volume", "ls", "-q", "--filter", f"label={label}={project}"]).stdout
        if vols.split():
            run(["docker", "volume", "rm", *vols.split()], check=False)


@dataclass
class Stack:
    """One compose project of the test, with its env file (what `.env` is to an operator)."""

    project: str
    env_file: Path
    cli: list[str]

    def compose(self, *args: str, timeout: float = 180, check: bool = True,
                files: Sequence[str] = FILES) -> subprocess.CompletedProcess[str]:  # fmt: skip
        argv = [*self.cli, "-p", self.project, "--env-file", str(self.env_file)]
        for f in files:
            argv += ["-f", f]
        return run([*argv, *args], timeout=timeout, check=check)

    def env(self) -> dict[str, str]:
        lines = self.env_file.read_text().splitlines()
        return dict(line.split("=", 1) for line in lines if "=" in line and line[0] != "#")

    def write_env(self, values: Mapping[str, str]) -> None:
        self.env_file.write_text("".join(f"{k}={v}\n" for k, v in values.items()))

    def containers(self, service: str) -> list[str]:
        out = self.compose("ps", "-q", service).stdout
        return [c for c in out.split() if c]

    def container(self, service: str) -> str:
        (cid,) = self.containers(service)
        return cid

    def inspect(self, cid: str) -> dict[str, object]:
        state: dict[str, object] = json.loads(run(["docker", "inspect", cid]).stdout)[0]
        return state

    def health(self, service: str) -> str:
        state = self.inspect(self.container(service))["State"]
        assert isinstance(state, dict)
        return str(state.get("Health", {}).get("Status", state.get("Status")))

    def wait_healthy(self, services: Sequence[str], timeout: float) -> dict[str, str]:
        deadline = time.monotonic() + timeout
        seen: dict[str, str] = {}
        while time.monotonic() < deadline:
            seen = {s: self.health(s) for s in services}
            if all(v == "healthy" for v in seen.values()):
                return seen
            time.sleep(2)
        return seen

    def exec(self, service: str, *argv: str, timeout: float = 60) -> str:
        return self.compose("exec", "-T", service, *argv, timeout=timeout).stdout

    def kill_main_process(self, service: str) -> int:
        """SIGKILL the container's main process from outside, as the kernel's OOM killer would.

        `docker kill` would count as a manual stop, which `restart: unless-stopped` honours.
        """
        state = self.inspect(self.container(service))["State"]
        assert isinstance(state, dict)
        pid = int(state["Pid"])
        if os.geteuid() == 0:
            os.kill(pid, signal.SIGKILL)
        else:  # a docker-group user: a throw-away root container in the host's PID namespace
            run(["docker", "run", "--rm", "--pid=host", "--network=none", "--user=0",
                 "--entrypoint=kill", IMAGE_TAG, "-9", str(pid)])  # fmt: skip
        return pid

    def logs(self) -> str:
        return self.compose("logs", "--no-color", "--tail=40", check=False).stdout[-8000:]

    def down(self) -> None:
        self.compose("down", "-v", "--remove-orphans", "-t", "5", timeout=300, check=False)
