"""The `keys` and `serve` commands, and configuration errors at start-up."""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from api.app import create_app
from api.cli_keys import add_key_commands
from api.cli_serve import add_serve_command
from matcher import boards
from matcher.errors import ConfigError
from matcher.settings import get_settings
from tests.api.conftest import ApiEnv
from tests.support.procs import REPO, free_port, stack_env, wait_for


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="trialmatch")
    sub = parser.add_subparsers(dest="command", required=True)
    add_key_commands(sub)
    add_serve_command(sub)
    return parser


@pytest.fixture
def env_for(api_env: ApiEnv, monkeypatch: pytest.MonkeyPatch) -> Iterator[ApiEnv]:
    """Point get_settings() at the test Redis for commands that read the environment."""
    monkeypatch.setenv("TRIALMATCH_REDIS_URL", api_env.server.url)
    get_settings.cache_clear()
    yield api_env
    get_settings.cache_clear()


def _run(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    code: int = args.func(args)
    return code


def test_keys_create_list_revoke(env_for: ApiEnv, capsys: pytest.CaptureFixture[str]) -> None:
    """`keys create` prints the token once on stdout; `list` shows its id; `revoke` disables it."""
    assert _run(["keys", "create", "--board", "board-cli", "--label", "dr x"]) == 0
    token = capsys.readouterr().out.strip()
    assert boards.authenticate(env_for.store, token) == "board-cli"
    assert _run(["keys", "list", "--board", "board-cli"]) == 0
    listing = capsys.readouterr().out
    key_id = token.split("_")[1]
    assert key_id in listing
    assert token not in listing
    assert _run(["keys", "revoke", key_id]) == 0
    assert boards.authenticate(env_for.store, token) is None


def test_keys_create_refuses_a_bad_board_name(env_for: ApiEnv) -> None:
    """A board name with spaces is refused with exit code 2 and no key is created."""
    before = boards.list_keys(env_for.store)
    assert _run(["keys", "create", "--board", "Jane Doe board"]) == 2
    assert boards.list_keys(env_for.store) == before


def test_create_app_refuses_bad_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    """create_app() without settings raises ConfigError naming the bad environment variable."""
    monkeypatch.setenv("TRIALMATCH_REDIS_URL", "http://127.0.0.1:9/0")
    get_settings.cache_clear()
    try:
        with pytest.raises(ConfigError, match="TRIALMATCH_REDIS_URL"):
            create_app()
    finally:
        get_settings.cache_clear()


def test_serve_runs_the_api_under_uvicorn(api_env: ApiEnv) -> None:
    """`serve` starts uvicorn in factory mode from the environment and answers /healthz."""
    port = free_port()
    code = (
        "import sys; from tests.api.test_cli import _parser; "
        "a = _parser().parse_args(sys.argv[1:]); sys.exit(a.func(a))"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "serve", "--port", str(port)],
        cwd=REPO, env=stack_env(api_env.server.url),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:

        def up() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(up, 30, what="trialmatch serve")
        res = httpx.get(f"http://127.0.0.1:{port}/v1/profiles/x", timeout=5)
        assert res.status_code == 401
        assert "server" not in res.headers
    finally:
        proc.terminate()
        proc.wait(10)
