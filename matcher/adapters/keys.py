"""Every Redis key trialmatch writes, in one place, under one prefix (default `tm:`).

One prefix lets a Redis ACL user be limited to `~tm:*`, and lets DELETE /profiles prove by a
keyspace scan that nothing about a profile is left behind. Celery's broker keys live under
`{prefix}q:` (kombu's global_keyprefix) for the same reason.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Keys:
    prefix: str

    def profile(self, profile_id: str) -> str:
        return f"{self.prefix}profile:{profile_id}"

    def reference(self, board_id: str, reference: str) -> str:
        """A board's reference -> its profile id. The name holds a digest, not the reference,
        and includes the board: references are unique per board, never across boards."""
        digest = hashlib.sha256(f"{board_id}\0{reference}".encode()).hexdigest()[:32]
        return f"{self.prefix}ref:{board_id}:{digest}"

    def profile_jobs(self, profile_id: str) -> str:
        return f"{self.prefix}profile:{profile_id}:jobs"

    def profiles_index(self) -> str:
        """Sorted set of every stored profile id, scored by expiry time (retention sweeps)."""
        return f"{self.prefix}profiles"

    def job(self, job_id: str) -> str:
        return f"{self.prefix}job:{job_id}"

    def jobs_pending(self) -> str:
        """Sorted set job_id -> submit time of jobs not yet picked up (the lost-job sweep)."""
        return f"{self.prefix}jobs:pending"

    def jobs_running(self) -> str:
        """Sorted set job_id -> lease end of jobs a worker started (the lost-job sweep)."""
        return f"{self.prefix}jobs:running"

    def matches(self, profile_id: str) -> str:
        """Hash nct_id -> TrialMatch JSON: a redelivered run overwrites, never duplicates."""
        return f"{self.prefix}matches:{profile_id}"

    def match_meta(self, profile_id: str) -> str:
        """Hash describing the live match set (fencing seq, run metadata)."""
        return f"{self.prefix}matches:{profile_id}:meta"

    def run_seq(self, profile_id: str) -> str:
        return f"{self.prefix}runseq:{profile_id}"

    def changes(self, profile_id: str) -> str:
        return f"{self.prefix}changes:{profile_id}"

    def deliveries(self, task_id: str, retries: int) -> str:
        return f"{self.prefix}deliveries:{task_id}:{retries}"

    def trial(self, nct_id: str, version: str) -> str:
        return f"{self.prefix}trial:{nct_id}@{version}"

    def trial_latest(self, nct_id: str) -> str:
        return f"{self.prefix}trial:{nct_id}:latest"

    def search(self, query_key: str, data_version: str) -> str:
        return f"{self.prefix}search:{query_key}:{data_version}"

    def corpus(self, data_version: str) -> str:
        """The population corpus of one data version (written once: SET NX)."""
        return f"{self.prefix}corpus:{data_version}"

    def corpus_latest(self) -> str:
        """The data version of the newest corpus written (the sweep's starting point)."""
        return f"{self.prefix}corpus:latest"

    def corpus_lock(self) -> str:
        """Held by whoever builds a corpus: the match path and the nightly sync alike."""
        return f"{self.prefix}lock:corpus"

    def search_lock(self, query_key: str, data_version: str) -> str:
        return f"{self.prefix}lock:search:{query_key}:{data_version}"

    def data_version(self) -> str:
        return f"{self.prefix}ctgov:data_version"

    def pace(self) -> str:
        return f"{self.prefix}ctgov:pace"

    # --- scheduled re-matching ---
    def queries(self) -> str:
        """Hash query_key -> SearchQuery JSON of every search some stored profile uses."""
        return f"{self.prefix}queries"

    def query_profiles(self, query_key: str) -> str:
        """Set of profile ids whose trials come from this search."""
        return f"{self.prefix}query:{query_key}:profiles"

    def profile_query(self, profile_id: str) -> str:
        return f"{self.prefix}profile:{profile_id}:query"

    def recheck(self) -> str:
        """Sorted set profile_id -> unix time when the passage of time may change a verdict."""
        return f"{self.prefix}recheck"

    def sync_state(self) -> str:
        return f"{self.prefix}sync:state"

    def sync_lock(self) -> str:
        return f"{self.prefix}lock:sync"

    def rematch_enqueued(self, profile_id: str, period: str) -> str:
        return f"{self.prefix}rematch:{profile_id}:{period}:enqueued"

    def rematch_started(self, profile_id: str, period: str) -> str:
        return f"{self.prefix}rematch:{profile_id}:{period}:started"

    # --- API ---
    def report_marker(self, profile_id: str) -> str:
        """When the board last marked this profile reviewed at a meeting (JSON: recorded time
        and meeting date); "changes since the last review" start there. Viewing never moves it."""
        return f"{self.prefix}report:{profile_id}:last"

    def board_profiles(self, board_id: str) -> str:
        """Set of a board's profile ids (the workspace's list); erasure removes the member."""
        return f"{self.prefix}board:{board_id}:profiles"

    def answers(self, profile_id: str) -> str:
        """Hash "{nct_id}:{criterion key}" -> BoardAnswer JSON: the board's own answers."""
        return f"{self.prefix}answers:{profile_id}"

    def auth_key(self, key_id: str) -> str:
        """Hash describing one API key (board, digest, label) — never the key itself."""
        return f"{self.prefix}auth:key:{key_id}"

    def auth_digest(self, digest: str) -> str:
        """sha256 digest of a key -> its key id: lookup by digest, never by plaintext."""
        return f"{self.prefix}auth:digest:{digest}"

    def auth_keys(self) -> str:
        return f"{self.prefix}auth:keys"

    def session(self, session_digest: str) -> str:
        """Hash of one web-page session (board, key id): keyed by the sha256 of the session id,
        so neither the cookie value nor the API key is ever a key name or a stored value."""
        return f"{self.prefix}auth:session:{session_digest}"

    def broker_prefix(self) -> str:
        return f"{self.prefix}q:"
