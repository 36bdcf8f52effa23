"""The engine's cross-run caches change no output.

Every dev-set and example profile (plus variants that vary one fact each) against every bundled
trial, with any_status True and False, on two evaluation dates, with criteria sharing on and off:
the MatchRuns with the caches cold and warm (profiles in another order) must equal, field for
field, those computed with every cross-run cache switched off (projection.ENABLED = False).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from matcher.adapters.ctgov.parse import parse_study
from matcher.domain.eligibility import EngineOptions, match_trials, projection
from matcher.domain.eligibility import parsed as parsed_module
from matcher.domain.eligibility.judges import REGISTRY
from matcher.domain.eligibility.parsed import clear_caches
from matcher.domain.models.profile import ProfileIn
from matcher.domain.models.trial import Trial

ROOT = Path(__file__).resolve().parents[2]
AS_OFS = (date(2026, 11, 26), date(2027, 8, 3))


def _profiles() -> list[ProfileIn]:
    paths = sorted((ROOT / "tests" / "devset" / "profiles").glob("*.json"))
    paths += sorted((ROOT / "examples").glob("*.json"))
    paths += sorted((ROOT / "tests" / "heldout" / "profiles").glob("*.json"))  # when present
    found = [ProfileIn.model_validate_json(p.read_text()) for p in paths]
    base = json.loads(paths[0].read_text())
    variants: list[dict[str, Any]] = [
        {"labs": {"anc_per_uL": 1500, "platelets_per_uL": 60000, "creatinine_mg_dL": 0.4}},
        {"labs": {"anc_per_uL": 400, "bilirubin_x_uln": 2.5, "alt_x_uln": 1}},
        {"sex": "male" if base["sex"] == "female" else "female"},
        {"pregnant": True, "lactating": False},
        {"weight_kg": 70},
        {"weight_kg": 70.0},
        {"age_months": 30},
        {"age_months": 300, "performance": {"scale": "ecog", "score": 2}},
        {"prior_therapies": [], "biomarkers": ["EWSR1-FLI1"]},
        {"diagnosis": "a tumor the vocabulary does not know"},
    ]
    for i, change in enumerate(variants):
        data = {**base, **change, "profile_id": f"VARIANT-{i}"}
        found.append(ProfileIn.model_validate_json(json.dumps(data)))
    return found


def _trials() -> list[Trial]:
    folders = [ROOT / "snapshot" / "sarcoma" / "records", ROOT / "tests" / "devset" / "trials"]
    paths = sorted(p for folder in folders for p in folder.glob("NCT*.json"))
    return [parse_study(json.loads(p.read_text())) for p in paths]


PROFILES = _profiles()
TRIALS = _trials()


def _outputs(order: list[int]) -> dict[tuple[Any, ...], Any]:
    out: dict[tuple[Any, ...], Any] = {}
    for as_of in AS_OFS:
        for any_status in (False, True):
            options = EngineOptions(any_status=any_status)
            for i in order:
                run = match_trials(PROFILES[i], TRIALS, as_of=as_of, options=options)
                out[(i, as_of, any_status)] = run.model_dump()
    return out


def _assert_same(got: dict[tuple[Any, ...], Any], want: dict[tuple[Any, ...], Any]) -> None:
    assert got.keys() == want.keys()
    for key, run in want.items():
        for mine, theirs in zip(got[key]["results"], run["results"], strict=True):
            assert mine == theirs, (key, theirs["nct_id"])
        assert got[key] == run, key


@pytest.fixture
def switches() -> Iterator[None]:
    share, enabled = parsed_module.SHARE, projection.ENABLED
    yield
    parsed_module.SHARE, projection.ENABLED = share, enabled
    clear_caches()


@pytest.mark.usefixtures("switches")
@pytest.mark.parametrize("share", [True, False])
def test_cached_outputs_equal_uncached(share: bool) -> None:
    assert len(PROFILES) >= 20
    assert len(TRIALS) >= 50
    forward = list(range(len(PROFILES)))
    parsed_module.SHARE = share
    projection.ENABLED = False
    clear_caches()
    reference = _outputs(forward)
    projection.ENABLED = True
    clear_caches()
    _assert_same(_outputs(forward), reference)  # cold caches
    _assert_same(_outputs(forward[::-1]), reference)  # warm, other profiles first
    _assert_same(_outputs(forward[1::2] + forward[::2]), reference)  # warm again, interleaved


@pytest.mark.usefixtures("switches")
def test_uncached_switch_leaves_no_cross_run_state() -> None:
    parsed_module.SHARE = False
    projection.ENABLED = False
    clear_caches()
    _outputs([0])
    crits = [c for t in TRIALS for c in parsed_module.CACHE.get(t).criteria]
    assert crits
    assert not any(c.memo for c in crits)


def test_every_judge_declares_what_it_reads() -> None:
    """A judge without an entry would read every fact (correct, but never shared)."""
    assert set(REGISTRY) == set(projection.READS)
