"""The CLI: help and examples, filters, errors that say what to do; `keys`, `serve`, config."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from api.app import create_app
from cli.keys import add_key_commands
from cli.main import build_parser, main
from cli.serve import add_serve_command
from matcher.errors import ConfigError
from matcher.services import boards
from matcher.settings import get_settings
from tests.api.conftest import ApiEnv
from tests.support.procs import REPO, SNAPSHOT, free_port, stack_env, wait_for
from tests.support.profiles import EXAMPLE

UNUSED_ID = "p_" + "0" * 24  # the shape of a server-assigned id; no profile has it


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


def _walk(parser: argparse.ArgumentParser, path: str = "trialmatch") -> Iterator[tuple[str, Any]]:
    """Every (command path, parser) pair of the CLI, depth first."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _walk(child, f"{path} {name}")


def test_every_command_and_argument_has_help_and_examples() -> None:
    """Each subcommand shows examples in --help and every argument and option has a help text."""
    commands = dict(_walk(build_parser()))
    assert {"trialmatch match", "trialmatch worker", "trialmatch keys create"} <= set(commands)
    undocumented = [
        f"{path}: {action.dest}"
        for path, parser in commands.items()
        for action in parser._actions
        if not action.help and not isinstance(action, argparse._SubParsersAction)
    ]
    assert undocumented == []
    top_level = [p for p in commands if p.count(" ") <= 1 and p != "trialmatch keys"]
    no_examples = [
        path for path in top_level
        if "examples:\n  trialmatch" not in commands[path].format_help()
        and "examples:\n  TRIALMATCH_" not in commands[path].format_help()
    ]  # fmt: skip
    assert no_examples == []
    assert "examples:" in commands["trialmatch keys"].format_help()


