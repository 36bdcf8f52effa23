"""`trialmatch facts`, `answer` and `reviewed`: the board's loop from the command line.

The same semantics as the API (matcher/services/board_loop.py): scoped to --board, answers queue a
re-match, "reviewed" is the only thing that moves "changes since the last review".
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from cli.args import iso_date

PID = "p_3f9c0e6a51d24b7e8a01c2d4"  # the shape of a server-assigned id (made up for the help)


def _store() -> Any:
    from matcher.adapters.store import Store
    from matcher.settings import get_settings

    return Store.from_settings(get_settings())


def cmd_facts(args: argparse.Namespace) -> int:
    """Print the facts to collect (merged over candidate trials), most-unblocking first."""
    from matcher.errors import NotFound
    from matcher.services.board_loop import facts_for

    facts = facts_for(_store(), args.profile_id, args.board)
    if facts is None:
        raise NotFound(f"no matches stored yet for profile {args.profile_id}: wait for its job")
    if args.json:
        print(json.dumps([f.model_dump(mode="json") for f in facts], indent=2))
        return 0
    if not facts:
        print("no open questions among the candidate trials")
    for i, f in enumerate(facts, 1):
        where = f" (profile field {f.field})" if f.field else ""
        print(f"{i:>3}. {f.label}{where}\n     settles {len(f.trials)}: {', '.join(f.trials)}")
    return 0


def cmd_answer(args: argparse.Namespace) -> int:
    """Record (or with `clear`, withdraw) the board's answer to one criterion; queue a re-match."""
    from pydantic import ValidationError

    from matcher.domain.models.answer import AnswerIn
    from matcher.errors import InvalidInput
    from matcher.services.board_loop import record_answer, withdraw_answer
    from workers.publish import publish_with_default_app

    store = _store()
    if args.value == "clear":
        job = withdraw_answer(
            store, args.profile_id, args.board, args.nct_id, args.criterion_key,
            publish_with_default_app,
        )  # fmt: skip
        print(f"answer withdrawn; re-match {_job(job)}")
        return 0
    try:
        given = AnswerIn(answer=args.value, note=args.note)
    except ValidationError as exc:
        raise InvalidInput(
            [("--note", str(e["msg"])) for e in exc.errors()]
        ) from None  # only the note can be invalid: the value is a parser choice
    done = record_answer(
        store, args.profile_id, args.board, args.nct_id, args.criterion_key, given,
        publish_with_default_app,
    )  # fmt: skip
    print(f"{args.nct_id}: {done.answer.label()} (criterion: {done.answer.text[:80]})")
    print(f"re-match {_job(done.job_id)}")
    return 0


def _job(job_id: str | None) -> str:
    if job_id is None:
        return "not queued (queue unavailable); the answer applies at the next re-match"
    return f"queued as job {job_id} (trialmatch status {job_id})"


def cmd_reviewed(args: argparse.Namespace) -> int:
    """Mark the profile reviewed at the meeting of --meeting-date (default today)."""
    from matcher.services.board_loop import mark_reviewed

    at, day = mark_reviewed(_store(), args.profile_id, args.board, args.meeting_date)
    print(f"profile {args.profile_id} reviewed at the meeting of {day} (recorded {at:%H:%M} UTC)")
    return 0


def _common(s: argparse.ArgumentParser) -> None:
    s.add_argument("profile_id", help="the profile id `submit` printed (p_ and 24 hex digits)")
    s.add_argument("--board", default="default", metavar="NAME", help="board that owns the profile")


def add_board_commands(sub: Any) -> None:
    from cli.args import command

    s = command(
        sub, "facts", "the patient's facts to collect",
        "Merge the open questions of every candidate trial into distinct facts (AST, HIV status, "
        "height, ...), each with the trials it would settle, most-unblocking first.",
        f"  trialmatch facts {PID}\n  trialmatch facts {PID} --json\n",
    )  # fmt: skip
    _common(s)
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(func=cmd_facts)

    s = command(
        sub, "answer", "record the board's answer to one criterion",
        "Record met / not_met / not_applicable (or clear) for one criterion of one trial "
        "(CRITERION_KEY: the criterion's `key` in `trialmatch matches ID --json`). The answer "
        "replaces the engine's reading from the re-match it queues, until the registry rewords "
        "the criterion. For exclusion criteria `met` means the patient is not excluded.",
        f"  trialmatch answer {PID} NCT02637687 1a2b3c4d5e6f7a8b met --note 'swallows tablets'\n"
        f"  trialmatch answer {PID} NCT02637687 1a2b3c4d5e6f7a8b clear\n",
    )  # fmt: skip
    _common(s)
    s.add_argument("nct_id", help="the trial, NCT and 8 digits")
    s.add_argument("criterion_key", help="the criterion's key (16 hex digits)")
    s.add_argument(
        "value", choices=["met", "not_met", "not_applicable", "clear"],
        help="the answer; clear withdraws it",
    )  # fmt: skip
    s.add_argument("--note", default=None, help="why, in a few words (≤ 120 characters)")
    s.set_defaults(func=cmd_answer)

    s = command(
        sub, "reviewed", "mark a profile reviewed at a meeting",
        "Record that the board reviewed this profile at the meeting of --meeting-date (default "
        "today): the report's 'changes since the last review' start from now.",
        f"  trialmatch reviewed {PID} --meeting-date 2026-11-27\n",
    )  # fmt: skip
    _common(s)
    s.add_argument(
        "--meeting-date", type=iso_date, default=None, metavar="YYYY-MM-DD",
        help="the date of the meeting (default: today, UTC; not in the future)",
    )  # fmt: skip
    s.set_defaults(func=cmd_reviewed)
