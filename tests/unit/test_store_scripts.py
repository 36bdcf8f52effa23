"""The store's Lua scripts: one file each, every file registered, none sent as text per call."""

from __future__ import annotations

from pathlib import Path

import redis
from redis.commands.core import Script

from matcher.adapters.store.scripts import Scripts, source

LUA = Path(__file__).resolve().parents[2] / "matcher" / "adapters" / "store" / "lua"


def _registered() -> dict[str, Script]:
    # register_script sends nothing to Redis (EVALSHA on the first call): no server needed.
    scripts = Scripts(redis.Redis(port=9))
    return {k: v for k, v in vars(scripts).items() if isinstance(v, Script)}


def test_every_lua_file_is_registered_once_under_its_name() -> None:
    """Each lua/<name>.lua is registered exactly as the attribute <name>, and nothing else is."""
    files = {p.stem for p in LUA.glob("*.lua")}
    registered = _registered()
    assert files
    assert set(registered) == files
    for name, script in registered.items():
        assert script.script == source(name)


def test_scripts_are_called_by_sha() -> None:
    """A registered script carries its SHA1, so calls go out as EVALSHA (text only on NOSCRIPT)."""
    for script in _registered().values():
        assert len(script.sha) == 40
