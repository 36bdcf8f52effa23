"""The engine-only `trialmatch match`: option checks happen before any matching."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from cli.main import EXIT_INPUT, EXIT_OK, main
from tests.support.procs import SNAPSHOT
from tests.support.profiles import example_json

# One registry record from the bundled snapshot is enough to run the engine end to end.
ONE_TRIAL = SNAPSHOT / "records" / "NCT00334854.json"


def _profile(tmp_path: Path, **changes: object) -> str:
    path = tmp_path / "profile.json"
    path.write_text(example_json(**changes))
    return str(path)


def test_misspelt_status_is_refused_naming_the_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--statuses RECRUITNG` exits 2 naming --statuses; real enum values run the engine."""
    profile = _profile(tmp_path)
    code = main(["match", profile, "--trials", str(ONE_TRIAL), "--statuses", "RECRUITNG"])
    assert code == EXIT_INPUT
    assert "--statuses: unknown status RECRUITNG" in capsys.readouterr().err
    code = main(
        ["match", profile, "--trials", str(ONE_TRIAL), "--statuses", "RECRUITING,COMPLETED",
         "--json"]
    )  # fmt: skip
    assert code == EXIT_OK
    assert json.loads(capsys.readouterr().out)["results"][0]["nct_id"] == "NCT00334854"


def test_as_of_before_assessment_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An evaluation date before `assessed_on` exits 2 naming --as-of; on or after it runs."""
    assessed = date.today() - timedelta(days=10)
    profile = _profile(tmp_path, assessed_on=assessed.isoformat())
    before = (assessed - timedelta(days=1)).isoformat()
    code = main(["match", profile, "--trials", str(ONE_TRIAL), "--as-of", before])
    assert code == EXIT_INPUT
    assert f"--as-of {before} is before assessed_on {assessed}" in capsys.readouterr().err
    code = main(["match", profile, "--trials", str(ONE_TRIAL), "--as-of", assessed.isoformat()])
    assert code == EXIT_OK


def test_old_assessment_is_judged_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`match` on a 120-day-old assessment warns in JSON and text output; a fresh one does not."""
    old = (date.today() - timedelta(days=120)).isoformat()
    profile = _profile(tmp_path, assessed_on=old, prior_therapies=[])
    assert main(["match", profile, "--trials", str(ONE_TRIAL), "--json"]) == EXIT_OK
    [warning] = json.loads(capsys.readouterr().out)["warnings"]
    assert "assessed_on is 120 days before the evaluation date (more than 90)" in warning
    assert main(["match", profile, "--trials", str(ONE_TRIAL)]) == EXIT_OK
    assert "warning: assessed_on is 120 days" in capsys.readouterr().out
    fresh = _profile(tmp_path)
    assert main(["match", fresh, "--trials", str(ONE_TRIAL), "--json"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["warnings"] == []
