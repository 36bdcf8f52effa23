"""The API facing a stored profile that no longer validates (issue 11, finding 12)."""

from __future__ import annotations

import json

from matcher.services.erase import erase_profile
from tests.api.conftest import ApiEnv

CANARY = "Canary-Value-7731"  # constructed


def test_unreadable_profile_is_a_clear_500_naming_fields_never_values(api_env: ApiEnv) -> None:
    """GET of a corrupt stored profile answers 500 naming the field paths, not the values."""
    pid = api_env.create("TB-corrupt")["profile_id"]
    key = api_env.store.keys.profile(pid)
    stored = json.loads(api_env.store.r.get(key))
    stored["profile"]["sex"] = CANARY
    api_env.store.r.set(key, json.dumps(stored), keepttl=True)
    res = api_env.client.get(f"/v1/profiles/{pid}", headers=api_env.a)
    assert res.status_code == 500
    assert "profile.sex" in res.json()["detail"]
    assert CANARY not in res.text


def test_erasing_an_unreadable_profile_frees_its_reference(api_env: ApiEnv) -> None:
    """Erasure of a stored profile that no longer validates still removes every key, the
    board's reference entry included: the reference can be used again."""
    pid = api_env.create("TB-corrupt-erase")["profile_id"]
    key = api_env.store.keys.profile(pid)
    stored = json.loads(api_env.store.r.get(key))
    stored["profile"]["sex"] = CANARY
    api_env.store.r.set(key, json.dumps(stored), keepttl=True)
    assert erase_profile(api_env.store, pid) > 0
    assert [k for k in api_env.store.r.scan_iter("*") if pid in k] == []
    again = api_env.create("TB-corrupt-erase")  # asserts 202: the reference was released
    assert again["profile_id"] != pid
