"""Real processes for integration and fault tests: a private redis-server and Celery workers.

Each test stack gets its own redis-server on a free loopback port (never the machine's 6379), so
tests can SIGKILL, SIGSTOP or restart it without touching anything else.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import redis

REPO = Path(__file__).resolve().parents[2]
SNAPSHOT = REPO / "snapshot" / "sarcoma"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(predicate: object, timeout: float, interval: float = 0.05, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what or predicate}")


class RedisServer:
    """A redis-server subprocess with its own data dir; AOF on when `aof=True` (shipped config)."""

    def __init__(
        self,
        workdir: Path,
        *,
        aof: bool = False,
        password: str | None = None,
        extra: list[str] | None = None,
    ) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError(
                "redis-server not found: install it (Debian: apt-get install redis-server)"
            )
        self.binary = binary
        self.port = free_port()
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.aof = aof
        self.password = password
        self.extra = extra or []
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def argv(self) -> list[str]:
        argv = [self.binary]
        if self.aof:
            argv.append(str(REPO / "config" / "redis.conf"))
        argv += [
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.dir),
            "--daemonize",
            "no",
            "--logfile",
            str(self.dir / "redis.log"),
        ]
        if not self.aof:
            argv += ["--save", "", "--appendonly", "no"]
        if self.password:
            argv += ["--requirepass", self.password]
        return argv + self.extra

    def start(self) -> None:
        self.proc = subprocess.Popen(
            self.argv(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for(self._answers, 10, what=f"redis-server on port {self.port}")

    def _answers(self) -> bool:
        try:
            return bool(self.client(socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def client(self, **kw: object) -> redis.Redis:
        return redis.Redis.from_url(self.url, decode_responses=True, **kw)  # type: ignore[arg-type]

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, sig)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def restart(self) -> None:
        self.kill()
        self.start()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            with _suppress():
                os.kill(self.proc.pid, signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.kill()


class _suppress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return True


def stack_env(redis_url: str, **overrides: str) -> dict[str, str]:
    """Environment for a worker/CLI subprocess: the test's Redis, the bundled snapshot."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIALMATCH_")}
    env.update(
        {
            "TRIALMATCH_REDIS_URL": redis_url,
            "TRIALMATCH_CTGOV_SNAPSHOT": str(SNAPSHOT),
            "TRIALMATCH_LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(overrides)
    return env


class Worker:
    """`celery worker` as a subprocess (so tests can SIGKILL it); its log goes to a file."""

    def __init__(
        self,
        env: Mapping[str, str],
        logfile: Path,
        *,
        concurrency: int = 1,
        extra_args: list[str] | None = None,
    ) -> None:
        self.logfile = logfile
        argv = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "workers.celery_app",
            "worker",
            "--loglevel=INFO",
            "-Q",
            "trialmatch",
            f"--concurrency={concurrency}",
            "--pool=prefork",
            "--without-gossip",
            "--without-mingle",
            f"--hostname=test-{os.getpid()}-{time.monotonic_ns()}@%h",
            *(extra_args or []),
        ]
        self._log = logfile.open("ab")
        self.proc = subprocess.Popen(
            argv,
            env=dict(env),
            cwd=REPO,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for(
                lambda: "ready." in self.log() or self.proc.poll() is not None,
                60,
                what="celery worker ready",
            )
        except TimeoutError:
            self.stop()  # never leave a half-started worker behind
            raise
        if self.proc.poll() is not None:
            self._log.close()
            raise RuntimeError(f"worker exited early:\n{self.log()[-3000:]}")

    def log(self) -> str:
        return self.logfile.read_text(errors="replace")

    def children(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole worker (main process and its prefork children)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)

    def stop(self, timeout: float = 15) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self._log.close()
