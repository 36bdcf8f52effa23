"""A folder of ClinicalTrials.gov v2 JSON standing in for the live API.

For air-gapped hospitals, CI and the demo. Every `*.json` file under the folder (recursively) is
either one study object or a `/studies` page (`{"studies": [...]}`); anything else (README,
PROVENANCE.md) is skipped. The folder is read once per instance.

`search()` and `corpus()` return every study in the snapshot and ignore the query on purpose: a
snapshot is already a curated slice of the registry (`trialmatch snapshot build` writes exactly
the corpus), and the eligibility engine reports each trial's status and condition fit itself.
Re-implementing the server's Essie matching here would differ from the live API in silent ways;
returning everything keeps results honest (the engine never sees fewer trials than the live
search would give).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import TracebackType

from matcher.adapters.ctgov.corpus_query import CorpusQuery
from matcher.adapters.ctgov.listing import ListingEntry
from matcher.adapters.ctgov.parse import parse_page, parse_study
from matcher.adapters.ctgov.query import SearchQuery
from matcher.domain.models.trial import Trial
from matcher.errors import UpstreamRejected, UpstreamSchemaError


class SnapshotSource:
    """Trials from a snapshot folder; the same interface as the live client."""

    def __init__(self, path: Path | str) -> None:
        self._root = Path(path)
        if not self._root.is_dir():
            raise UpstreamSchemaError(None, "snapshot", f"{self._root} is not a directory")
        self._trials: dict[str, Trial] | None = None
        self._aliases: dict[str, str] = {}
        self._version: str | None = None
        self._signature: tuple[tuple[str, int, int], ...] = ()

    def _files(self) -> list[Path]:
        # Sorted by relative path so loading order, and thus duplicate resolution, is stable.
        return sorted(
            # PROVENANCE.json (written by `trialmatch snapshot build`) describes, is no study.
            (p for p in self._root.rglob("*.json") if p.is_file() and p.name != "PROVENANCE.json"),
            key=lambda p: p.relative_to(self._root).as_posix(),
        )

    def _stat_signature(self) -> tuple[tuple[str, int, int], ...]:
        """Names, sizes and mtimes: cheap to read on every call, and it moves when a file does."""
        return tuple(
            (p.relative_to(self._root).as_posix(), st.st_size, st.st_mtime_ns)
            for p in self._files()
            for st in (p.stat(),)
        )

    def _refresh_if_changed(self) -> None:
        # A long-running worker must see a replaced or updated snapshot folder (offline sites
        # drop in a new export; the re-matching job diffs it), so caches follow the files.
        signature = self._stat_signature()
        if signature != self._signature:
            self._signature = signature
            self._trials = None
            self._version = None

    def data_version(self) -> str:
        """A fingerprint of the JSON files (names and bytes): changes whenever the data does."""
        self._refresh_if_changed()
        if self._version is None:
            digest = hashlib.sha256()
            for file in self._files():
                rel = file.relative_to(self._root).as_posix().encode()
                data = file.read_bytes()
                # Length-prefixed so that no two different folders can hash the same stream.
                digest.update(len(rel).to_bytes(4, "big") + rel)
                digest.update(len(data).to_bytes(8, "big") + data)
            self._version = f"snapshot:{digest.hexdigest()[:16]}"
        return self._version

    def all_trials(self) -> list[Trial]:
        """Every study in the snapshot, in file order, one per NCT id."""
        return list(self._load().values())

    def search(self, query: SearchQuery) -> list[Trial]:
        """Every study, regardless of `query` (see the module docstring for why)."""
        query.terms()  # still refuse a query the live client would refuse, so both behave alike
        return self.all_trials()

    def corpus(self, query: CorpusQuery) -> list[Trial]:
        """Every study: a snapshot *is* a corpus (built by `trialmatch snapshot build`)."""
        query.expression()
        return self.all_trials()

    def listing(self, query: CorpusQuery) -> list[ListingEntry]:
        return [
            ListingEntry(
                t.nct_id,
                t.overall_status,
                t.last_update_posted.isoformat() if t.last_update_posted else None,
            )
            for t in self.corpus(query)
        ]

    def fetch(self, nct_ids: list[str]) -> list[Trial]:
        """The studies of these ids that the snapshot holds (an absent id is left out)."""
        trials = self._load()
        wanted = {self._aliases.get(n, n) for n in nct_ids}
        return [t for n, t in trials.items() if n in wanted]

    def get_study(self, nct_id: str) -> Trial:
        """One study by NCT id or alias; absent -> UpstreamRejected(404) like the live API."""
        trials = self._load()
        canonical = self._aliases.get(nct_id, nct_id)
        if canonical not in trials:
            raise UpstreamRejected(404, f"{nct_id} is not in the snapshot", str(self._root))
        return trials[canonical]

    def close(self) -> None:
        return None

    def __enter__(self) -> SnapshotSource:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _load(self) -> dict[str, Trial]:
        self._refresh_if_changed()
        if self._trials is not None:
            return self._trials
        trials: dict[str, Trial] = {}
        for file in self._files():
            for trial in _read_file(file, self._root):
                # The first copy (by path) wins, so the result does not depend on the filesystem.
                trials.setdefault(trial.nct_id, trial)
        self._aliases = {alias: t.nct_id for t in trials.values() for alias in t.aliases}
        self._trials = trials
        return trials


def _read_file(file: Path, root: Path) -> list[Trial]:
    rel = file.relative_to(root).as_posix()
    try:
        raw = json.loads(file.read_bytes())
    except (ValueError, OSError) as exc:
        raise UpstreamSchemaError(None, f"{rel}: body", f"not readable JSON ({exc})") from exc
    try:
        if isinstance(raw, dict) and "studies" in raw:
            return parse_page(raw)[0]
        return [parse_study(raw)]
    except UpstreamSchemaError as exc:
        # Re-raise with the file named: a broken snapshot should point at the file to fix.
        detail = str(exc).split(f"field {exc.field}: ", 1)[-1]
        raise UpstreamSchemaError(exc.nct_id, f"{rel}: {exc.field}", detail) from exc
