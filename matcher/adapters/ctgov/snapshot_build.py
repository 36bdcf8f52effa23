"""Writing and checking a snapshot folder for air-gapped hospitals.

`build` runs the population corpus query against the live API on a connected machine and writes
one study per file under `records/`, plus `PROVENANCE.json`: the query sent, the registry's
`dataTimestamp`, the count the API announced and received, and a sha256 per file. `verify` checks
a carried-in folder against that file (nothing missing, added or altered; every record readable)
before a hospital points TRIALMATCH_CTGOV_SNAPSHOT at it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from matcher import __version__
from matcher.adapters.ctgov.corpus_query import CorpusQuery
from matcher.adapters.ctgov.parse import parse_study, study_id
from matcher.errors import TrialmatchError, UpstreamSchemaError

PROVENANCE = "PROVENANCE.json"
FORMAT = "trialmatch-snapshot/1"


class SnapshotError(TrialmatchError):
    """The folder cannot be written, or a carried-in snapshot does not check out."""


class RawSource(Protocol):
    def data_version(self) -> str | None: ...

    def count(self, params: dict[str, str]) -> int: ...

    def studies(self, params: dict[str, str]) -> list[Mapping[str, Any]]: ...


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build(client: RawSource, query: CorpusQuery, target: Path, *, base_url: str) -> dict[str, Any]:
    """Write the corpus to `target` (which must not exist or be empty); return the provenance."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise SnapshotError(f"{target} exists and is not an empty folder; refusing to overwrite")
    stamp = client.data_version()
    params = query.params()
    studies = client.studies(params)  # countTotal=true: the client checks received == counted
    # Written beside the target and renamed at the end: a failed build leaves no half folder.
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        (staging / "records").mkdir()
        files: dict[str, str] = {}
        for study in studies:
            nct = study_id(study)
            parse_study(study)  # refuse to ship a record the matcher could not read
            data = json.dumps(study, indent=1, ensure_ascii=False, sort_keys=True).encode()
            (staging / "records" / f"{nct}.json").write_bytes(data)
            files[f"records/{nct}.json"] = _digest(data)
        provenance = {
            "format": FORMAT,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "built_by": f"trialmatch {__version__}",
            "api_base_url": base_url,
            "data_timestamp": stamp,
            "query": params,
            "query_key": query.key(),
            "counts": {"announced": len(studies), "records": len(files)},
            "files": dict(sorted(files.items())),
        }
        (staging / PROVENANCE).write_text(json.dumps(provenance, indent=1) + "\n")
        if target.exists():
            target.rmdir()
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return provenance


@dataclass
class Verification:
    records: int = 0
    data_timestamp: str | None = None
    problems: list[str] = field(default_factory=list)


def verify(folder: Path) -> Verification:
    """Check a snapshot folder against its PROVENANCE.json; problems are listed, not raised."""
    result = Verification()
    try:
        provenance = json.loads((folder / PROVENANCE).read_text())
    except (OSError, ValueError) as exc:
        result.problems.append(f"{PROVENANCE}: not readable ({type(exc).__name__})")
        return result
    if provenance.get("format") != FORMAT:
        result.problems.append(f"{PROVENANCE}: format is not {FORMAT}")
        return result
    result.data_timestamp = provenance.get("data_timestamp")
    listed: dict[str, str] = provenance.get("files", {})
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*.json")} - {PROVENANCE}
    for rel in sorted(present - listed.keys()):
        result.problems.append(f"{rel}: not listed in {PROVENANCE} (added after the build?)")
    for rel, digest in sorted(listed.items()):
        path = folder / rel
        if not path.is_file():
            result.problems.append(f"{rel}: missing")
            continue
        data = path.read_bytes()
        if _digest(data) != digest:
            result.problems.append(f"{rel}: content differs from the build (sha256)")
            continue
        try:
            trial = parse_study(json.loads(data))
        except (ValueError, UpstreamSchemaError) as exc:
            result.problems.append(f"{rel}: not a readable study ({exc})")
            continue
        if rel != f"records/{trial.nct_id}.json":
            result.problems.append(f"{rel}: holds {trial.nct_id}")
            continue
        result.records += 1
    counts = provenance.get("counts", {})
    if counts.get("records") != len(listed) or counts.get("announced") != len(listed):
        result.problems.append(f"{PROVENANCE}: counts {counts} do not match {len(listed)} files")
    return result
