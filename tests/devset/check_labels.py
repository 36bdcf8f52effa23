"""Sanity check for the eligibility dev set (plain script, not a pytest module).

Checks that:
- every profile in tests/devset/profiles/ validates as matcher.models.ProfileIn;
- every label names an existing profile file and a trial record found either in the sarcoma
  snapshot (snapshot/sarcoma/records/)
  or in tests/devset/trials/;
- verdicts and decisive kinds are legal (kinds from matcher.eligibility.kinds.KINDS); `ineligible`
  has a decisive kind, the other verdicts have none;
- every decisive_text is 10-60 characters and a substring of the trial's eligibilityCriteria after
  removing Markdown backslash escapes (e.g. "\\>" -> ">");
- no (profile, nct_id) pair is labelled twice.

Run from the repository root:  .venv/bin/python tests/devset/check_labels.py
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from matcher.models import ProfileIn  # noqa: E402


def _load_kinds() -> tuple[str, ...]:
    # Read kinds.py on its own: importing the matcher.eligibility package would pull in the engine.
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "_devset_kinds", ROOT / "matcher/eligibility/kinds.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return tuple(module.KINDS)


KINDS = _load_kinds()

DEVSET = ROOT / "tests" / "devset"
TRIAL_DIRS = [
    ROOT / "snapshot" / "sarcoma" / "records",
    DEVSET / "trials",
]
VERDICTS = {"eligible", "possibly_eligible", "ineligible"}


def unescape(text: str) -> str:
    return re.sub(r"\\([^\w\s])", r"\1", text)


def find_trial(nct_id: str) -> dict | None:
    for folder in TRIAL_DIRS:
        path = folder / f"{nct_id}.json"
        if path.is_file():
            return json.loads(path.read_text())
    return None


def main() -> int:
    errors: list[str] = []
    profiles = {}
    for path in sorted((DEVSET / "profiles").glob("*.json")):
        try:
            profiles[path.name] = ProfileIn.model_validate_json(path.read_text())
        except Exception as exc:  # report every failure, not just the first
            errors.append(f"{path.name}: does not validate: {exc}")

    labels = json.loads((DEVSET / "labels.json").read_text())
    seen: set[tuple[str, str]] = set()
    for i, pair in enumerate(labels["pairs"]):
        where = f"pair {i} ({pair.get('profile')} x {pair.get('nct_id')})"
        key = (pair["profile"], pair["nct_id"])
        if key in seen:
            errors.append(f"{where}: duplicate")
        seen.add(key)
        if pair["profile"] not in profiles:
            errors.append(f"{where}: unknown or invalid profile")
        trial = find_trial(pair["nct_id"])
        if trial is None:
            errors.append(f"{where}: trial record not found")
            continue
        expected, kind, text = pair["expected"], pair["decisive_kind"], pair["decisive_text"]
        if expected not in VERDICTS:
            errors.append(f"{where}: bad verdict {expected!r}")
        if expected == "ineligible":
            if kind not in KINDS:
                errors.append(f"{where}: bad decisive_kind {kind!r}")
        elif kind is not None or text is not None:
            errors.append(f"{where}: decisive fields must be null unless ineligible")
        if text is not None:
            criteria = unescape(
                trial["protocolSection"].get("eligibilityModule", {}).get("eligibilityCriteria")
                or ""
            )
            if not 10 <= len(text) <= 60:
                errors.append(f"{where}: decisive_text length {len(text)} not in 10..60")
            if text not in criteria:
                errors.append(f"{where}: decisive_text not found in criteria: {text!r}")
        if not pair.get("why"):
            errors.append(f"{where}: missing why")

    for e in errors:
        print("ERROR", e)
    pairs = labels["pairs"]
    print(
        f"{len(profiles)} profiles, {len(pairs)} pairs, {len({p['nct_id'] for p in pairs})} trials"
    )
    print("by verdict:", dict(Counter(p["expected"] for p in pairs)))
    print(
        "ineligible by kind:",
        dict(Counter(p["decisive_kind"] for p in pairs if p["expected"] == "ineligible")),
    )
    print("ineligible with decisive_text:", sum(1 for p in pairs if p["decisive_text"]))
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
