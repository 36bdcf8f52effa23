"""Profiles: submit (POST), replace (PUT), read, erase; every read is scoped to the board."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.auth import Board, State
from api.errors import BodyTooLarge
from matcher.domain.models import ProfileIn, StoredProfile
from matcher.domain.models.profile import parse_profile
from matcher.errors import InvalidProfile
from matcher.metrics import SUBMISSIONS
from matcher.services.erase import erase_profile
from matcher.services.submission import Options, Submission, create, owned, replace

MAX_BODY = 64 * 1024

router = APIRouter(prefix="/v1/profiles", tags=["profiles"])


class SubmissionOut(BaseModel):
    profile_id: str = Field(description="server-assigned id: use it in every later call")
    job_id: str
    revision: int
    warnings: list[str] = Field(
        default_factory=list,
        description="notes on how the profile was read and its plausibility, e.g. an "
        "unrecognised diagnosis or an old assessment",
    )


class ConflictOut(BaseModel):
    detail: str
    profile_id: str = Field(description="the board's own profile that holds this reference")


class ErasedOut(BaseModel):
    profile_id: str
    deleted_keys: int


# Documents the request body in OpenAPI without letting FastAPI parse it: the handler reads the
# raw bytes itself (size limit first, then strict validation by `parse_profile`). ProfileIn is in
# the components because StoredProfile (GET's response) contains it.
_PROFILE_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProfileIn"}}},
    }
}


async def read_limited(request: Request, limit: int = MAX_BODY) -> bytes:
    """The raw body, refusing (413) as soon as it exceeds `limit`, before any parsing."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def parse_counted(raw: bytes) -> ProfileIn:
    try:
        return parse_profile(raw)
    except InvalidProfile:
        SUBMISSIONS.labels("invalid").inc()
        raise


def _options(state: State, board: str) -> Options:
    return Options(
        board_id=board, publish=state.publish,
        retention_days=state.settings.profile_retention_days,
        assessment_max_age_days=state.settings.assessment_max_age_days,
    )  # fmt: skip


def _out(sub: Submission) -> SubmissionOut:
    return SubmissionOut(
        profile_id=sub.profile_id, job_id=sub.job_id, revision=sub.revision, warnings=sub.warnings
    )


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SubmissionOut,
    responses={409: {"model": ConflictOut}, 413: {}, 422: {}, 503: {}},
    openapi_extra=_PROFILE_BODY,
    summary="Submit a new profile; it is matched in the background",
)
async def create_profile(request: Request, board: Board, state: State) -> SubmissionOut:
    """Validate and store a new profile under a new server-assigned id and queue its match job
    (202). 409 (with your profile's id) if your board already has a profile with this
    `reference`."""
    parsed = parse_counted(await read_limited(request))
    return _out(await run_in_threadpool(create, state.store, parsed, _options(state, board)))


@router.put(
    "/{profile_id}",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SubmissionOut,
    responses={404: {}, 409: {"model": ConflictOut}, 413: {}, 422: {}, 503: {}},
    openapi_extra=_PROFILE_BODY,
    summary="Replace a profile and match it again",
)
async def replace_profile(
    profile_id: str, request: Request, board: Board, state: State
) -> SubmissionOut:
    """Replace one of the board's profiles (new revision) and queue a new match job. A
    `reference` left out keeps the stored one."""
    parsed = parse_counted(await read_limited(request))
    sub = await run_in_threadpool(replace, state.store, profile_id, parsed, _options(state, board))
    return _out(sub)


@router.get("/{profile_id}", response_model=StoredProfile, responses={404: {}})
def get_profile(profile_id: str, board: Board, state: State) -> StoredProfile:
    """The stored profile with its revision and retention dates."""
    return owned(state.store, profile_id, board)


@router.delete("/{profile_id}", response_model=ErasedOut, responses={404: {}})
def delete_profile(profile_id: str, board: Board, state: State) -> ErasedOut:
    """Erase the profile and everything derived from it (matches, jobs, change log, reference)."""
    owned(state.store, profile_id, board)
    return ErasedOut(profile_id=profile_id, deleted_keys=erase_profile(state.store, profile_id))
