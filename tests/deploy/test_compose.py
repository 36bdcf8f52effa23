"""The compose deployment, run for real: images built here, the five services on loopback.

One stack per module (building and starting it is the expensive part), so the tests run in file
order against the same deployment, as an operator's day would: key, submission, a worker crash,
a Redis restart, a switch to the offline snapshot. Profiles are copies of examples/ with
constructed references; their ids are the ones the server assigns. Run with the README's test
command; `-m "not docker"` leaves them out.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.deploy.compose import IMAGE_TAG, Stack, run
from tests.deploy.conftest import Deployment, require_docker
from tests.support.procs import REPO, wait_for

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.timeout(900)]
SERVICES = ("redis", "api", "worker", "beat", "flower")


def profile(example: str, reference: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((REPO / "examples" / example).read_text())
    return {**body, "reference": reference}


def call(dep: Deployment, method: str, path: str, **kw: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {dep.key}"}
    return httpx.request(method, dep.api + path, headers=headers, timeout=15, **kw)


def submit(dep: Deployment, body: dict[str, Any]) -> str:
    """POST a new profile; remember the id the server assigned to its reference."""
    resp = call(dep, "POST", "/v1/profiles", json=body)
    assert resp.status_code == 202, resp.text
    dep.ids[body["reference"]] = str(resp.json()["profile_id"])
    return str(resp.json()["job_id"])


def new_registry_data(dep: Deployment, version: str) -> None:
    """The stub publishes a new data version, and the deployment's cached data version (kept
    up to 10 minutes) is dropped, as its expiry would: the next match builds that corpus."""
    dep.stub.data_version = version
    code = (
        "from matcher.settings import get_settings; from matcher.adapters.store import Store; "
        "s = Store.from_settings(get_settings()); s.r.delete(s.keys.data_version())"
    )
    dep.stack.exec("api", "python", "-c", code)


def wait_job(dep: Deployment, job_id: str, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    job: dict[str, Any] = {}
    while time.monotonic() < deadline:
        resp = call(dep, "GET", f"/v1/jobs/{job_id}")
        job = resp.json() if resp.status_code == 200 else {"http": resp.status_code}
        if job.get("status") in ("done", "failed"):
            return job
        time.sleep(0.5)
    return job


def in_container(stack: Stack, service: str) -> dict[str, Any]:
    """What a service's container sees: its TRIALMATCH_* environment and the loaded settings."""
    code = (
        "import json, os; from matcher.settings import get_settings; "
        "print(json.dumps({'env': {k: v for k, v in os.environ.items() "
        "if k.startswith('TRIALMATCH_')}, "
        "'settings': get_settings().model_dump(mode='json', exclude={'redis_url'})}))"
    )
    seen: dict[str, Any] = json.loads(stack.exec(service, "python", "-c", code))
    return seen


def test_key_created_in_api_container_and_submission_ends_done(deployment: Deployment) -> None:
    """A key made with `exec api trialmatch keys create` authorises a POST that ends done."""
    dep = deployment
    wait_for(lambda: dep.stack.health("api") == "healthy", 120, 1, "api healthy")
    dep.key = dep.stack.exec("api", "trialmatch", "keys", "create", "--board", "compose").strip()
    assert re.fullmatch(r"\S{20,}", dep.key), "the key is printed alone on stdout"
    unknown = "p_" + "0" * 24  # a well-formed id no profile has
    assert call(dep, "GET", f"/v1/profiles/{unknown}").status_code == 404  # key accepted

    job = wait_job(dep, submit(dep, profile("synovial-pulmonary.json", "CT-compose-1")), 120)
    assert job["status"] == "done", (job, dep.stack.logs())
    matches = call(dep, "GET", f"/v1/profiles/{dep.ids['CT-compose-1']}/matches").json()
    assert matches["pending"] is False
    assert matches["total"] > 0
    assert all(m["nct_id"].startswith("NCT") and m["criteria"] for m in matches["results"])
    assert dep.stub.count("/api/v2/studies") >= 1  # fetched over HTTP from the stub


