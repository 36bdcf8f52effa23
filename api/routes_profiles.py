"""Profiles: submit (POST), replace (PUT), read, erase; every read is scoped to the board."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.auth import Board, State
from api.errors import BodyTooLarge
from matcher.eligibility import profile_warnings
from matcher.erase import erase_profile
from matcher.errors import InvalidProfile, NotFound
from matcher.metrics import SUBMISSIONS
from matcher.models import ProfileIn, StoredProfile
from matcher.models.profile import parse_profile
from matcher.store import Store, redis_errors
from workers.submission import Submission, submit

MAX_BODY = 64 * 1024

router = APIRouter(prefix="/v1/profiles", tags=["profiles"])


class SubmissionOut(BaseModel):
    profile_id: str
    job_id: str
    revision: int
    # e.g. a diagnosis the vocabulary does not know (matcher.eligibility.profile_warnings)
    warnings: list[str] = Field(default_factory=list)


class ConflictOut(BaseModel):
    detail: str


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


def owned(store: Store, profile_id: str, board: str) -> StoredProfile:
    """The stored profile if it belongs to `board`; otherwise NotFound, same as a missing one."""
    try:
        stored = store.load_profile(profile_id)
    except NotFound:
        stored = None
    if stored is None or stored.board_id != board:
        raise NotFound(f"profile {profile_id} not found")
    return stored


def _created(state: State, profile: ProfileIn, board: str) -> Submission | None:
    """Submit a profile whose id is not in use, or None. A short claim key stops two concurrent
    POSTs of one id (from two boards, say) from both passing the existence check."""
    pid = profile.profile_id
    claim = state.store.keys.create_claim(pid)
    with redis_errors("claiming a profile id"):
        if not state.store.r.set(claim, board, nx=True, ex=30):
            return None
    try:
        if state.store.profile_exists(pid):
            return None
        return submit(
            state.store, profile, board_id=board, publish=state.publish,
            retention_days=state.settings.profile_retention_days,
        )  # fmt: skip
    finally:
        with redis_errors("releasing a profile id claim"):
            state.store.r.delete(claim)


def _replaced(state: State, profile: ProfileIn, board: str) -> Submission:
    owned(state.store, profile.profile_id, board)
    return submit(
        state.store, profile, board_id=board, publish=state.publish,
        retention_days=state.settings.profile_retention_days,
    )  # fmt: skip


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SubmissionOut,
    responses={409: {"model": ConflictOut}, 413: {}, 422: {}, 503: {}},
    openapi_extra=_PROFILE_BODY,
    summary="Submit a new profile; it is matched in the background",
)
async def create_profile(request: Request, board: Board, state: State) -> SubmissionOut:
    """Validate and store a new profile and queue its match job (202). 409 if the id is taken."""
    parsed = parse_counted(await read_limited(request))
    sub = await run_in_threadpool(_created, state, parsed, board)
    if sub is None:
        # Same answer whichever board holds the id, so it reveals nothing about other boards.
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            detail=f"profile_id {parsed.profile_id} is already in use; "
            "replace your own profile with PUT, or choose another pseudonym",
        )
    return SubmissionOut(
        profile_id=sub.profile_id,
        job_id=sub.job_id,
        revision=sub.revision,
        warnings=profile_warnings(parsed),
    )


@router.put(
    "/{profile_id}",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SubmissionOut,
    responses={404: {}, 413: {}, 422: {}, 503: {}},
    openapi_extra=_PROFILE_BODY,
    summary="Replace a profile and match it again",
)
async def replace_profile(
    profile_id: str, request: Request, board: Board, state: State
) -> SubmissionOut:
    """Replace one of the board's profiles (new revision) and queue a new match job."""
    parsed = parse_counted(await read_limited(request))
    if parsed.profile_id != profile_id:
        raise InvalidProfile([("profile_id", f"must equal the id in the path ({profile_id})")])
    sub = await run_in_threadpool(_replaced, state, parsed, board)
    return SubmissionOut(
        profile_id=sub.profile_id,
        job_id=sub.job_id,
        revision=sub.revision,
        warnings=profile_warnings(parsed),
    )


@router.get("/{profile_id}", response_model=StoredProfile, responses={404: {}})
def get_profile(profile_id: str, board: Board, state: State) -> StoredProfile:
    """The stored profile with its revision and retention dates."""
    return owned(state.store, profile_id, board)


@router.delete("/{profile_id}", response_model=ErasedOut, responses={404: {}})
def delete_profile(profile_id: str, board: Board, state: State) -> ErasedOut:
    """Erase the profile and everything derived from it (matches, jobs, change log)."""
    owned(state.store, profile_id, board)
    return ErasedOut(profile_id=profile_id, deleted_keys=erase_profile(state.store, profile_id))
