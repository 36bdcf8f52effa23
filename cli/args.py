"""Argument types, per-command help and examples of the `trialmatch` CLI (wired in cli/main.py;
the longer texts are in cli/help_texts.py)."""

from __future__ import annotations

import argparse
import textwrap
from datetime import date
from typing import Any

from cli.help_texts import CELERY_HELP


def iso_date(text: str) -> date:
    """argparse type for --as-of: a calendar date written YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date as YYYY-MM-DD (e.g. 2026-11-28), got {text!r}"
        ) from None


def count(text: str) -> int:
    """argparse type for --limit: a whole number >= 0."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return int(text)


def days(text: str) -> int:
    """argparse type for --max-age-days: 1-3650 days, as TRIALMATCH_ASSESSMENT_MAX_AGE_DAYS."""
    if not text.isdigit() or not 1 <= int(text) <= 3650:
        raise argparse.ArgumentTypeError(f"expected whole days from 1 to 3650, got {text!r}")
    return int(text)


def distance_km(text: str) -> float:
    """argparse type for --max-distance-km: kilometres >= 0."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"expected kilometres >= 0, e.g. 500, got {text!r}")
    return value


def phase(text: str) -> str:
    """argparse type for --phase: the registry's phase names, short forms normalised."""
    from matcher.domain.filters import normalize_phase

    try:
        return normalize_phase(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_output_options(s: argparse.ArgumentParser) -> None:
    """--json, --limit and the API's filters, shared by `matches` and `match`."""
    from matcher.domain.filters import PHASE_HELP

    s.add_argument(
        "--json",
        action="store_true",
        help="print the whole run as JSON (fields: README, CLI) instead of a list",
    )
    s.add_argument(
        "--limit",
        type=count,
        default=0,
        metavar="N",
        help="list the first N trials, then a summary (default 0 = all; not --json)",
    )
    s.add_argument(
        "--verdict",
        action="append",
        metavar="VERDICT",
        choices=["eligible", "possibly_eligible", "ineligible"],
        help="keep only trials with this verdict: eligible, possibly_eligible or "
        "ineligible (repeatable: any of them)",
    )
    s.add_argument(
        "--phase",
        action="append",
        type=phase,
        metavar="PHASE",
        help=f"keep only trials in this phase: {PHASE_HELP} (repeatable: any of them)",
    )
    s.add_argument(
        "--max-distance-km",
        type=distance_km,
        metavar="KM",
        help="drop trials whose nearest site is farther than KM; trials with no known "
        "distance (no site coordinates, or no location in the profile) are kept and "
        "counted in a note on stderr",
    )


def _submit(s: argparse.ArgumentParser) -> None:
    s.add_argument("profile", help="recurrence profile JSON file (README: the profile), or -")
    s.add_argument("--wait", action="store_true", help="wait for the job and print the matches")
    s.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="how long --wait waits (default 120)",
    )
    s.add_argument(
        "--limit",
        type=count,
        default=10,
        metavar="N",
        help="matches --wait prints (default 10; 0 = all)",
    )
    s.add_argument(
        "--board",
        default="default",
        metavar="NAME",
        help="board that owns the profile, for API access (default: default)",
    )
    s.add_argument(
        "--replace",
        metavar="PROFILE_ID",
        help="store a new revision of this profile of --board instead of a new profile "
        "(as PUT /v1/profiles/{id}); without it a reference the board already uses is "
        "refused (exit 2)",
    )


def _job(s: argparse.ArgumentParser) -> None:
    s.add_argument("job_id", help="the job id `submit` (or POST /v1/profiles) printed")


def _profile_id(s: argparse.ArgumentParser) -> None:
    s.add_argument(
        "profile_id",
        help="the profile id `submit` (or POST /v1/profiles) printed: p_ and 24 hex digits",
    )


def _matches(s: argparse.ArgumentParser) -> None:
    _profile_id(s)
    add_output_options(s)