def test_every_service_becomes_healthy(deployment: Deployment) -> None:
    """All five services pass their own compose healthchecks (beat's first check is at 60 s)."""
    seen = deployment.stack.wait_healthy(SERVICES, timeout=180)
    assert seen == dict.fromkeys(SERVICES, "healthy"), deployment.stack.logs()


def test_every_trialmatch_setting_reaches_every_container(deployment: Deployment) -> None:
    """Each TRIALMATCH_* line of the env file is in api, worker, beat and flower, and is used."""
    stack = deployment.stack
    wanted = {k: v for k, v in stack.env().items() if k.startswith("TRIALMATCH_")}
    wanted.pop("TRIALMATCH_IMAGE")  # a compose variable, not a setting
    wanted.pop("TRIALMATCH_ENV_FILE")
    for service in ("api", "worker", "beat", "flower"):
        seen = in_container(stack, service)
        assert {k: seen["env"].get(k) for k in wanted} == wanted, service
        settings = seen["settings"]
        assert settings["ctgov_base_url"] == wanted["TRIALMATCH_CTGOV_BASE_URL"]
        assert settings["worker_concurrency"] == 1
        assert settings["sync_interval_s"] == 7200
        assert settings["broker_visibility_timeout_s"] == 12
        assert settings["environment"] == "production"  # set by compose, not by the env file


def test_killed_worker_is_restarted_and_its_task_redelivered(deployment: Deployment) -> None:
    """SIGKILL of the worker mid-task: the restart policy brings it back and the task re-runs."""
    dep, stack = deployment, deployment.stack
    before = stack.inspect(stack.container("worker"))
    searches = dep.stub.count("/api/v2/studies")
    # One corpus serves every profile: new registry data makes this match build the next
    # corpus (a listing sweep), whose requests the stub holds 4 s each.
    new_registry_data(dep, "compose-v2")
    dep.stub.latency_s = 4
    try:
        job_id = submit(dep, profile("erms-second-relapse.json", "CT-compose-2"))
        wait_for(lambda: dep.stub.count("/api/v2/studies") > searches, 60, 0.1, "search sent")
        assert call(dep, "GET", f"/v1/jobs/{job_id}").json()["status"] == "running"
        pid = stack.kill_main_process("worker")
    finally:
        dep.stub.latency_s = 0
    job = wait_job(dep, job_id, 120)
    assert job["status"] == "done", (job, stack.logs())
    after = stack.inspect(stack.container("worker"))
    assert after["Id"] == before["Id"]  # the same container, restarted in place
    assert after["RestartCount"] == int(str(before["RestartCount"])) + 1
    state = after["State"]
    assert isinstance(state, dict)
    assert state["Pid"] != pid
    # The killed run's search never returned; the redelivered run searched again.
    assert dep.stub.count("/api/v2/studies") >= searches + 2
    assert call(dep, "GET", f"/v1/profiles/{dep.ids['CT-compose-2']}/matches").json()["total"] > 0


def test_redis_recreated_on_its_volume_keeps_profiles_jobs_and_matches(
    deployment: Deployment,
) -> None:
    """A new Redis container on the same volume replays the AOF: nothing stored is lost."""
    dep, stack = deployment, deployment.stack
    first, second = dep.ids["CT-compose-1"], dep.ids["CT-compose-2"]
    paths = [f"/v1/profiles/{first}", f"/v1/profiles/{first}/matches",
             f"/v1/profiles/{second}/matches"]  # fmt: skip
    before = {p: call(dep, "GET", p).json() for p in paths}
    old = stack.container("redis")
    stack.compose("stop", "redis")
    stack.compose("rm", "-f", "redis")
    stack.compose("up", "-d", "--no-deps", "--no-build", "redis")
    assert stack.container("redis") != old
    wait_for(lambda: stack.health("redis") == "healthy", 60, 1, "redis healthy")
    wait_for(lambda: call(dep, "GET", "/healthz").status_code == 200, 60, 1, "api reconnected")
    assert {p: call(dep, "GET", p).json() for p in paths} == before
    assert before[f"/v1/profiles/{first}/matches"]["total"] > 0


