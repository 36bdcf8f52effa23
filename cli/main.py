"""`trialmatch` command line: submit, status, matches, facts, answer, reviewed, worker, beat, and
the engine-only `match`.

Exit codes: 0 success, 1 operational failure (Redis down, job failed), 2 bad input (the message
names the field, or the board already has a profile with this reference).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from typing import Any

from cli.args import add_command
from cli.help_texts import MAIN_EPILOG, config_hint, redis_hint
from cli.runs import (
    EXIT_FAIL,
    EXIT_INPUT,
    EXIT_OK,
    BadArgument,
    cmd_match,
    filtered,
    print_run,
    read_input,
    render_run,
)
from matcher.errors import (
    ConfigError,
    InvalidInput,
    InvalidProfile,
    NotFound,
    ReferenceInUse,
    StoreError,
    TrialmatchError,
)


def _store() -> Any:
    from matcher.adapters.store import Store
    from matcher.settings import get_settings

    settings = get_settings()
    return Store.from_settings(settings)


def cmd_submit(args: argparse.Namespace) -> int:
    from matcher.services.boards import BOARD_ID
    from matcher.services.submission import submit_json
    from workers.publish import publish_with_default_app

    if not BOARD_ID.match(args.board):
        print("error: --board: 1-64 letters, digits, '.', '_' or '-'", file=sys.stderr)
        return EXIT_INPUT
    from matcher.settings import get_settings

    store = _store()
    # The API's semantics: a new profile unless --replace names one of this board's profiles; a
    # reference the board already uses is refused (exit 2), never silently replaced or moved.
    sub = submit_json(
        store, read_input(args.profile), board_id=args.board, replace_id=args.replace,
        publish=publish_with_default_app, retention_days=get_settings().profile_retention_days,
        assessment_max_age_days=get_settings().assessment_max_age_days,
    )  # fmt: skip
    print(f"submitted profile {sub.profile_id} (revision {sub.revision}) as job {sub.job_id}")
    for warning in sub.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if not args.wait:
        return EXIT_OK
    deadline = time.monotonic() + args.timeout
    status = "queued"
    while time.monotonic() < deadline:
        job = store.get_job(sub.job_id)
        status = job["status"]
        if status in {"done", "failed"}:
            break
        time.sleep(0.2)
    if status != "done":
        reason = store.get_job(sub.job_id).get("reason", "")
        print(f"job {sub.job_id} {status} {reason}".rstrip(), file=sys.stderr)
        if status in _WAIT_HINTS:
            print(_WAIT_HINTS[status].format(job=sub.job_id, s=args.timeout), file=sys.stderr)
        return EXIT_FAIL
    run = store.read_matches(sub.profile_id)
    if run is not None:
        print(render_run(run, limit=args.limit))
    return EXIT_OK


_WAIT_HINTS = {
    "queued": "no worker took the job within {s:.0f} s: start one (trialmatch worker) with the "
    "same TRIALMATCH_REDIS_URL; the job stays queued until then (trialmatch status {job})",
    "running": "a worker is still on it after {s:.0f} s; follow it with trialmatch status {job}",
}


def cmd_status(args: argparse.Namespace) -> int:
    job = _store().get_job(args.job_id)
    print(json.dumps(job, indent=2, sort_keys=True))
    return EXIT_FAIL if job["status"] == "failed" else EXIT_OK


def cmd_matches(args: argparse.Namespace) -> int:
    run = _store().read_matches(args.profile_id)
    if run is None:
        raise NotFound(
            f"no matches stored for profile {args.profile_id}: submit it first "
            "(trialmatch submit PROFILE.json --wait) or follow its job (trialmatch status JOB_ID)"
        )
    print_run(filtered(run, args), args)
    return EXIT_OK


def cmd_erase(args: argparse.Namespace) -> int:
    """Erase a profile and everything derived from it (matches, changes, jobs, schedule)."""
    from matcher.services.erase import erase_profile

    store = _store()
    if not store.profile_exists(args.profile_id):
        raise NotFound(f"profile {args.profile_id} not found")
    deleted = erase_profile(store, args.profile_id)
    print(f"erased profile {args.profile_id} ({deleted} keys)")
    return EXIT_OK


def cmd_worker(args: argparse.Namespace) -> int:
    from matcher.settings import get_settings

    settings = get_settings()
    from workers.celery_app import app

    argv = ["worker", f"--loglevel={settings.log_level}", "-Q", "trialmatch", *args.celery_args]
    app.worker_main(argv)
    return EXIT_OK


def cmd_beat(args: argparse.Namespace) -> int:
    from matcher.settings import get_settings
    from workers.celery_app import app

    settings = get_settings()
    app.start(["beat", f"--loglevel={settings.log_level}", *args.celery_args])
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="trialmatch",
        description=__doc__,
        epilog=MAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    for name, func in (
        ("submit", cmd_submit), ("status", cmd_status), ("matches", cmd_matches),
        ("erase", cmd_erase), ("match", cmd_match),
    ):  # fmt: skip
        add_command(sub, name).set_defaults(func=func)

    from cli.board import add_board_commands
    from cli.corpus import add_corpus_commands
    from cli.keys import add_key_commands
    from cli.schedule import add_schedule_commands
    from cli.serve import add_serve_command

    add_schedule_commands(sub)
    add_corpus_commands(sub)
    add_board_commands(sub)
    add_key_commands(sub)
    add_serve_command(sub)

    for name, func in (("worker", cmd_worker), ("beat", cmd_beat)):
        add_command(sub, name).set_defaults(func=func)
    return p


def _prepare_worker_metrics() -> None:
    """Give prefork children a shared metrics directory (workers/metrics_server.py serves it).

    Must run before anything imports prometheus_client, which picks its storage at import time;
    building the parser already imports it (via stamina), so this runs first thing in main().
    """
    from matcher.settings import get_settings

    try:
        port = get_settings().worker_metrics_port
    except ConfigError:
        return  # reported properly once the command runs
    if port and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="trialmatch-metrics-")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["worker"]:
        _prepare_worker_metrics()
    parser = build_parser()
    # `worker`/`beat` pass unknown options on to Celery (e.g. --concurrency=2); others refuse them.
    args, extra = parser.parse_known_args(argv)
    if extra and not getattr(args, "passthrough", False):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.celery_args = extra
    try:
        code: int = args.func(args)
    except InvalidProfile as exc:
        what = "invalid input" if isinstance(exc, InvalidInput) else "invalid profile"
        for field, msg in exc.errors:
            print(f"error: {what}: {field}: {msg}", file=sys.stderr)
        return EXIT_INPUT
    except (BadArgument, ReferenceInUse) as exc:  # ReferenceInUse: the API's 409, nothing stored
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except ConfigError as exc:
        print(f"error: configuration: {exc}\n{config_hint(str(exc))}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # `trialmatch matches ID --json | head`: the reader left; no message
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # as the Python docs advise
        return EXIT_FAIL
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_INPUT
    except json.JSONDecodeError as exc:
        print(f"error: not valid JSON: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except StoreError as exc:
        print(f"error: {exc}\n{redis_hint()}", file=sys.stderr)
        return EXIT_FAIL
    except TrialmatchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAIL
    return code


if __name__ == "__main__":
    sys.exit(main())
