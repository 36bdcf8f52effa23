"""A board's own answer to one criterion of one trial: met, not met or not applicable."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from matcher.domain.models.match import Section
from matcher.domain.models.profile import ShortText

AnswerValue = Literal["met", "not_met", "not_applicable"]
ANSWER_LABEL = {"met": "met", "not_met": "not met", "not_applicable": "not applicable"}


class AnswerIn(BaseModel):
    """What a board sends: the answer and a short note (bounded, printable, like profile text)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    answer: AnswerValue
    note: ShortText | None = Field(
        default=None, description="why, in a few words (≤ 120 characters; no names or dates)"
    )


class BoardAnswer(BaseModel):
    """A stored answer. `text` and `section` are the criterion as the board answered it: once the
    registry rewords the criterion, the answer is set aside (`set_aside_at`), never reapplied."""

    model_config = ConfigDict(frozen=True)

    nct_id: str
    criterion_key: str
    section: Section
    text: str
    answer: AnswerValue
    note: str | None = None
    board_id: str
    answered_at: datetime
    trial_version: str | None = None  # the registry version of the trial when answered
    set_aside_at: datetime | None = None

    @property
    def field(self) -> str:
        """Its field name in the profile's answers hash."""
        return answer_field(self.nct_id, self.criterion_key)

    def label(self) -> str:
        note = f" — {self.note}" if self.note else ""
        return f"board answer: {ANSWER_LABEL[self.answer]}{note}"


def answer_field(nct_id: str, criterion_key: str) -> str:
    return f"{nct_id}:{criterion_key}"
