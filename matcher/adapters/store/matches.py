"""Match sets: the fenced write, the reads (corrupt entries quarantined), the change log and
the re-check schedule."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import cast

from pydantic import ValidationError

from matcher.adapters.store.base import StoreBase
from matcher.adapters.store.client import redis_errors
from matcher.domain.models import MatchRun, TrialMatch
from matcher.domain.models.change import ChangeEntry
from matcher.errors import ProfileGone, field_locations

log = logging.getLogger(__name__)

MAX_CHANGES = 500  # change entries kept per profile (oldest dropped first)


class MatchStore(StoreBase):
    def next_run_seq(self, profile_id: str) -> int:
        """The run's fencing number; ProfileGone (and nothing created) if it was erased."""
        keys = [self.keys.profile(profile_id), self.keys.run_seq(profile_id)]
        with redis_errors("starting a run"):
            seq = int(self.scripts.next_run_seq(keys=keys))
        if seq < 0:
            raise ProfileGone(f"profile {profile_id} was erased")
        return seq

    def write_matches(
        self,
        run: MatchRun,
        seq: int,
        expires_at: datetime,
        changes: Sequence[ChangeEntry] = (),
    ) -> bool:
        """Replace the live match set and log its changes atomically; False if a newer run won."""
        meta = run.model_copy(update={"results": []}).model_dump_json()
        args: list[str | int] = [seq, meta, int(expires_at.timestamp()), MAX_CHANGES, len(changes)]
        args += [c.model_dump_json() for c in changes]
        for result in run.results:
            args += [result.nct_id, result.model_dump_json()]
        pid = run.profile_id
        k = self.keys
        keys = [k.matches(pid), k.match_meta(pid), k.changes(pid), k.profile(pid), k.run_seq(pid)]
        with redis_errors("writing matches"):
            written = int(self.scripts.write_matches(keys=keys, args=args))
        if written < 0:
            raise ProfileGone(f"profile {pid} was erased")
        return written == 1

    def read_matches(self, profile_id: str) -> MatchRun | None:
        """The live match set, ranked; read in one transaction so it is never a mix of two runs.
        A corrupt entry is quarantined and left out; a corrupt run record reads as no set."""
        with redis_errors("reading matches"):
            pipe = self.r.pipeline(transaction=True)
            pipe.hget(self.keys.match_meta(profile_id), "run")
            pipe.hgetall(self.keys.matches(profile_id))
            meta, entries = pipe.execute()
        if meta is None:
            return None
        results = list(self._valid_entries(profile_id, entries).values())
        results.sort(key=lambda m: (-m.score, m.nct_id))
        try:
            run = MatchRun.model_validate_json(meta)
        except ValidationError as exc:
            self._quarantine_meta(profile_id, field_locations(exc))
            return None
        return run.model_copy(update={"results": results})

    def read_match_entries(self, profile_id: str, nct_ids: Sequence[str]) -> dict[str, TrialMatch]:
        """The stored verdicts of these trials (corrupt ones quarantined and left out)."""
        with redis_errors("reading stored matches"):
            raw = cast("list[str | None]", self.r.hmget(self.keys.matches(profile_id), nct_ids))
        found = {n: r for n, r in zip(nct_ids, raw, strict=True) if r is not None}
        return self._valid_entries(profile_id, found)

    def matched_trial_versions(self, profile_id: str) -> dict[str, str]:
        """nct_id -> trial_version of a profile's live match set (what it was matched on);
        corrupt entries are quarantined and left out."""
        with redis_errors("reading stored matches"):
            entries = self.hgetall_str(self.keys.matches(profile_id))
        valid = self._valid_entries(profile_id, entries)
        return {nct_id: match.trial_version for nct_id, match in valid.items()}

    def match_runs(self, profile_ids: Sequence[str]) -> dict[str, MatchRun | None]:
        """profile_id -> its live match set's run record, without results (None: no set, or a
        corrupt record, which is quarantined and so rebuilt by the next due re-check)."""
        with redis_errors("reading match metadata"):
            pipe = self.r.pipeline(transaction=False)
            for pid in profile_ids:
                pipe.hget(self.keys.match_meta(pid), "run")
            metas = pipe.execute()
        runs: dict[str, MatchRun | None] = {}
        for pid, meta in zip(profile_ids, metas, strict=True):
            runs[pid] = None
            if meta:
                try:
                    runs[pid] = MatchRun.model_validate_json(meta)
                except ValidationError as exc:
                    self._quarantine_meta(pid, field_locations(exc))
        return runs

    def match_basis(self, profile_ids: Sequence[str]) -> dict[str, str | None]:
        """profile_id -> the data version its live match set was computed on (None: no set, or
        a corrupt run record, quarantined)."""
        runs = self.match_runs(profile_ids)
        return {pid: run.data_version if run else None for pid, run in runs.items()}

    def matched_trials(self, profile_ids: Sequence[str]) -> set[str]:
        """Every NCT id in the live match sets of these profiles."""
        with redis_errors("reading stored matches"):
            pipe = self.r.pipeline(transaction=False)
            for pid in profile_ids:
                pipe.hkeys(self.keys.matches(pid))
            found: set[str] = set()
            for keys in pipe.execute():
                found.update(str(k) for k in keys)
        return found

    def change_log(self, profile_id: str) -> list[str]:
        """The profile's change-log entries as stored (JSON text), oldest first."""
        with redis_errors("reading the change log"):
            return [str(x) for x in self.r.lrange(self.keys.changes(profile_id), 0, -1)]

    def _valid_entries(self, profile_id: str, entries: Mapping[str, str]) -> dict[str, TrialMatch]:
        valid: dict[str, TrialMatch] = {}
        for nct_id, raw in entries.items():
            try:
                valid[nct_id] = TrialMatch.model_validate_json(raw)
            except ValidationError as exc:
                self._quarantine_entry(profile_id, nct_id, raw, field_locations(exc))
        return valid

    def _quarantine_entry(self, profile_id: str, nct_id: str, raw: str, fields: list[str]) -> None:
        # Ids and field names only: the entry's text is derived from the patient's profile.
        log.warning(
            "quarantined corrupt match entry profile_id=%s nct_id=%s fields=%s",
            profile_id, nct_id, ",".join(fields),
        )  # fmt: skip
        with redis_errors("quarantining a match entry"):
            self.scripts.quarantine_entry(keys=[self.keys.matches(profile_id)], args=[nct_id, raw])
        self._rebuild_soon(profile_id)

    def _quarantine_meta(self, profile_id: str, fields: list[str]) -> None:
        log.warning(
            "quarantined corrupt match run record profile_id=%s fields=%s",
            profile_id, ",".join(fields),
        )  # fmt: skip
        with redis_errors("quarantining a match run record"):
            self.r.hdel(self.keys.match_meta(profile_id), "run")
        self._rebuild_soon(profile_id)

    def _rebuild_soon(self, profile_id: str) -> None:
        """Make the profile due for re-matching at the next sync (only while it exists)."""
        self.set_recheck(profile_id, 0)

    # --- the time-driven re-check schedule ---------------------------------------------------
    def set_recheck(self, profile_id: str, at: float | None) -> bool:
        """Schedule the profile's next time-driven re-check at unix time `at` (None: none), only
        while the profile exists; False (and nothing written) when it was erased."""
        keys = [self.keys.recheck(), self.keys.profile(profile_id)]
        with redis_errors("scheduling a re-check"):
            done = self.scripts.set_recheck(keys=keys, args=[profile_id, "" if at is None else at])
        return bool(done)

    def drop_recheck(self, profile_id: str) -> None:
        """Remove the profile from the re-check schedule (whether or not it still exists)."""
        with redis_errors("dropping a re-check"):
            self.r.zrem(self.keys.recheck(), profile_id)

    def rechecks_due(self, at: float) -> list[str]:
        """Ids of profiles whose time-driven re-check is due at unix time `at`."""
        with redis_errors("reading the re-check schedule"):
            return self.zrange_upto(self.keys.recheck(), at)
