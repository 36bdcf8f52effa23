"""Read-only views: job status, a profile's matches (filtered), its change log, a cached trial."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, BeforeValidator, Field

from api.auth import Board, State
from matcher.adapters.store import Store
from matcher.domain.eligibility.collect import facts_to_collect
from matcher.domain.filters import PHASE_HELP, filter_matches, normalize_phase
from matcher.domain.models import Trial, TrialMatch
from matcher.domain.models.match import FactToCollect, TrialVerdict
from matcher.errors import NotFound
from matcher.services.submission import owned

log = logging.getLogger(__name__)
router = APIRouter(tags=["results"])


class JobOut(BaseModel):
    job_id: str
    profile_id: str
    status: str
    reason: str = ""
    created_at: str | None = None
    updated_at: str | None = None


class MatchesOut(BaseModel):
    profile_id: str
    pending: bool = Field(description="true until a first match run has been stored")
    evaluated_on: date | None = None
    engine_version: str | None = None
    data_version: str | None = None
    created_at: datetime | None = None
    total: int = Field(description="trials judged in the run, before filters")
    distance_unknown: int | None = Field(
        default=None,
        description="with max_distance_km: how many returned trials have no known distance "
        "(no site with coordinates, or no profile location); kept, never dropped as too far",
    )
    warnings: list[str] = Field(
        default_factory=list, description="plausibility notes of the run, e.g. an old assessment"
    )
    results: list[TrialMatch]
    facts_to_collect: list[FactToCollect] = Field(
        default_factory=list,
        description="the patient's open questions merged over every candidate trial (before "
        "filters), the fact that settles the most trials first (also GET .../facts)",
    )


class ChangeOut(BaseModel):
    at: datetime
    kind: str
    nct_id: str | None = None
    detail: Any = None


class ChangesOut(BaseModel):
    profile_id: str
    since: datetime | None
    changes: list[ChangeOut]


@router.get("/v1/jobs/{job_id}", response_model=JobOut, responses={404: {}})
def get_job(job_id: str, board: Board, state: State) -> JobOut:
    """A match job's status: queued, running, done or failed (with the reason)."""
    try:
        job = state.store.get_job(job_id)
    except NotFound:
        job = {}
    if job.get("board_id", "default") != board or not job:
        raise NotFound(f"job {job_id} not found")
    return JobOut(
        job_id=job_id, profile_id=job.get("profile_id", ""), status=job.get("status", "queued"),
        reason=job.get("reason", ""), created_at=job.get("created_at"),
        updated_at=job.get("updated_at"),
    )  # fmt: skip


Phase = Annotated[str, BeforeValidator(normalize_phase)]


@router.get("/v1/profiles/{profile_id}/matches", response_model=MatchesOut, responses={404: {}})
def get_matches(
    profile_id: str,
    board: Board,
    state: State,
    verdict: Annotated[list[TrialVerdict] | None, Query(description="repeatable")] = None,
    max_distance_km: Annotated[
        float | None,
        Query(
            ge=0,
            description="drop trials whose nearest site is farther; trials with no known "
            "distance are kept and counted in `distance_unknown`",
        ),
    ] = None,
    phase: Annotated[
        list[Phase] | None, Query(description=f"{PHASE_HELP}; repeatable", max_length=20)
    ] = None,
) -> MatchesOut:
    """The live match set, best first; filters keep trials with any of the given values."""
    stored = owned(state.store, profile_id, board)
    run = state.store.read_matches(profile_id)
    if run is None:
        return MatchesOut(profile_id=profile_id, pending=True, total=0, results=[])
    kept = filter_matches(
        run.results, verdicts=verdict, phases=phase, max_distance_km=max_distance_km
    )
    return MatchesOut(
        profile_id=profile_id, pending=False, evaluated_on=run.evaluated_on,
        engine_version=run.engine_version, data_version=run.data_version,
        created_at=run.created_at, total=len(run.results), warnings=run.warnings,
        distance_unknown=kept.distance_unknown, results=kept.results,
        facts_to_collect=facts_to_collect(run.results, stored.profile),
    )  # fmt: skip


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def read_changes(store: Store, profile_id: str, since: datetime | None) -> list[ChangeOut]:
    """Change-log entries after `since`, oldest first; malformed entries are skipped (logged)."""
    entries = []
    for item in store.change_log(profile_id):
        try:
            entry = ChangeOut.model_validate(json.loads(item))
        except ValueError:
            log.warning("skipping a malformed change entry of profile_id=%s", profile_id)
            continue
        entry = entry.model_copy(update={"at": _aware(entry.at)})
        if since is None or entry.at > _aware(since):
            entries.append(entry)
    entries.sort(key=lambda e: e.at)
    return entries


@router.get("/v1/profiles/{profile_id}/changes", response_model=ChangesOut, responses={404: {}})
def get_changes(
    profile_id: str, board: Board, state: State, since: datetime | None = None
) -> ChangesOut:
    """What changed in the profile's matches (new trials, verdicts, sites) after `since`."""
    owned(state.store, profile_id, board)
    return ChangesOut(
        profile_id=profile_id, since=since, changes=read_changes(state.store, profile_id, since)
    )


@router.get("/v1/trials/{nct_id}", response_model=Trial, tags=["trials"], responses={404: {}})
def get_trial(
    nct_id: Annotated[str, Path(pattern=r"^NCT\d{8}$")], board: Board, state: State
) -> Trial:
    """A trial as cached from ClinicalTrials.gov (registry data, the same for every board)."""
    del board  # any authenticated board may read registry data
    return state.store.get_trial(nct_id)
