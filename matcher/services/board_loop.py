"""The board's loop, one semantics for the API, the CLI and the web page: answer a criterion,
withdraw an answer, mark a profile reviewed at a meeting, list the facts to collect.

An answer is checked against the stored run (the criterion must be one of that trial's, as the
board saw it), stored with the board and the time, and followed by a re-match of the profile
through the normal queue, so the new verdict and its change-log entry come from the worker like
any other. Bad input raises before anything is written; a queue failure leaves the answer
stored (it is the board's statement, valid on its own) and is reported, and the next re-match
applies it.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from matcher.adapters.store import Store
from matcher.domain.eligibility.collect import facts_to_collect
from matcher.domain.models.answer import AnswerIn, BoardAnswer, answer_field
from matcher.domain.models.match import FactToCollect
from matcher.errors import BrokerUnavailable, InvalidInput, NotFound
from matcher.services.submission import Publish, owned

log = logging.getLogger(__name__)
NCT_ID = re.compile(r"^NCT\d{8}$")
CRITERION_KEY = re.compile(r"^[0-9a-f]{16}$")


@dataclass(frozen=True)
class Answered:
    answer: BoardAnswer
    job_id: str | None  # the re-match that applies it; None if it could not be queued


def check_ids(nct_id: str, criterion_key: str) -> None:
    """Both path parts, by field, before any read (InvalidInput: the 422 / exit 2 path)."""
    errors = []
    if not NCT_ID.match(nct_id):
        errors.append(("nct_id", "NCT and 8 digits, e.g. NCT02637687"))
    if not CRITERION_KEY.match(criterion_key):
        errors.append(("criterion_key", "16 hex digits: a criterion's `key` in the matches"))
    if errors:
        raise InvalidInput(errors)


def record_answer(
    store: Store,
    profile_id: str,
    board_id: str,
    nct_id: str,
    criterion_key: str,
    given: AnswerIn,
    publish: Publish,
) -> Answered:
    """Store the board's answer to one criterion of the stored run and queue a re-match."""
    check_ids(nct_id, criterion_key)
    stored = owned(store, profile_id, board_id)
    run = store.read_matches(profile_id)
    match = next((m for m in (run.results if run else []) if m.nct_id == nct_id), None)
    if match is None:
        raise NotFound(f"trial {nct_id} is not among the matches of profile {profile_id}")
    crit = next((c for c in match.criteria if c.key == criterion_key), None)
    if crit is None:
        raise NotFound(f"criterion {criterion_key} is not a criterion of {nct_id} (any more)")
    answer = BoardAnswer(
        nct_id=nct_id, criterion_key=criterion_key, section=crit.section, text=crit.text,
        answer=given.answer, note=given.note, board_id=board_id, answered_at=datetime.now(UTC),
        trial_version=match.trial_version,
    )  # fmt: skip
    store.put_answer(profile_id, answer, stored.expires_at)
    log.info("answer recorded profile_id=%s nct_id=%s", profile_id, nct_id)
    return Answered(answer, _rematch_quietly(store, profile_id, board_id, publish))


def withdraw_answer(
    store: Store,
    profile_id: str,
    board_id: str,
    nct_id: str,
    criterion_key: str,
    publish: Publish,
) -> str | None:
    """Delete the board's answer (NotFound if there is none) and queue a re-match."""
    check_ids(nct_id, criterion_key)
    owned(store, profile_id, board_id)
    if not store.delete_answer(profile_id, answer_field(nct_id, criterion_key)):
        raise NotFound(f"no answer to criterion {criterion_key} of {nct_id}")
    return _rematch_quietly(store, profile_id, board_id, publish)


def list_answers(store: Store, profile_id: str, board_id: str) -> list[BoardAnswer]:
    owned(store, profile_id, board_id)
    answers = store.read_answers(profile_id).values()
    return sorted(answers, key=lambda a: (a.nct_id, a.answered_at))


def rematch(store: Store, profile_id: str, board_id: str, publish: Publish) -> str:
    """Queue a match of the stored profile (a job the board can follow); BrokerUnavailable if
    the queue did not take it (the job record is then removed)."""
    stored = owned(store, profile_id, board_id)
    job_id = uuid.uuid4().hex
    store.add_job(profile_id, board_id, job_id, stored.expires_at)
    try:
        publish(profile_id, job_id)
    except Exception as exc:
        store.drop_job(profile_id, job_id)
        raise BrokerUnavailable(f"could not enqueue the re-match: {type(exc).__name__}") from exc
    return job_id


def _rematch_quietly(store: Store, profile_id: str, board_id: str, publish: Publish) -> str | None:
    try:
        return rematch(store, profile_id, board_id, publish)
    except BrokerUnavailable:
        log.error("re-match after an answer not queued profile_id=%s", profile_id)
        return None


def mark_reviewed(
    store: Store, profile_id: str, board_id: str, meeting: date | None = None
) -> tuple[datetime, date]:
    """Record "reviewed at the meeting of <date>" (default today); changes are counted from now."""
    stored = owned(store, profile_id, board_id)
    at = datetime.now(UTC)
    meeting = meeting or at.date()
    # One day of slack: a board east of UTC may already be on tomorrow's date.
    if meeting > at.date() + timedelta(days=1):
        raise InvalidInput([("meeting_date", "a meeting in the future cannot have reviewed it")])
    store.mark_reviewed(profile_id, meeting, at, stored.expires_at)
    return at, meeting


def facts_for(store: Store, profile_id: str, board_id: str) -> list[FactToCollect] | None:
    """The patient's facts to collect from the stored (answer-overlaid) run; None before a run."""
    stored = owned(store, profile_id, board_id)
    run = store.read_matches(profile_id)
    return None if run is None else facts_to_collect(run.results, stored.profile)
