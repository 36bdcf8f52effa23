"""`trialmatch sync` and `trialmatch rematch`: the beat job's work, on demand, with progress."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from typing import Any

from matcher.adapters.store import Store
from matcher.services.trial_sync import claim_rematch


def _store() -> Store:
    from workers import runtime

    return runtime.runtime().store


def cmd_sync(args: argparse.Namespace) -> int:
    """Run one sync now (in this process) and enqueue the re-matches it finds necessary."""
    from workers.scheduled import sync_and_rematch

    started = datetime.now(UTC)
    result: dict[str, Any] = sync_and_rematch()
    if "skipped" in result:
        print("another sync is running; nothing done")
        return 0
    moved = "moved" if result["moved"] else "unchanged"
    print(
        f"data version {result['data_version']} ({moved}); {result['enqueued']} re-matches queued"
    )
    if args.wait and result["enqueued"]:
        return _wait(_store(), result.get("profiles", []), started, args.timeout)
    return 0


def cmd_rematch(args: argparse.Namespace) -> int:
    """Queue re-matches of the given profiles (or --all), then optionally follow progress."""
    from workers.scheduled import rematch_profile

    store = _store()
    if args.all:
        profile_ids = sorted(store.zrange_upto(store.keys.profiles_index(), float("inf")))
    else:
        profile_ids = args.profile_ids
    if not profile_ids:
        print("no profiles to re-match (give ids or --all)", file=sys.stderr)
        return 2
    started = datetime.now(UTC)
    period = f"manual:{started.strftime('%Y%m%dT%H%M%S.%f')}"
    queued: list[str] = []
    for n, profile_id in enumerate(profile_ids, 1):
        if store.profile_exists(profile_id) and claim_rematch(
            store, profile_id, period, ttl_s=86_400
        ):
            rematch_profile.apply_async(args=[profile_id, period])
            queued.append(profile_id)
        _progress("queued", n, len(profile_ids))
    print(
        f"\n{len(queued)} re-matches queued ({len(profile_ids) - len(queued)} skipped: unknown ids)"
    )
    return _wait(store, queued, started, args.timeout) if args.wait else 0


def _wait(store: Store, profile_ids: list[str], since: datetime, timeout: float) -> int:
    """Poll each profile's live match set until all were written after `since`."""
    pending = set(profile_ids)
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for pid, run in store.match_runs(sorted(pending)).items():
            if run is not None and (run.created_at or since) > since:
                pending.discard(pid)
        _progress("matched", len(profile_ids) - len(pending), len(profile_ids))
        if pending:
            time.sleep(0.5)
    print()
    if pending:
        print(f"{len(pending)} re-matches not finished within {timeout:.0f} s", file=sys.stderr)
        return 1
    return 0


def _progress(what: str, done: int, total: int) -> None:
    width = 30
    filled = width * done // max(total, 1)
    print(
        f"\r{what:>8} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end="", flush=True
    )


def add_schedule_commands(sub: Any) -> None:
    s = sub.add_parser(
        "sync",
        help="check ClinicalTrials.gov for new data now; queue re-matches",
        description="Run the scheduled sync now, in this process: ask the registry's /version, "
        "refresh changed searches and queue re-matches of the profiles they affect.",
        epilog="examples:\n  trialmatch sync\n  trialmatch sync --wait --timeout 300\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    s.add_argument("--wait", action="store_true", help="follow the queued re-matches")
    s.add_argument("--timeout", type=float, default=600.0, metavar="SECONDS",
                   help="how long --wait follows them (default 600)")  # fmt: skip
    s.set_defaults(func=cmd_sync)
    s = sub.add_parser(
        "rematch",
        help="re-match stored profiles now",
        description="Queue a re-match of the given stored profiles (or of all) for the workers.",
        epilog="examples:\n  trialmatch rematch TB-2026-0142 --wait\n  trialmatch rematch --all\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    s.add_argument("profile_ids", nargs="*", metavar="PROFILE_ID", help="profiles to re-match")
    s.add_argument("--all", action="store_true", help="every stored profile")
    s.add_argument("--wait", action="store_true", help="show progress until all are matched")
    s.add_argument("--timeout", type=float, default=600.0, metavar="SECONDS",
                   help="how long --wait follows them (default 600)")  # fmt: skip
    s.set_defaults(func=cmd_rematch)
