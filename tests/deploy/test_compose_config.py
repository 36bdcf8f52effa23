"""The compose files' structure: every setting passes through, loopback only, one beat.

Rendered by `docker compose config` (or `docker-compose config`) when Compose is installed, so
interpolation, merges and env_file are Compose's own; read with PyYAML otherwise (then env_file
is checked as declared, not as expanded). No container is started here.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from matcher.settings import Settings
from tests.deploy.compose import clean_env, compose_cli
from tests.support.procs import REPO

APP_SERVICES = ("api", "worker", "beat", "flower")
# Set by the compose files themselves (they win over the env file, on purpose).
FIXED = {"TRIALMATCH_REDIS_URL", "TRIALMATCH_LOGGING_CONFIG"}
ALL_SETTINGS = sorted(f"TRIALMATCH_{name.upper()}" for name in Settings.model_fields)
DEFAULT = ("docker-compose.yml", "docker-compose.override.yml")
HOSTNET = ("docker-compose.yml", "docker-compose.hostnet.yml")


def rendered(files: tuple[str, ...], tmp_path: Path) -> tuple[dict[str, Any], bool]:
    """The compose model with every TRIALMATCH_* variable set; True when Compose rendered it."""
    env_file = tmp_path / "env"
    lines = ["REDIS_PASSWORD=pw-structural-1", "FLOWER_PASSWORD=pw-structural-2"]
    lines += [f"TRIALMATCH_ENV_FILE={env_file}"] + [f"{n}=v-{n.lower()}" for n in ALL_SETTINGS]
    env_file.write_text("\n".join(lines) + "\n")
    cli = compose_cli()
    if cli is None:
        model: dict[str, Any] = {}
        for name in files:
            for service, body in yaml.safe_load((REPO / name).read_text())["services"].items():
                model.setdefault(service, {}).update(body)
        return {"services": model}, False
    argv = [*cli, "--env-file", str(env_file)]
    for name in files:
        argv += ["-f", name]
    done = subprocess.run([*argv, "config"], capture_output=True, text=True, cwd=REPO,
                          env=clean_env(), timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout), True


def env_of(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # some Compose versions print KEY=VALUE lists
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


@pytest.mark.parametrize("files", [DEFAULT, HOSTNET], ids=["bridge", "hostnet"])
def test_every_setting_reaches_every_app_service(files: tuple[str, ...], tmp_path: Path) -> None:
    """Each TRIALMATCH_* setting of the env file arrives in api, worker, beat and flower."""
    model, by_compose = rendered(files, tmp_path)
    for name in APP_SERVICES:
        service = model["services"][name]
        if not by_compose:
            assert service.get("env_file") == "${TRIALMATCH_ENV_FILE:-.env}", name
            continue
        env = env_of(service)
        passed = {n for n in ALL_SETTINGS if env.get(n) == f"v-{n.lower()}"}
        exempt = FIXED | ({"TRIALMATCH_WORKER_METRICS_PORT"} if name == "worker" else set())
        assert set(ALL_SETTINGS) - passed == exempt & set(ALL_SETTINGS), name
        assert env["TRIALMATCH_REDIS_URL"].startswith("redis://:pw-structural-1@")


@pytest.mark.parametrize("files", [DEFAULT, HOSTNET], ids=["bridge", "hostnet"])
def test_snapshot_volume_is_mounted_read_only(files: tuple[str, ...], tmp_path: Path) -> None:
    """Every app service mounts the snapshot folder read-only at /srv/snapshot."""
    model, _ = rendered(files, tmp_path)
    for name in APP_SERVICES:
        volumes = model["services"][name]["volumes"]
        mounts = [v for v in volumes if _target(v) == "/srv/snapshot"]
        assert len(mounts) == 1, name
        mount = mounts[0]
        read_only = mount.get("read_only") if isinstance(mount, dict) else mount.endswith(":ro")
        assert read_only is True, name


def _target(volume: Any) -> str:
    """A mount's container path: long form, or `SOURCE:TARGET[:MODE]` (SOURCE may hold ':-')."""
    if isinstance(volume, dict):
        return str(volume["target"])
    parts = str(volume).rsplit(":", 2)
    return parts[-2] if parts[-1] in ("ro", "rw") else parts[-1]


def test_exactly_one_beat_is_declared(tmp_path: Path) -> None:
    """The beat service asks for one replica; no other service runs beat."""
    model, _ = rendered(DEFAULT, tmp_path)
    services = model["services"]
    assert services["beat"]["deploy"]["replicas"] == 1
    commands = {n: " ".join(map(str, s.get("command") or [])) for n, s in services.items()}
    assert [n for n, c in commands.items() if c.split()[:1] == ["beat"]] == ["beat"]


def test_bridge_deployment_publishes_on_loopback_only(tmp_path: Path) -> None:
    """Plain `docker compose up` publishes only the API and Flower, and only on 127.0.0.1."""
    model, _ = rendered(DEFAULT, tmp_path)
    published = {n: s.get("ports", []) for n, s in model["services"].items() if s.get("ports")}
    assert set(published) == {"api", "flower"}
    for ports in published.values():
        for port in ports:
            host_ip = port.get("host_ip") if isinstance(port, dict) else str(port).split(":")[0]
            assert host_ip == "127.0.0.1"


def test_hostnet_deployment_binds_everything_to_loopback(tmp_path: Path) -> None:
    """With the hostnet overlay every service is on the host network and listens on 127.0.0.1."""
    model, _ = rendered(HOSTNET, tmp_path)
    services = model["services"]
    for name, service in services.items():
        assert service["network_mode"] == "host", name
        assert not service.get("ports"), name
    assert "--bind 127.0.0.1" in " ".join(services["redis"]["command"])
    assert "--host 127.0.0.1" in " ".join(services["api"]["command"])
    assert "--address=127.0.0.1" in services["flower"]["entrypoint"]
    for name in APP_SERVICES:
        if "TRIALMATCH_REDIS_URL" in env_of(services[name]):
            assert "@127.0.0.1:" in env_of(services[name])["TRIALMATCH_REDIS_URL"]
