"""The compose stack of the deployment tests: built, started once per module, torn down after.

Docker missing: a developer without root gets a skip with the reason (scripts/ensure_docker.sh
prints how to install it); as root or under CI=true a missing Docker fails, because the test
command's set-up (scripts/test.sh -> ensure_docker.sh) installs and starts it there.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.deploy.compose import (
    IMAGE_TAG,
    Stack,
    build_images,
    compose_cli,
    docker_problem,
    remove_stale_stacks,
)
from tests.support.ctgov_stub import CtgovStub
from tests.support.procs import SNAPSHOT, free_port
from tests.support.tooling import require


def require_docker() -> list[str]:
    """The Compose command line, once Docker is known to work (else skip or fail, see above)."""
    require(docker_problem(), "scripts/ensure_docker.sh", ", then join the docker group")
    cli = compose_cli()
    assert cli is not None
    return cli


def stack_env(stub_url: str, base: str) -> dict[str, str]:
    """The operator's .env for the test stack: secrets, loopback ports and TRIALMATCH_* knobs.

    The knobs are ones compose itself never sets, so seeing them inside a container proves the
    env_file pass-through; the short visibility timeout lets a killed worker's task come back
    within seconds (the settings validator still holds: 12 > 10 + 1).
    """
    return {
        "REDIS_PASSWORD": secrets.token_urlsafe(24),
        "FLOWER_PASSWORD": secrets.token_urlsafe(16),
        "REDIS_PORT": str(free_port()),
        "API_PORT": str(free_port()),
        "FLOWER_PORT": str(free_port()),
        "BASE_IMAGE": base,
        "REDIS_IMAGE": base,  # the Debian-built base carries redis-server too
        "TRIALMATCH_IMAGE": IMAGE_TAG,
        "TRIALMATCH_CTGOV_BASE_URL": stub_url,
        "TRIALMATCH_CTGOV_MIN_INTERVAL_S": "0",
        "TRIALMATCH_WORKER_CONCURRENCY": "1",
        "TRIALMATCH_SYNC_INTERVAL_S": "7200",
        "TRIALMATCH_TASK_TIME_LIMIT_S": "10",
        "TRIALMATCH_TASK_SOFT_TIME_LIMIT_S": "8",
        # Below the soft limit (the settings refuse otherwise), above the stub's 4 s latency.
        "TRIALMATCH_CTGOV_REQUEST_DEADLINE_S": "6",
        "TRIALMATCH_TASK_RETRY_BACKOFF_MAX_S": "1",
        "TRIALMATCH_BROKER_VISIBILITY_TIMEOUT_S": "12",
        "TRIALMATCH_BROKER_UNACKED_RESTORE_INTERVAL_S": "1",
        "TRIALMATCH_BROKER_UNACKED_RESTORE_THROTTLE": "1",
        "TRIALMATCH_LOG_LEVEL": "INFO",
    }


class Deployment:
    """The running stack, the CT.gov stub on loopback it talks to, and the times it took."""

    def __init__(self, stack: Stack, stub: CtgovStub, build_s: float) -> None:
        self.stack = stack
        self.stub = stub
        self.build_s = build_s
        self.started = time.monotonic()
        self.api = f"http://127.0.0.1:{stack.env()['API_PORT']}"
        self.key = ""  # set by the first test that creates it inside the api container
        self.ids: dict[str, str] = {}  # reference -> the profile id the server assigned


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    cli = require_docker()
    remove_stale_stacks("tmtest")
    base, build_s = build_images()
    stub = CtgovStub(SNAPSHOT)
    tmp: Path = tmp_path_factory.mktemp("compose")
    stack = Stack(f"tmtest{os.getpid()}", tmp / "env", cli)
    stack.write_env({**stack_env(stub.url, base), "TRIALMATCH_ENV_FILE": str(tmp / "env")})
    dep = Deployment(stack, stub, build_s)
    try:
        stack.compose("up", "-d", "--no-build", timeout=300)
        yield dep
    except BaseException:
        print(stack.logs())
        raise
    finally:
        stack.down()
        stub.close()
        print(f"\ncompose: build {build_s:.0f}s, stack {time.monotonic() - dep.started:.0f}s")
