"""The board's loop over the API: facts to collect, answers to criteria, "reviewed at meeting".

Every route is scoped to the caller's board (another board's profile is a 404, as a missing one).
Answering or withdrawing queues a re-match through the normal queue; the answer's effect on the
verdict (and its change-log entry) comes from that run.
"""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api.auth import Board, State
from api.routes_results import read_changes
from matcher.domain.eligibility.collect import facts_to_collect
from matcher.domain.models import StoredProfile
from matcher.domain.models.answer import AnswerIn, BoardAnswer
from matcher.domain.models.match import FactToCollect
from matcher.services import board_loop

router = APIRouter(prefix="/v1/profiles", tags=["board loop"])


class FactsOut(BaseModel):
    profile_id: str
    pending: bool = Field(description="true until a first match run has been stored")
    facts: list[FactToCollect] = Field(
        description="distinct facts over all candidate trials' open questions, the fact that "
        "settles the most trials first"
    )
    to_verify_lines: int = Field(description="the same open questions counted per trial")


class AnswerOut(BaseModel):
    answer: BoardAnswer
    job_id: str | None = Field(
        description="the re-match that applies it; null if the queue was unavailable (the "
        "answer is kept and applied by the next re-match)"
    )


class AnswersOut(BaseModel):
    profile_id: str
    answers: list[BoardAnswer]


class WithdrawnOut(BaseModel):
    profile_id: str
    job_id: str | None


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    meeting_date: date | None = Field(
        default=None, description="default: today (UTC); at most one day ahead of UTC's date"
    )


class ReviewOut(BaseModel):
    profile_id: str
    meeting_date: date
    recorded_at: datetime = Field(description="changes after this time are 'new since review'")


class ProfileRow(BaseModel):
    profile_id: str
    reference: str | None
    revision: int
    submitted_at: datetime
    matched: bool = Field(description="false until a first match run has been stored")
    job_status: str | None = Field(
        default=None, description="the latest match job: queued, running, done or failed"
    )
    job_reason: str = ""
    evaluated_on: date | None = None
    verdicts: dict[str, int] = Field(default_factory=dict)
    facts_to_collect: int = 0
    new_since_review: int = Field(description="change-log entries after the last review")
    last_meeting: date | None = None
    last_reviewed_at: datetime | None = None


class ProfilesOut(BaseModel):
    board: str
    profiles: list[ProfileRow]


def _row(state: State, stored: StoredProfile) -> ProfileRow:
    pid = stored.profile_id
    run = state.store.read_matches(pid)
    review = state.store.last_review(pid)
    job = state.store.latest_job(pid) or {}
    since = review[0] if review else None
    verdicts: dict[str, int] = {}
    for m in run.results if run else []:
        verdicts[m.verdict] = verdicts.get(m.verdict, 0) + 1
    return ProfileRow(
        profile_id=pid, reference=stored.profile.reference, revision=stored.revision,
        submitted_at=stored.submitted_at, matched=run is not None,
        job_status=job.get("status"), job_reason=job.get("reason", ""),
        evaluated_on=run.evaluated_on if run else None, verdicts=verdicts,
        facts_to_collect=len(facts_to_collect(run.results, stored.profile)) if run else 0,
        new_since_review=len(read_changes(state.store, pid, since)),
        last_meeting=review[1] if review else None, last_reviewed_at=since,
    )  # fmt: skip


@router.get("", response_model=ProfilesOut)
def list_profiles(board: Board, state: State) -> ProfilesOut:
    """The board's profiles, most recently submitted first, with status and what is new since
    each one's last review."""
    rows = [_row(state, s) for s in state.store.board_profiles(board)]
    rows.sort(key=lambda r: r.submitted_at, reverse=True)
    return ProfilesOut(board=board, profiles=rows)


def facts_out(state: State, profile_id: str, board: str) -> FactsOut:
    facts = board_loop.facts_for(state.store, profile_id, board)
    run = state.store.read_matches(profile_id) if facts is not None else None
    lines = sum(len(m.to_verify) for m in run.results if m.verdict != "ineligible") if run else 0
    return FactsOut(
        profile_id=profile_id, pending=facts is None, facts=facts or [], to_verify_lines=lines
    )


@router.get("/{profile_id}/facts", response_model=FactsOut, responses={404: {}})
def get_facts(profile_id: str, board: Board, state: State) -> FactsOut:
    """The facts to collect for this patient, merged over every candidate trial."""
    return facts_out(state, profile_id, board)


@router.get("/{profile_id}/answers", response_model=AnswersOut, responses={404: {}})
def get_answers(profile_id: str, board: Board, state: State) -> AnswersOut:
    """The board's answers to criteria of this profile's trials (set-aside ones included)."""
    return AnswersOut(
        profile_id=profile_id, answers=board_loop.list_answers(state.store, profile_id, board)
    )


@router.put(
    "/{profile_id}/answers/{nct_id}/{criterion_key}",
    response_model=AnswerOut,
    status_code=status.HTTP_202_ACCEPTED,
    responses={404: {}, 422: {}},
)
async def put_answer(
    profile_id: str, nct_id: str, criterion_key: str, body: AnswerIn, board: Board, state: State
) -> AnswerOut:
    """Record the board's answer (met / not_met / not_applicable, short note) to one criterion
    (`key` in the matches); it replaces the engine's reading from the re-match it queues on."""
    done = await run_in_threadpool(
        board_loop.record_answer, state.store, profile_id, board, nct_id, criterion_key, body,
        state.publish,
    )  # fmt: skip
    return AnswerOut(answer=done.answer, job_id=done.job_id)


@router.delete(
    "/{profile_id}/answers/{nct_id}/{criterion_key}",
    response_model=WithdrawnOut,
    status_code=status.HTTP_202_ACCEPTED,
    responses={404: {}, 422: {}},
)
async def delete_answer(
    profile_id: str, nct_id: str, criterion_key: str, board: Board, state: State
) -> WithdrawnOut:
    """Withdraw an answer; the re-match it queues goes back to the engine's own reading."""
    job_id = await run_in_threadpool(
        board_loop.withdraw_answer, state.store, profile_id, board, nct_id, criterion_key,
        state.publish,
    )  # fmt: skip
    return WithdrawnOut(profile_id=profile_id, job_id=job_id)


@router.post("/{profile_id}/reviewed", response_model=ReviewOut, responses={404: {}, 422: {}})
def post_reviewed(
    profile_id: str, board: Board, state: State, body: ReviewIn | None = None
) -> ReviewOut:
    """Mark the profile "reviewed at the meeting of <date>": the report's and the workspace's
    "changes since the last review" start from now. Viewing a report never does this."""
    meeting = body.meeting_date if body else None
    at, day = board_loop.mark_reviewed(state.store, profile_id, board, meeting)
    return ReviewOut(profile_id=profile_id, meeting_date=day, recorded_at=at)
