"""The board loop's Redis writes (matcher/adapters/store/board_loop.py): erasure wins."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from matcher.adapters.store import Store
from matcher.domain.models.answer import BoardAnswer
from matcher.errors import NotFound, ProfileGone
from matcher.services.erase import erase_profile
from tests.integration.test_store import _named, _stored

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


def _answer(text: str = "Able to swallow tablets") -> BoardAnswer:
    # Constructed answer (not registry data); the note is a canary that must go with the profile.
    return BoardAnswer(
        nct_id="NCT00000001", criterion_key="0123456789abcdef", section="inclusion", text=text,
        answer="met", note="Canary-Note-5521", board_id="default", answered_at=NOW,
    )  # fmt: skip


def test_answer_and_rematch_job_writes_refuse_an_erased_profile(store: Store) -> None:
    """put_answer and add_job (API writes) and set_answers_aside (the task's write) are written
    only while the profile exists: after erasure they raise and leave no key naming it."""
    stored = _stored("SB-1")
    store.save_submission(stored, "job-SB-1-0")
    answer = _answer()
    store.put_answer("SB-1", answer, stored.expires_at)
    store.add_job("SB-1", stored.board_id, "job-SB-1-1", stored.expires_at)
    assert store.read_answers("SB-1") == {answer.field: answer}
    assert store.get_job("job-SB-1-1")["status"] == "queued"
    assert 0 < store.r.ttl(store.keys.answers("SB-1")) <= 86_400
    assert 0 < store.r.ttl(store.keys.profile_jobs("SB-1")) <= 86_400
    erase_profile(store, "SB-1")
    assert _named(store, "SB-1") == []
    with pytest.raises(NotFound):
        store.put_answer("SB-1", answer, stored.expires_at)
    with pytest.raises(NotFound):
        store.add_job("SB-1", stored.board_id, "job-SB-1-2", stored.expires_at)
    with pytest.raises(ProfileGone):
        store.set_answers_aside("SB-1", [answer.model_copy(update={"set_aside_at": NOW})])
    assert _named(store, "SB-1") == []
    assert store.r.zscore(store.keys.jobs_pending(), "job-SB-1-2") is None


def test_set_aside_rewrites_only_answers_still_there(store: Store) -> None:
    """A live profile's answers are marked set aside in place; one withdrawn meanwhile is not
    brought back by the run's write."""
    stored = _stored("SB-2")
    store.save_submission(stored, "job-SB-2-0")
    kept, withdrawn = (
        _answer("Rule one"),
        _answer("Rule two").model_copy(update={"criterion_key": "fedcba9876543210"}),
    )
    store.put_answer("SB-2", kept, stored.expires_at)
    aside = [a.model_copy(update={"set_aside_at": NOW}) for a in (kept, withdrawn)]
    store.set_answers_aside("SB-2", aside)
    assert store.read_answers("SB-2") == {kept.field: aside[0]}


def test_erasing_an_unreadable_profile_clears_its_board_list_entry(store: Store) -> None:
    """A stored profile that no longer validates is erased with its reference entry and its
    place in its board's profile list (both read from the raw record)."""
    stored = _stored("SB-3")
    store.save_submission(stored, "job-SB-3-0")
    assert "SB-3" in store.members_str(store.keys.board_profiles(stored.board_id))
    raw = json.loads(stored.model_dump_json())
    raw["profile"]["age_months"] = "not a number"
    store.r.set(store.keys.profile("SB-3"), json.dumps(raw))
    erase_profile(store, "SB-3")
    assert _named(store, "SB-3") == []
    assert "SB-3" not in store.members_str(store.keys.board_profiles(stored.board_id))
