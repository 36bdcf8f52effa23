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
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from cli.args import MAIN_EPILOG, add_command, config_hint, redis_hint
from matcher.domain.models import MatchRun
from matcher.errors import (
    ConfigError,
    InvalidInput,
    InvalidProfile,
    NotFound,
    ReferenceInUse,
    StoreError,
    TrialmatchError,
)

EXIT_OK, EXIT_FAIL, EXIT_INPUT = 0, 1, 2


def _store() -> Any:
    from matcher.adapters.store import Store
    from matcher.settings import get_settings

    settings = get_settings()
    return Store.from_settings(settings)


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    return Path(path).read_bytes()


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
        store, _read(args.profile), board_id=args.board, replace_id=args.replace,
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
    _print_run(_filtered(run, args), args)
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


def cmd_match(args: argparse.Namespace) -> int:
    """The engine alone over a snapshot: no Redis, no Celery."""
    from matcher.domain.eligibility import EngineOptions, match_trials
    from matcher.domain.models.profile import parse_profile

    profile = parse_profile(_read(args.profile))
    trials, data_version = _load_trials(args.trials)
    statuses = [s.strip() for s in (args.statuses or "").split(",") if s.strip()]
    if statuses:
        from matcher.settings import check_statuses

        try:
            check_statuses(statuses)
        except ValueError as exc:
            raise BadArgument(f"--statuses: {exc}") from None
    options = EngineOptions(any_status=args.any_status, assessment_max_age_days=args.max_age_days)
    if statuses:
        options = replace(options, statuses=frozenset(statuses))
    as_of = args.as_of or date.today()
    if as_of < profile.assessed_on:
        # The engine ages the patient forward from assessed_on; judging earlier would mean
        # using facts that were not yet true.
        print(
            f"error: --as-of {as_of} is before assessed_on {profile.assessed_on} of the profile",
            file=sys.stderr,
        )
        return EXIT_INPUT
    run = match_trials(profile, trials, as_of=as_of, options=options, data_version=data_version)
    _print_run(_filtered(run, args), args)
    return EXIT_OK


class BadArgument(Exception):
    """Bad command-line input found after parsing (exit 2); the message names the option."""


def _load_trials(path_text: str) -> tuple[list[Any], str | None]:
    """--trials: a folder of v2 JSON files, or one file (a study or a /studies page)."""
    from matcher.adapters.ctgov.parse import parse_study
    from matcher.adapters.ctgov.snapshot import SnapshotSource
    from matcher.errors import UpstreamSchemaError

    what = "give a folder of ClinicalTrials.gov v2 JSON files (e.g. snapshot/sarcoma) or one file"
    path = Path(path_text)
    if not path.exists():
        raise BadArgument(f"--trials: no such file or folder: {path_text} ({what})")
    try:
        if path.is_file():
            body = json.loads(path.read_text())
            studies = body["studies"] if isinstance(body, dict) and "studies" in body else [body]
            return [parse_study(s) for s in studies], None
        source = SnapshotSource(path)
        trials = source.all_trials()
    except json.JSONDecodeError as exc:
        raise BadArgument(f"--trials: {path_text} is not valid JSON ({exc}); {what}") from None
    except UpstreamSchemaError as exc:
        raise BadArgument(
            f"--trials: {path_text} is not v2 study records ({exc}); {what}"
        ) from None
    if not trials:
        raise BadArgument(f"--trials: no study records (*.json) in {path_text}; {what}")
    return trials, source.data_version()


def _filtered(run: MatchRun, args: argparse.Namespace) -> MatchRun:
    """Apply --verdict/--phase/--max-distance-km (the API's filters); say what was kept and why."""
    from matcher.domain.filters import distance_note, filter_matches

    kept = filter_matches(
        run.results,
        verdicts=args.verdict,
        phases=args.phase,
        max_distance_km=args.max_distance_km,
    )
    note = distance_note(kept)
    if note:
        print(f"note: {note}", file=sys.stderr)
    return run.model_copy(update={"results": kept.results})


def _print_run(run: MatchRun, args: argparse.Namespace) -> None:
    print(run.model_dump_json(indent=2) if args.json else render_run(run, limit=args.limit))


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
            f"\n{rank:>3}. {m.verdict.upper():<17} {m.score:6.2f}  {m.nct_id}  "
            f"[{status_label(m.overall_status, m.status_confirmed)}]{site}\n     {m.title[:110]}"
        )
        if m.rank is not None:  # absent in results stored by engines before 2026.11.5
            lines.append(f"     why this rank: {'; '.join(m.rank.why[1:])}")
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


def status_label(status: str | None, confirmed: str | None) -> str:
    """The registry status as a board reads it; expanded access is named, with its freshness."""
    if status is None:
        return "status unknown"
    label = "expanded access (AVAILABLE)" if status == "AVAILABLE" else status
    return f"{label}, confirmed {confirmed}" if confirmed else label


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
