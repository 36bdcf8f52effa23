"""Ranking and facts-to-collect figures over the labelled pair sets and the example profiles.

    .venv/bin/python scripts/bench_ranking.py

For each labelled set (tests/devset, tests/heldout: constructed profiles x real trials, labelled
blind), every profile is matched against the set's trials together and ranked by the engine.
Prints: among trials the engine did not exclude, how often a trial the readers labelled
`eligible` ranks above one they labelled `possibly_eligible` (same profile); whether any record
without criteria text outranks a fully read trial of the same verdict tier; the rank of the
larotrectinib trial (NCT02637687) for the NTRK-fusion infant example; and the facts-to-collect
reduction (distinct facts per profile vs the sum of per-trial to-verify lines).
"""

from __future__ import annotations

import json
import statistics
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from matcher.adapters.ctgov.parse import parse_study  # noqa: E402
from matcher.domain.eligibility import EngineOptions, match_trials  # noqa: E402
from matcher.domain.eligibility.collect import facts_to_collect  # noqa: E402
from matcher.domain.eligibility.engine import ENGINE_VERSION  # noqa: E402
from matcher.domain.models.match import MatchRun  # noqa: E402
from matcher.domain.models.profile import ProfileIn  # noqa: E402
from matcher.domain.models.trial import Trial  # noqa: E402

TRIAL_DIRS = [ROOT / "snapshot" / "sarcoma" / "records", ROOT / "tests" / "devset" / "trials"]
SETS = [ROOT / "tests" / "devset", ROOT / "tests" / "heldout"]
LAROTRECTINIB = "NCT02637687"


def load_trial(nct_id: str) -> Trial:
    for folder in TRIAL_DIRS:
        path = folder / f"{nct_id}.json"
        if path.is_file():
            return parse_study(json.loads(path.read_text()))
    raise SystemExit(f"error: trial {nct_id} not found")


def unread_above_read(run: MatchRun, trials: dict[str, Trial]) -> int:
    """Pairs (unread record, fully read trial) of one tier where the unread one ranks higher."""
    bad = 0
    seen_read: set[str] = set()
    for m in run.results:  # best first
        has_text = bool(trials[m.nct_id].eligibility_criteria)
        if has_text:
            seen_read.add(m.verdict)
        elif m.verdict not in seen_read:
            bad += sum(
                1
                for later in run.results
                if later.verdict == m.verdict and trials[later.nct_id].eligibility_criteria
            )
    return bad


def facts_reduction(run: MatchRun) -> tuple[int, int]:
    lines = sum(len(m.to_verify) for m in run.results if m.verdict != "ineligible")
    return len(facts_to_collect(run.results)), lines


def main() -> int:
    print(f"engine {ENGINE_VERSION}")
    reductions: list[tuple[int, int]] = []
    for folder in SETS:
        labels = json.loads((folder / "labels.json").read_text())
        as_of = date.fromisoformat(labels["as_of"])
        options = EngineOptions(any_status=bool(labels.get("any_status", False)))
        by_profile: dict[str, dict[str, str]] = defaultdict(dict)
        for pair in labels["pairs"]:
            by_profile[pair["profile"]][pair["nct_id"]] = pair["expected"]
        trials = {n: load_trial(n) for pairs in by_profile.values() for n in pairs}
        above = total = unread_bad = 0
        for name, expected in by_profile.items():
            profile = ProfileIn.model_validate_json((folder / "profiles" / name).read_text())
            run = match_trials(profile, [trials[n] for n in expected], as_of=as_of, options=options)
            reductions.append(facts_reduction(run))
            unread_bad += unread_above_read(run, trials)
            position = {m.nct_id: i for i, m in enumerate(run.results)}
            kept = {m.nct_id for m in run.results if m.verdict != "ineligible"}
            eligible = [n for n in kept if expected[n] == "eligible"]
            uncertain = [n for n in kept if expected[n] == "possibly_eligible"]
            for e in eligible:
                for u in uncertain:
                    total += 1
                    above += position[e] < position[u]
        share = f"{100 * above / total:.0f}%" if total else "n/a"
        print(f"\n{folder.name}: {len(by_profile)} profiles x their labelled trials")
        print(f"  eligible-labelled ranked above uncertain-labelled: {above}/{total} ({share})")
        print(f"  unread records ranked above a fully read trial of the same tier: {unread_bad}")
    example = ProfileIn.model_validate_json(
        (ROOT / "examples" / "infant-ifs-ntrk.json").read_text()
    )
    snapshot = [
        parse_study(json.loads(p.read_text()))
        for p in sorted((ROOT / "snapshot" / "sarcoma" / "records").glob("NCT*.json"))
    ]
    run = match_trials(
        example, snapshot, as_of=date(2026, 11, 26), options=EngineOptions(any_status=True)
    )
    candidates = [m.nct_id for m in run.results if m.verdict != "ineligible"]
    rank = candidates.index(LAROTRECTINIB) + 1 if LAROTRECTINIB in candidates else None
    print(
        f"\nNTRK infant example x snapshot ({len(snapshot)} trials): larotrectinib {LAROTRECTINIB} "
        f"ranks {rank} of {len(candidates)} candidates"
    )
    reductions.append(facts_reduction(run))
    facts = [f for f, _ in reductions]
    lines = [n for _, n in reductions]
    print(
        f"\nfacts to collect per profile ({len(reductions)} runs): median "
        f"{statistics.median(facts)} distinct facts vs median {statistics.median(lines)} "
        f"per-trial to-verify lines "
        f"(total {sum(facts)} vs {sum(lines)})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
