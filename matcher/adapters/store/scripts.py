"""The Lua scripts of the store: one `.lua` file each (lua/), read once, registered once.

Every script that writes something *about a profile* first checks, in the same atomic step,
that the profile (or its job) still exists: an erasure racing in-flight work then always wins,
because Redis runs a script without interleaving the erasure's own script.

`register_script` sends nothing to Redis: it keeps the text and its SHA1, calls EVALSHA, and
sends the text (SCRIPT LOAD) only after a NOSCRIPT reply (a restarted Redis). Each `Store` holds
one `Scripts`, so no call re-sends script text with EVAL.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import redis
from redis.commands.core import Script

_DIR = Path(__file__).with_name("lua")

# How long a claimed board reference lives before save_submission extends it (claim_reference).
CLAIM_TTL_S = 120


@cache
def source(name: str) -> str:
    """The text of lua/<name>.lua (read from disk once per process)."""
    return (_DIR / f"{name}.lua").read_text(encoding="utf-8")


class Scripts:
    """Every script of the store, registered on one client."""

    def __init__(self, client: redis.Redis) -> None:
        def register(name: str) -> Script:
            return client.register_script(source(name))

        self.write_matches = register("write_matches")
        self.next_run_seq = register("next_run_seq")
        self.set_job = register("set_job")
        self.count_delivery = register("count_delivery")
        self.set_marker = register("set_marker")
        self.quarantine_entry = register("quarantine_entry")
        self.claim_reference = register("claim_reference")
        self.release_reference = register("release_reference")
        self.set_recheck = register("set_recheck")
        self.put_answer = register("put_answer")
        self.add_job = register("add_job")
        self.set_answers_aside = register("set_answers_aside")
        self.erase = register("erase")
        self.forget_query = register("forget_query")
        self.pace_slot = register("pace_slot")