@pytest.mark.parametrize(
    ("name", "options"),
    [("worker", ["--concurrency", "--loglevel", "--hostname"]), ("beat", ["--schedule"])],
)
def test_worker_and_beat_help_explain_the_celery_passthrough(
    name: str, options: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """`worker --help` / `beat --help` say other options go to Celery and list the useful ones."""
    with pytest.raises(SystemExit) as exit_:
        main([name, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert f"passed on to `celery {name}`" in out
    assert f"celery -A workers.celery_app {name} --help" in out
    for option in options:
        assert option in out


def test_as_of_names_the_date_format(capsys: pytest.CaptureFixture[str]) -> None:
    """A malformed --as-of is exit 2 with a message naming the option and YYYY-MM-DD."""
    with pytest.raises(SystemExit) as exit_:
        main(["match", str(EXAMPLE), "--trials", str(SNAPSHOT), "--as-of", "28/11/2026"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "argument --as-of: expected a date as YYYY-MM-DD" in err


def test_max_age_days_names_its_range(capsys: pytest.CaptureFixture[str]) -> None:
    """A --max-age-days outside 1-3650 is exit 2 naming the option, as the setting's domain."""
    for bad in ("0", "-5", "3651", "ninety"):
        with pytest.raises(SystemExit) as exit_:
            main(["match", str(EXAMPLE), "--trials", str(SNAPSHOT), "--max-age-days", bad])
        assert exit_.value.code == 2
        assert "argument --max-age-days: expected whole days from 1 to 3650" in (
            capsys.readouterr().err
        )


def test_submit_help_describes_server_ids_and_replace(capsys: pytest.CaptureFixture[str]) -> None:
    """`submit --help` says the id is the server's, a used reference exits 2, and --replace ID."""
    with pytest.raises(SystemExit):
        main(["submit", "--help"])
    # argparse wraps at hyphens too: rejoin "server-" + "assigned" before comparing words
    out = " ".join(capsys.readouterr().out.replace("-\n", "-").split())
    assert "server-assigned profile id" in out
    assert "--replace PROFILE_ID" in out
    assert "as PUT /v1/profiles/{id}" in out
    assert "refused (exit 2)" in out


def test_missing_trials_path_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    """`--trials missing/` is exit 2 naming the option and the path, not a malformed study."""
    assert main(["match", str(EXAMPLE), "--trials", "missing/"]) == 2
    err = capsys.readouterr().err
    assert "error: --trials: no such file or folder: missing/" in err
    assert "malformed" not in err


@pytest.mark.parametrize(
    ("trials", "says"),
    [
        ("examples", "--trials: examples is not v2 study records"),  # profiles, not trials
        ("README.md", "--trials: README.md is not valid JSON"),
        ("tests/docs", "--trials: no study records (*.json) in tests/docs"),
    ],
)
def test_trials_that_are_not_study_records_are_named(
    trials: str, says: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--trials pointing at the wrong thing is exit 2 naming the option, the path and the fix."""
    monkeypatch.chdir(REPO)
    assert main(["match", str(EXAMPLE), "--trials", trials]) == 2
    err = capsys.readouterr().err
    assert says in err
    assert "e.g. snapshot/sarcoma" in err


def _run_match(capsys: pytest.CaptureFixture[str], *filters: str) -> tuple[list[Any], str]:
    argv = ["match", str(EXAMPLE), "--trials", str(SNAPSHOT), "--any-status", "--json"]
    assert main([*argv, "--as-of", "2026-11-28", *filters]) == 0
    captured = capsys.readouterr()
    return json.loads(captured.out)["results"], captured.err


def test_match_filters_validate_and_agree_with_the_api(capsys: pytest.CaptureFixture[str]) -> None:
    """--phase 2 keeps exactly the PHASE2 trials; --verdict filters; an unknown phase is exit 2."""
    everything, _ = _run_match(capsys)
    phase2, _ = _run_match(capsys, "--phase", "2")
    assert phase2
    assert [m["nct_id"] for m in phase2] == [
        m["nct_id"] for m in everything if "PHASE2" in m["phases"]
    ]
    possible, _ = _run_match(capsys, "--verdict", "possibly_eligible")
    assert possible
    assert {m["verdict"] for m in possible} == {"possibly_eligible"}
    with pytest.raises(SystemExit) as exit_:
        main(["match", str(EXAMPLE), "--trials", str(SNAPSHOT), "--phase", "II"])
    assert exit_.value.code == 2
    assert "argument --phase: phase must be one of EARLY_PHASE1" in capsys.readouterr().err


def test_distance_limit_keeps_unknown_distances_and_says_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--max-distance-km keeps trials without a known distance and prints a note counting them."""
    everything, _ = _run_match(capsys)
    limited, err = _run_match(capsys, "--max-distance-km", "300")
    unknown = [m for m in everything if m["nearest_site"] is None]
    assert unknown  # the bundled snapshot has no site coordinates
    assert len(limited) == len(everything)
    assert f"note: {len(unknown)} of the {len(limited)} trials shown have no known distance" in err


def _matches_with_fresh_settings() -> int:
    """`trialmatch matches` read with the environment as the test set it (settings re-read)."""
    get_settings.cache_clear()
    try:
        return main(["matches", UNUSED_ID])
    finally:
        get_settings.cache_clear()


def test_missing_redis_url_says_what_to_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without TRIALMATCH_REDIS_URL a Redis command is exit 2 with an export line to copy."""
    monkeypatch.delenv("TRIALMATCH_REDIS_URL")
    assert _matches_with_fresh_settings() == 2
    err = capsys.readouterr().err
    assert "TRIALMATCH_REDIS_URL" in err
    assert "export TRIALMATCH_REDIS_URL=redis://127.0.0.1:6379/0" in err


def test_unreachable_redis_says_where_it_looked_without_the_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Redis that does not answer is exit 1 naming host:port and how to start one, no password."""
    port = free_port()
    monkeypatch.setenv("TRIALMATCH_REDIS_URL", f"redis://:Zq81kPw0@127.0.0.1:{port}/0")
    assert _matches_with_fresh_settings() == 1
    err = capsys.readouterr().err
    assert f"is a redis-server running at 127.0.0.1:{port}" in err
    assert "Zq81kPw0" not in err


def test_submit_wait_without_a_worker_says_to_start_one(
    env_for: ApiEnv, capsys: pytest.CaptureFixture[str]
) -> None:
    """`submit --wait` with no worker running ends with exit 1 and says to start a worker."""
    code = main(["submit", str(EXAMPLE), "--wait", "--timeout", "0.5"])
    assert code == 1
    err = capsys.readouterr().err
    assert "no worker took the job within" in err
    assert "trialmatch worker" in err


def test_matches_of_an_unknown_profile_says_what_to_do(
    env_for: ApiEnv, capsys: pytest.CaptureFixture[str]
) -> None:
    """`matches` for a profile without stored matches says to submit it or follow its job."""
    assert main(["matches", UNUSED_ID]) == 1
    assert "submit it first" in capsys.readouterr().err


def test_a_bad_setting_points_at_the_configuration_table(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A malformed setting is exit 2 naming the variable and pointing at the README's table."""
    monkeypatch.setenv("TRIALMATCH_REDIS_URL", "http://127.0.0.1:9/0")
    assert _matches_with_fresh_settings() == 2
    err = capsys.readouterr().err
    assert "error: configuration: TRIALMATCH_REDIS_URL" in err
    assert "README: Configuration lists every setting" in err


def test_a_closed_pipe_is_not_reported_as_an_error() -> None:
    """`trialmatch match … --json | head -1` ends quietly: no traceback, no error message."""
    pipeline = f"{sys.executable} -m cli.main match {EXAMPLE} --trials {SNAPSHOT} --json | head -1"
    ran = subprocess.run(
        ["bash", "-c", pipeline], cwd=REPO, env=stack_env("redis://127.0.0.1:9/0"),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert ran.stdout == "{\n"
    assert ran.stderr == ""