def test_exactly_one_beat_runs(deployment: Deployment) -> None:
    """One beat container, and across the whole stack exactly one Celery beat process."""
    stack = deployment.stack
    assert len(stack.containers("beat")) == 1
    beats = 0
    for service in SERVICES:
        top = run(["docker", "top", stack.container(service), "-o", "pid,args"]).stdout
        beats += sum(1 for line in top.splitlines()[1:] if re.search(r"\bbeat\b", line))
    assert beats == 1


def test_offline_snapshot_volume_feeds_the_pipeline(deployment: Deployment) -> None:
    """TRIALMATCH_CTGOV_SNAPSHOT into the mounted volume: matches come without any HTTP."""
    dep, stack = deployment, deployment.stack
    stack.write_env({**stack.env(), "TRIALMATCH_CTGOV_SNAPSHOT": "/srv/snapshot/sarcoma",
                     "TRIALMATCH_ANY_STATUS": "true"})  # fmt: skip
    redis_before = stack.container("redis")
    stack.compose("up", "-d", "--no-build", timeout=300)  # recreates what the change touches
    assert stack.container("redis") == redis_before  # Redis was not part of the change
    assert in_container(stack, "worker")["settings"]["ctgov_snapshot"] == "/srv/snapshot/sarcoma"
    requests = dep.stub.count()
    # The data version of the old source stays cached in Redis (up to 10 min): a sync makes the
    # switch immediate, as the README tells operators to do.
    stack.exec("api", "trialmatch", "sync", "--wait", "--timeout", "120", timeout=180)
    job = wait_job(dep, submit(dep, profile("synovial-pulmonary.json", "CT-compose-3")), 120)
    assert job["status"] == "done", (job, stack.logs())
    matches = call(dep, "GET", f"/v1/profiles/{dep.ids['CT-compose-3']}/matches").json()
    assert matches["data_version"].startswith("snapshot:")
    assert matches["total"] > 0
    assert dep.stub.count() == requests


@pytest.mark.parametrize("secret", ["REDIS_PASSWORD", "FLOWER_PASSWORD"])
def test_compose_refuses_to_start_without_a_secret(tmp_path: Path, secret: str) -> None:
    """Without a required secret `up` exits non-zero naming it, and creates no container."""
    cli = require_docker()
    values = {
        "REDIS_PASSWORD": "a-long-test-password-1",
        "FLOWER_PASSWORD": "another-one-2",
        "TRIALMATCH_ENV_FILE": str(tmp_path / "env"),
        "TRIALMATCH_IMAGE": IMAGE_TAG,
    }
    del values[secret]
    stack = Stack(f"tmrefuse{secret.lower().split('_')[0]}", tmp_path / "env", cli)
    stack.write_env(values)
    try:
        done = stack.compose("up", "-d", "--no-build", check=False)
        assert done.returncode != 0
        assert f"set {secret} in .env" in done.stdout + done.stderr
        label = f"label=com.docker.compose.project={stack.project}"
        assert run(["docker", "ps", "-aq", "--filter", label]).stdout.strip() == ""
    finally:
        stack.down()


def test_build_ca_is_not_left_in_the_image(deployment: Deployment) -> None:
    """The proxy CA given to pip at build time is in no file and no history line of the image."""
    from tests.deploy.compose import extra_ca

    pem = extra_ca()
    if not pem:
        pytest.skip("no extra CA on this host: the build ran without PIP_EXTRA_CA")
    # A line of base64 from the middle of the first certificate: unique to it.
    line = [x for x in pem.splitlines() if x and not x.startswith("-----")][3]
    history = run(["docker", "history", "--no-trunc", IMAGE_TAG]).stdout
    assert line not in history
    # Every place a build could leave a file behind: the venv, trust stores, app, temp, homes.
    places = ["/opt", "/etc", "/app", "/tmp", "/root", "/home", "/usr/local"]  # noqa: S108
    found = run(["docker", "run", "--rm", "--network=none", "--user=0", "--entrypoint=grep",
                 IMAGE_TAG, "-rlF", line, *places], check=False)  # fmt: skip
    assert found.returncode == 1, found.stdout  # grep: 1 = no file holds it
