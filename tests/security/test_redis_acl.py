"""Redis ACL users end to end (research checklist item 19), with config/users.acl as shipped.

A private redis-server loads the example ACL file (placeholders rendered with test passwords,
plus a test-only admin the harness logs in with). A real worker runs as `worker`, a profile is
submitted as `api` and a periodic task published as `beat`; Redis' ACL LOG must then be empty
(no role was ever refused anything it needed). Each role is refused the dangerous commands, keys
and channels outside the `tm:` prefix, and anonymous access is refused outright.
"""

from __future__ import annotations

import json
import secrets
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis

from matcher.adapters.store import Store
from matcher.services.submission import submit_json
from matcher.settings import Settings
from tests.security.conftest import ACL_EXAMPLE, ROLES, AclRedisServer, render_acl
from tests.support.jobs import wait_job
from tests.support.procs import REPO, SNAPSHOT, Worker, free_port, stack_env, wait_for
from tests.support.profiles import example_body
from workers.celery_app import create_app

pytestmark = pytest.mark.integration


@dataclass
class AclStack:
    server: AclRedisServer
    passwords: dict[str, str]
    worker: Worker
    worker_env: dict[str, str]
    admin: redis.Redis

    def settings(self, role: str) -> Settings:
        url = self.server.url_for(role, self.passwords[role])
        return Settings(redis_url=url, ctgov_snapshot=SNAPSHOT, any_status=True)  # type: ignore[arg-type]

    def client(self, role: str) -> redis.Redis:
        return redis.Redis.from_url(
            self.server.url_for(role, self.passwords[role]), decode_responses=True, socket_timeout=5
        )

    def acl_log(self) -> list[dict[str, Any]]:
        return list(self.admin.acl_log(count=100))


@pytest.fixture(scope="module")
def acl_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AclStack]:
    tmp = tmp_path_factory.mktemp("acl")
    passwords = {role: secrets.token_urlsafe(24) for role in ROLES}
    admin_password = secrets.token_urlsafe(24)
    aclfile = tmp / "users.acl"
    aclfile.write_text(render_acl(passwords, admin_password))
    server = AclRedisServer(
        tmp / "redis", admin_password=admin_password, extra=["--aclfile", str(aclfile)]
    )
    worker: Worker | None = None
    try:
        admin = server.client(socket_timeout=5)
        admin.acl_log_reset()
        url = server.url_for("worker", passwords["worker"])
        env = stack_env(url, TRIALMATCH_ANY_STATUS="true")
        worker = Worker(env, tmp / "worker.log", concurrency=1)
        yield AclStack(server, passwords, worker, env, admin)
    finally:
        if worker is not None:
            worker.stop()
        server.stop()


def test_roles_match_a_profile_end_to_end_without_any_acl_denial(acl_stack: AclStack) -> None:
    """api submits, worker matches, beat publishes a periodic task: all succeed, ACL LOG empty."""
    api_settings = acl_stack.settings("api")
    api_store = Store.from_settings(api_settings)
    api_app = create_app(api_settings)

    def publish(profile_id: str, job_id: str) -> object:
        return api_app.send_task(
            "trialmatch.match_profile", args=[profile_id, job_id], task_id=job_id
        )

    sub = submit_json(
        api_store, json.dumps(example_body("SEC-acl-1")), publish=publish, retention_days=1
    )
    job = wait_job(api_store, sub.job_id)
    assert job["status"] == "done", (job, acl_stack.worker.log()[-3000:])
    run = api_store.read_matches(sub.profile_id)
    assert run is not None
    assert run.results

    beat_app = create_app(acl_stack.settings("beat"))
    task_id = beat_app.send_task("trialmatch.purge_expired").id
    wait_for(
        lambda: f"purge_expired[{task_id}] succeeded" in acl_stack.worker.log(),
        60,
        what="purge_expired published by beat to run",
    )

    # The compose healthcheck of the worker: remote control over the pidbox channel.
    ping = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "workers.celery_app", "inspect", "ping",
         "--timeout", "10"],
        env=acl_stack.worker_env, cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert ping.returncode == 0, ping.stdout + ping.stderr
    assert "pong" in ping.stdout, ping.stdout

    denied = acl_stack.acl_log()
    assert denied == [], json.dumps(denied, indent=1, default=str)[:3000]
    assert "NOPERM" not in acl_stack.worker.log()


