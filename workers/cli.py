"""`trialmatch` command line: submit, status, matches, worker, beat, and the engine-only `match`.

Exit codes: 0 success, 1 operational failure (Redis down, job failed), 2 bad input (the message
names the field).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from matcher.errors import ConfigError, InvalidProfile, NotFound, TrialmatchError
from matcher.models import MatchRun

EXIT_OK, EXIT_FAIL, EXIT_INPUT = 0, 1, 2


def _store() -> Any:
    from matcher.settings import get_settings
    from matcher.store import Store

    settings = get_settings()
    return Store.from_settings(settings)


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    return Path(path).read_bytes()


def cmd_submit(args: argparse.Namespace) -> int:
    from matcher.boards import BOARD_ID
    from workers.submission import submit_json

    if not BOARD_ID.match(args.board):
        print("error: --board: 1-64 letters, digits, '.', '_' or '-'", file=sys.stderr)
        return EXIT_INPUT
    store = _store()
    sub = submit_json(store, _read(args.profile), board_id=args.board)
    print(f"submitted profile {sub.profile_id} (revision {sub.revision}) as job {sub.job_id}")
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
        return EXIT_FAIL
    run = store.read_matches(sub.profile_id)
    if run is not None:
        print(render_run(run, limit=args.limit))
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    job = _store().get_job(args.job_id)
    print(json.dumps(job, indent=2, sort_keys=True))
    return EXIT_FAIL if job["status"] == "failed" else EXIT_OK


def cmd_matches(args: argparse.Namespace) -> int:
    run = _store().read_matches(args.profile_id)
    if run is None:
        raise NotFound(f"no matches stored for profile {args.profile_id}")
    print(run.model_dump_json(indent=2) if args.json else render_run(run, limit=args.limit))
    return EXIT_OK


def cmd_erase(args: argparse.Namespace) -> int:
    """Erase a profile and everything derived from it (matches, changes, jobs, schedule)."""
    from matcher.erase import erase_profile

    store = _store()
    if not store.profile_exists(args.profile_id):
        raise NotFound(f"profile {args.profile_id} not found")
    deleted = erase_profile(store, args.profile_id)
    print(f"erased profile {args.profile_id} ({deleted} keys)")
    return EXIT_OK


def cmd_match(args: argparse.Namespace) -> int:
    """The engine alone over a snapshot: no Redis, no Celery."""
    from matcher.ctgov.parse import parse_study
    from matcher.ctgov.snapshot import SnapshotSource
    from matcher.eligibility import EngineOptions, match_trials
    from matcher.models.profile import parse_profile

    profile = parse_profile(_read(args.profile))
    trials_path = Path(args.trials)
    if trials_path.is_file():
        body = json.loads(trials_path.read_text())
        studies = body["studies"] if isinstance(body, dict) and "studies" in body else [body]
        trials = [parse_study(s) for s in studies]
        data_version = None
    else:
        source = SnapshotSource(trials_path)
        trials = source.all_trials()
        data_version = source.data_version()
    options = EngineOptions(any_status=args.any_status)
    if args.statuses:
        options = EngineOptions(
            statuses=frozenset(args.statuses.split(",")), any_status=args.any_status
        )
    as_of = args.as_of or date.today()
    run = match_trials(profile, trials, as_of=as_of, options=options, data_version=data_version)
    print(run.model_dump_json(indent=2) if args.json else render_run(run, limit=args.limit))
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


def render_run(run: MatchRun, *, limit: int = 0) -> str:
    """A ranked, human-readable list: verdict, score, status, and the reasons behind each."""
    lines = [
        f"profile {run.profile_id}: {len(run.results)} trials evaluated on {run.evaluated_on} "
        f"(engine {run.engine_version}, data {run.data_version or 'n/a'})"
    ]
    lines += [f"warning: {w}" for w in run.warnings]
    shown = run.results[:limit] if limit else run.results
    for rank, m in enumerate(shown, 1):
        site = ""
        if m.nearest_site is not None:
            site = f" | nearest site {m.nearest_site.distance_km:.0f} km ({m.nearest_site.city})"
        lines.append(
            f"\n{rank:>3}. {m.verdict.upper():<17} {m.score:6.1f}  {m.nct_id}  "
            f"[{m.overall_status or 'status unknown'}]{site}\n     {m.title[:110]}"
        )
        for reason in m.decisive[:3]:
            lines.append(f"     ✗ {reason}")
        for fact in m.to_verify[:4]:
            lines.append(f"     ? to verify: {fact}")
        if len(m.to_verify) > 4:
            lines.append(f"     ? ... and {len(m.to_verify) - 4} more to verify")
        not_applicable = sum(c.verdict == "not_applicable" for c in m.criteria)
        if not_applicable:
            lines.append(f"     – {not_applicable} criteria do not apply (other patients, notes)")
    if limit and len(run.results) > limit:
        hidden = run.results[limit:]
        counts = Counter(m.verdict for m in hidden)
        summary = ", ".join(f"{n} {v.replace('_', ' ')}" for v, n in sorted(counts.items()))
        lines.append(f"\n... {len(hidden)} more ({summary}; --limit 0 shows all). Excluded, e.g.:")
        for m in [m for m in hidden if m.verdict == "ineligible"][:4]:
            reason = m.decisive[0] if m.decisive else "see criteria"
            lines.append(f"     ✗ {m.nct_id} {m.title[:60]}: {reason[:110]}")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="trialmatch", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("submit", help="validate and queue a recurrence profile (JSON file or -)")
    s.add_argument("profile")
    s.add_argument("--wait", action="store_true", help="wait for the job and print the matches")
    s.add_argument("--timeout", type=float, default=120.0, help="seconds to wait (default 120)")
    s.add_argument("--limit", type=int, default=10, help="matches to print (0 = all)")
    s.add_argument("--board", default="default", help="board that owns the profile (API access)")
    s.set_defaults(func=cmd_submit)

    s = sub.add_parser("status", help="show a job's status")
    s.add_argument("job_id")
    s.set_defaults(func=cmd_status)

    s = sub.add_parser("matches", help="show a profile's stored matches")
    s.add_argument("profile_id")
    s.add_argument("--json", action="store_true")
    s.add_argument("--limit", type=int, default=0)
    s.set_defaults(func=cmd_matches)

    s = sub.add_parser("erase", help="erase a profile and everything derived from it")
    s.add_argument("profile_id")
    s.set_defaults(func=cmd_erase)

    s = sub.add_parser("match", help="run the engine alone over a snapshot (no Redis, no Celery)")
    s.add_argument("profile")
    s.add_argument("--trials", required=True, help="snapshot folder or one v2 JSON file")
    s.add_argument("--as-of", type=date.fromisoformat, default=None, help="evaluation date")
    s.add_argument("--any-status", action="store_true", help="judge regardless of recruitment")
    s.add_argument("--statuses", help="comma-separated statuses that count as open")
    s.add_argument("--json", action="store_true")
    s.add_argument("--limit", type=int, default=0)
    s.set_defaults(func=cmd_match)

    from api.cli_keys import add_key_commands
    from api.cli_serve import add_serve_command
    from workers.cli_schedule import add_schedule_commands

    add_schedule_commands(sub)
    add_key_commands(sub)
    add_serve_command(sub)

    for name, func in (("worker", cmd_worker), ("beat", cmd_beat)):
        s = sub.add_parser(name, help=f"run a Celery {name} (extra args go to Celery)")
        s.set_defaults(func=func, passthrough=True)
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
        for field, msg in exc.errors:
            print(f"error: invalid profile: {field}: {msg}", file=sys.stderr)
        return EXIT_INPUT
    except ConfigError as exc:
        print(f"error: configuration: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except (OSError, json.JSONDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except TrialmatchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAIL
    return code


if __name__ == "__main__":
    sys.exit(main())
