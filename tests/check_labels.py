"""Sanity check for a labelled eligibility set (plain script, not a pytest module).

Serves both sets: tests/devset (the development set) and tests/heldout (the held-out set).

Checks that:
- every profile in <set>/profiles/ validates with matcher.domain.models.profile.parse_profile;
- every label names an existing profile file and a trial record found in the sarcoma snapshot
  (snapshot/sarcoma/records/), tests/devset/trials/ or <set>/trials/ (if present);
- verdicts and decisive kinds are legal (kinds read from matcher/domain/eligibility/kinds.py by file
  path, so the engine package is never imported); `ineligible` has a decisive kind, the other
  verdicts have neither kind nor text;
- every decisive_text is 10-60 characters and a substring of the trial's eligibility criteria as
  unescaped by matcher.adapters.ctgov.parse.parse_study (Markdown backslash escapes removed);
- no (profile, nct_id) pair is labelled twice.

It also prints counts by verdict and decisive kind, and how many ineligible pairs the structured
minimumAge/maximumAge alone would catch (age advanced to as_of; maximum read in whole years).

Run from the repository root:
    .venv/bin/python tests/check_labels.py tests/devset      (or tests/heldout)
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from matcher.adapters.ctgov.parse import age_to_months, parse_study  # noqa: E402
from matcher.domain.models.profile import parse_profile  # noqa: E402

LABELLED = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT / "tests" / "devset"
TRIAL_DIRS = [
    ROOT / "snapshot" / "sarcoma" / "records",
    ROOT / "tests" / "devset" / "trials",
    LABELLED / "trials",
]
VERDICTS = {"eligible", "possibly_eligible", "ineligible"}


def load_kinds() -> tuple[str, ...]:
    spec = importlib.util.spec_from_file_location(
        "_heldout_kinds", ROOT / "matcher/domain/eligibility/kinds.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return tuple(module.KINDS)


def find_raw(nct_id: str) -> dict | None:
    for folder in TRIAL_DIRS:
        path = folder / f"{nct_id}.json"
        if path.is_file():
            return json.loads(path.read_text())
    return None


def structured_age_excludes(raw: dict, age_months: float) -> bool:
    elig = raw["protocolSection"].get("eligibilityModule", {})
    lo = age_to_months(elig.get("minimumAge") or "")
    hi_text = elig.get("maximumAge") or ""
    hi = age_to_months(hi_text)
    if lo is not None and age_months < lo:
        return True
    if hi is not None:
        # "21 Years" is met up to 21 y 11 m: compare whole units, not months.
        limit = hi + (12 if "year" in hi_text.lower() else 1)
        if age_months >= limit:
            return True
    return False


def main() -> int:
    kinds = load_kinds()
    errors: list[str] = []
    profiles = {}
    for path in sorted((LABELLED / "profiles").glob("*.json")):
        try:
            profiles[path.name] = parse_profile(path.read_text())
        except Exception as exc:  # report every failure, not just the first
            errors.append(f"{path.name}: does not validate: {exc}")

    labels = json.loads((LABELLED / "labels.json").read_text())
    as_of = date.fromisoformat(labels["as_of"])
    seen: set[tuple[str, str]] = set()
    structured = 0
    for i, pair in enumerate(labels["pairs"]):
        where = f"pair {i} ({pair.get('profile')} x {pair.get('nct_id')})"
        key = (pair["profile"], pair["nct_id"])
        if key in seen:
            errors.append(f"{where}: duplicate")
        seen.add(key)
        profile = profiles.get(pair["profile"])
        if profile is None:
            errors.append(f"{where}: unknown or invalid profile")
        raw = find_raw(pair["nct_id"])
        if raw is None:
            errors.append(f"{where}: trial record not found")
            continue
        trial = parse_study(raw)
        if trial.nct_id != pair["nct_id"]:
            errors.append(f"{where}: record holds {trial.nct_id}")
        expected, kind, text = pair["expected"], pair["decisive_kind"], pair["decisive_text"]
        if expected not in VERDICTS:
            errors.append(f"{where}: bad verdict {expected!r}")
        if expected == "ineligible":
            if kind not in kinds:
                errors.append(f"{where}: bad decisive_kind {kind!r}")
            if profile is not None and structured_age_excludes(raw, profile.age_months_on(as_of)):
                structured += 1
        elif kind is not None or text is not None:
            errors.append(f"{where}: decisive fields must be null unless ineligible")
        if text is not None:
            criteria = trial.eligibility_criteria or ""
            if not 10 <= len(text) <= 60:
                errors.append(f"{where}: decisive_text length {len(text)} not in 10..60")
            if text not in criteria:
                errors.append(f"{where}: decisive_text not found in criteria: {text!r}")
        if not pair.get("why"):
            errors.append(f"{where}: missing why")

    for e in errors:
        print("ERROR", e)
    pairs = labels["pairs"]
    inel = [p for p in pairs if p["expected"] == "ineligible"]
    print(
        f"{len(profiles)} profiles, {len(pairs)} pairs, {len({p['nct_id'] for p in pairs})} trials"
    )
    print("by verdict:", dict(Counter(p["expected"] for p in pairs)))
    print("ineligible by kind:", dict(Counter(p["decisive_kind"] for p in inel).most_common()))
    print("ineligible with decisive_text:", sum(1 for p in inel if p["decisive_text"]))
    print("ineligible also caught by structured min/max age:", structured)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