def _match(s: argparse.ArgumentParser) -> None:
    s.add_argument("profile", help="recurrence profile JSON file, or - for stdin")
    s.add_argument(
        "--trials",
        required=True,
        metavar="PATH",
        help="a folder of ClinicalTrials.gov v2 JSON files (e.g. snapshot/sarcoma) or "
        "one v2 JSON file (a study, or a /studies page)",
    )
    s.add_argument(
        "--as-of",
        type=iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="evaluation date: ages and washouts are counted to it (default: today)",
    )
    s.add_argument(
        "--any-status",
        action="store_true",
        help="judge every trial whatever its recruitment status (status still shown)",
    )
    s.add_argument(
        "--statuses",
        metavar="LIST",
        help="comma-separated statuses that count as open (default RECRUITING,NOT_YET_RECRUITING);"
        " registry values only, e.g. ACTIVE_NOT_RECRUITING",
    )
    s.add_argument(
        "--max-age-days",
        type=days,
        default=90,
        metavar="DAYS",
        help="warn when assessed_on is more than DAYS before the evaluation date (default 90)",
    )
    add_output_options(s)


def _passthrough(s: argparse.ArgumentParser) -> None:
    s.set_defaults(passthrough=True)


EXAMPLE = "examples/synovial-pulmonary.json"
PID = "p_3f9c0e6a51d24b7e8a01c2d4"  # the shape of a server-assigned id (made up for the help)
# name -> (one-line summary, description, examples, arguments)
SPECS: dict[str, tuple[str, str, str, Any]] = {
    "submit": (
        "validate and queue a recurrence profile (JSON file or -)",
        "Validate a recurrence profile, store it and queue a match job for the workers. The "
        "server-assigned profile id (p_ and 24 hex digits; later commands take it) and the job id "
        "are printed; with --wait the ranked matches follow. A reference (the profile's "
        '"reference" field) the board already uses exits 2 naming that profile; --replace ID '
        "stores a new revision of it instead.",
        f"  trialmatch submit {EXAMPLE} --wait --limit 5\n"
        "  cat profile.json | trialmatch submit - --board childrens-east\n"
        f"  trialmatch submit revised.json --board childrens-east --replace {PID}\n",
        _submit,
    ),
    "status": (
        "show a job's status",
        "Print a job's record as JSON: queued -> running -> done | failed (with the reason). "
        "Exit code 1 when the job failed.",
        "  trialmatch status 61ffbaab7dee4aa79e809561439b444f\n",
        _job,
    ),
    "matches": (
        "show a profile's stored matches",
        "Print the stored (latest) match run of a profile, best first, with each trial's "
        "decisive reasons and the facts still to verify.",
        f"  trialmatch matches {PID} --limit 5\n"
        f"  trialmatch matches {PID} --verdict eligible --verdict possibly_eligible\n"
        f"  trialmatch matches {PID} --phase 2 --max-distance-km 500 --json\n",
        _matches,
    ),
    "erase": (
        "erase a profile and everything derived from it",
        "Erase a profile, its matches, change log, jobs and schedule entries "
        "(as DELETE /v1/profiles/{id}).",
        f"  trialmatch erase {PID}\n",
        _profile_id,
    ),
    "match": (
        "run the engine alone over a snapshot (no Redis, no Celery)",
        "Judge one profile against every trial of a snapshot folder or v2 JSON file, in this "
        "process: no Redis, no Celery, nothing stored. One result per trial.",
        f"  trialmatch match {EXAMPLE} --trials snapshot/sarcoma --any-status --limit 5\n"
        f"  trialmatch match {EXAMPLE} --trials snapshot/sarcoma \\\n"
        "      --as-of 2026-11-28 --verdict possibly_eligible --phase 2 --json\n",
        _match,
    ),
}


def command(sub: Any, name: str, summary: str, description: str, examples: str) -> Any:
    """A subcommand whose --help shows a description and examples, laid out as written."""
    if "\n" not in description:  # pre-formatted texts (worker, beat) keep their layout
        description = textwrap.fill(description, width=90)
    return sub.add_parser(
        name,
        help=summary,
        description=description,
        epilog="examples:\n" + examples,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def add_command(sub: Any, name: str) -> argparse.ArgumentParser:
    """Add one of SPECS (or worker/beat) with its help, examples and arguments."""
    if name in SPECS:
        summary, description, examples, arguments = SPECS[name]
    else:
        summary = f"run a Celery {name} (other options go to Celery)"
        description, examples = CELERY_HELP[name]
        arguments = _passthrough
    s: argparse.ArgumentParser = command(sub, name, summary, description, examples)
    arguments(s)
    return s