# DEBUG and MODULE LOAD are also off by Redis' own defaults (enable-debug-command /
# enable-module-command), which answer before the ACL does, so they are not listed here.
DANGEROUS = [
    ("FLUSHALL",),
    ("FLUSHDB",),
    ("CONFIG", "GET", "*"),
    ("CONFIG", "SET", "appendonly", "no"),
    ("KEYS", "*"),
    ("ACL", "SETUSER", "evil", "on", ">x", "+@all", "~*"),
    ("ACL", "LIST"),
    ("CLIENT", "LIST"),
    ("CLIENT", "KILL", "TYPE", "normal"),
    ("INFO",),
    ("SCRIPT", "FLUSH"),
    ("FUNCTION", "FLUSH"),
    ("SAVE",),
    ("BGREWRITEAOF",),
    ("REPLICAOF", "127.0.0.1", "1"),
    ("MIGRATE", "127.0.0.1", "1", "tm:x", "0", "100"),
    ("SORT", "tm:x"),
    ("MONITOR",),
    ("SHUTDOWN", "NOSAVE"),
]


@pytest.mark.parametrize("role", ROLES)
def test_roles_are_refused_dangerous_commands(acl_stack: AclStack, role: str) -> None:
    """Every role gets NOPERM for FLUSHALL, CONFIG, KEYS, DEBUG, ACL, SHUTDOWN and friends."""
    client = acl_stack.client(role)
    assert client.ping()
    allowed = []
    for command in DANGEROUS:
        try:
            client.execute_command(*command)
        except redis.exceptions.NoPermissionError:
            continue
        allowed.append(" ".join(command))
    assert not allowed, f"{role} may run: {allowed}"
    assert acl_stack.admin.ping()  # the server is still up (SHUTDOWN was refused)


@pytest.mark.parametrize("role", ROLES)
def test_roles_are_confined_to_the_tm_prefix(acl_stack: AclStack, role: str) -> None:
    """Keys and channels outside `tm:` are NOPERM, directly and from inside a Lua script."""
    client = acl_stack.client(role)
    acl_stack.admin.set("other:secret", "x")
    for command in (("GET", "other:secret"), ("SET", "foo", "1"), ("DEL", "other:secret"),
                    ("PUBLISH", "other-channel", "x")):  # fmt: skip
        with pytest.raises(redis.exceptions.NoPermissionError):
            client.execute_command(*command)
    with pytest.raises(redis.exceptions.ResponseError, match=r"(?i)can't access|no permissions"):
        client.eval("return redis.call('GET', KEYS[1])", 1, "other:secret")
    with pytest.raises(redis.exceptions.ResponseError, match=r"(?i)can't run this command"):
        client.eval("return redis.call('FLUSHALL')", 0)
    assert acl_stack.admin.get("other:secret") == "x"


def test_beat_cannot_read_patient_data(acl_stack: AclStack) -> None:
    """The beat role reaches only the broker's keys, not profiles, jobs or matches."""
    acl_stack.admin.set("tm:profile:SEC-acl-beat", "{}")
    beat = acl_stack.client("beat")
    for key in ("tm:profile:SEC-acl-beat", "tm:matches:x", "tm:job:x", "tm:auth:keys"):
        with pytest.raises(redis.exceptions.NoPermissionError):
            beat.get(key)
    # The broker's keys are readable: a list the admin filled (under tm:q:, outside the queue the
    # worker consumes) is seen by beat with its exact length.
    probe = "tm:q:SEC-acl-beat-probe"
    acl_stack.admin.rpush(probe, "a", "b")
    try:
        assert beat.llen(probe) == 2
    finally:
        acl_stack.admin.delete(probe)


def _raw(port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(payload)
        return sock.recv(1024)


def test_default_user_is_off(acl_stack: AclStack) -> None:
    """Anonymous PING is NOAUTH, and the default user cannot log in with any password."""
    port = acl_stack.server.port
    assert _raw(port, b"PING\r\n").startswith(b"-NOAUTH")
    assert _raw(port, b"GET tm:profile:SEC-acl-1\r\n").startswith(b"-NOAUTH")
    reply = _raw(port, b"AUTH default anything\r\n")
    assert reply.startswith(b"-WRONGPASS"), reply
    anonymous = redis.Redis(host="127.0.0.1", port=port, socket_timeout=5)
    with pytest.raises(redis.exceptions.AuthenticationError):
        anonymous.ping()


def test_wrong_password_is_refused(acl_stack: AclStack) -> None:
    """A role with a wrong password is refused with WRONGPASS."""
    url = acl_stack.server.url_for("worker", "not-" + acl_stack.passwords["worker"])
    with pytest.raises(redis.exceptions.AuthenticationError):
        redis.Redis.from_url(url, socket_timeout=5).ping()


def test_unrendered_example_acl_file_is_refused_by_redis(tmp_path: Path) -> None:
    """config/users.acl as shipped (password placeholders) makes redis-server refuse to start."""
    assert "#__WORKER_PASSWORD_SHA256__" in ACL_EXAMPLE.read_text()
    proc = subprocess.run(
        ["redis-server", "--port", str(free_port()), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path), "--aclfile", str(ACL_EXAMPLE)],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert proc.returncode != 0
    assert "hash" in (proc.stdout + proc.stderr).lower(), proc.stdout + proc.stderr
