"""`trialmatch corpus probe` and `trialmatch snapshot build|verify` against the local stub.

The stub serves the real records of the bundled snapshot; the CLI runs as a subprocess exactly as
an operator would run it on a connected machine (no Redis is contacted by these commands).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from matcher.adapters.ctgov.snapshot import SnapshotSource
from tests.support.ctgov_stub import CtgovStub
from tests.support.procs import REPO, SNAPSHOT


@pytest.fixture(scope="module")
def stub() -> Iterator[CtgovStub]:
    s = CtgovStub(SNAPSHOT / "records", data_version="2026-11-26T09:00:00")
    try:
        yield s
    finally:
        s.close()


def cli(stub: CtgovStub, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIALMATCH_")}
    env.update(
        TRIALMATCH_REDIS_URL="redis://127.0.0.1:1/0",  # never contacted by these commands
        TRIALMATCH_CTGOV_BASE_URL=stub.url,
        TRIALMATCH_CTGOV_MIN_INTERVAL_S="0",
    )
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_probe_prints_each_branch_count_and_the_union(stub: CtgovStub) -> None:
    """Every branch's countTotal and the whole query's, as the stub counted them."""
    out = cli(stub, "corpus", "probe", "--any-status")
    assert out.returncode == 0, out.stderr
    lines = dict(
        line.rsplit(None, 1) for line in out.stdout.splitlines() if line.rstrip()[-1:].isdigit()
    )
    assert int(lines["sarcoma family"]) == 44
    assert int(lines["whole corpus (union)"]) == 50
    assert "data version 2026-11-26T09:00:00" in out.stdout


def test_build_then_verify_then_serve(stub: CtgovStub, tmp_path: Path) -> None:
    """A built snapshot verifies, carries its provenance and is readable as a trial source."""
    target = tmp_path / "snap"
    out = cli(stub, "snapshot", "build", str(target), "--any-status")
    assert out.returncode == 0, out.stderr
    provenance = json.loads((target / "PROVENANCE.json").read_text())
    assert provenance["data_timestamp"] == "2026-11-26T09:00:00"
    assert provenance["counts"] == {"announced": 50, "records": 50}
    assert "AREA[ConditionSearch]" in provenance["query"]["query.term"]
    ok = cli(stub, "snapshot", "verify", str(target))
    assert ok.returncode == 0, ok.stderr
    assert "50 records" in ok.stdout
    assert len(SnapshotSource(target).all_trials()) == 50


def test_verify_names_altered_added_and_missing_files(stub: CtgovStub, tmp_path: Path) -> None:
    """A changed, an extra and a deleted record each fail verification, named."""
    target = tmp_path / "snap"
    assert cli(stub, "snapshot", "build", str(target), "--any-status").returncode == 0
    records = sorted((target / "records").glob("*.json"))
    study = json.loads(records[0].read_text())
    study["protocolSection"]["statusModule"]["overallStatus"] = "COMPLETED"  # constructed edit
    records[0].write_text(json.dumps(study))
    records[1].unlink()
    (target / "records" / "NCT99999999.json").write_text(records[2].read_text())
    bad = cli(stub, "snapshot", "verify", str(target))
    assert bad.returncode == 1
    assert f"{records[1].name}: missing" in bad.stderr
    assert "NCT99999999.json: not listed" in bad.stderr
    assert f"{records[0].name}: content differs" in bad.stderr
    assert "3 problem(s)" in bad.stderr


def test_build_refuses_a_non_empty_folder(stub: CtgovStub, tmp_path: Path) -> None:
    """An existing folder with files is never overwritten; nothing is written."""
    target = tmp_path / "snap"
    target.mkdir()
    (target / "keep.txt").write_text("x")
    out = cli(stub, "snapshot", "build", str(target))
    assert out.returncode == 1
    assert "refusing to overwrite" in out.stderr
    assert sorted(p.name for p in target.iterdir()) == ["keep.txt"]
