"""What changed for a profile between two match runs: the board's "since we last met" list."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

ChangeKind = Literal[
    "new_trial",  # a trial appeared that the profile is eligible or possibly eligible for
    "trial_closed",  # an open trial closed, was suspended, terminated or withdrawn
    "trial_reopened",  # a closed trial is open again
    "verdict_changed",  # eligible <-> possibly <-> ineligible, with the criterion that flipped
    "criteria_changed",  # the registry's eligibility text changed (new trial version)
    "nearest_site_changed",
    "trial_removed",  # no longer returned by the search (e.g. conditions edited)
    "answer_set_aside",  # a board answer no longer applies: its criterion's text changed
]


class ChangeEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    at: datetime
    kind: ChangeKind
    nct_id: str
    detail: str
    old: str | None = None
    new: str | None = None
